//! Logits, weights, threshold, shapes, the degenerate policy and input errors, each against
//! an independent reference: anyloss's own kernels, repeated samples, or f64 finite
//! differences (the checks of `test_support.rs`, shared with the candle adapter). Backend:
//! NdArray + Autodiff.

use anyloss_burn::{AnyLoss, AnyLossConfig};
use anyloss_core::metrics::{Recall, F1};
use anyloss_core::Metric;
use burn::backend::{Autodiff, NdArray};
use burn::tensor::{DType, Int, Tensor, TensorData};

#[path = "../../test_support.rs"]
mod test_support;

use test_support::{LossAndGrad, ShapeMessages};

type B = Autodiff<NdArray>;

/// Float tensors of `dtype` (burn's default float type is f32 whatever the backend's
/// type parameter).
fn tensor(v: &[f64], dtype: DType) -> Tensor<B, 1> {
    let device = Default::default();
    let t = Tensor::from_data(TensorData::new(v.to_vec(), [v.len()]), (&device, dtype));
    assert_eq!(t.dtype(), dtype);
    t
}

fn floats(v: &[f64]) -> Tensor<B, 1> {
    tensor(v, DType::F64)
}

fn ints(v: &[u8]) -> Tensor<B, 1, Int> {
    let data: Vec<i64> = v.iter().map(|&x| i64::from(x)).collect();
    Tensor::from_data(TensorData::new(data, [v.len()]), &Default::default())
}

fn loss_and_grad<M: Metric>(
    loss: &AnyLoss<M>,
    outputs: &[f64],
    targets: &[u8],
    weights: Option<&[f64]>,
    dtype: DType,
) -> LossAndGrad {
    let x = tensor(outputs, dtype).require_grad();
    let w = weights.map(|w| tensor(w, dtype));
    let l = loss.try_forward(x.clone(), ints(targets), w).unwrap().loss;
    let g = l.backward();
    (
        l.into_data().iter::<f64>().next().unwrap(),
        x.grad(&g).unwrap().into_data().iter::<f64>().collect(),
    )
}

#[test]
fn logits_match_the_core_kernel_in_f32() {
    test_support::check_logits_match_the_core_kernel(|metric, z, y| {
        let loss = AnyLossConfig::new(metric).with_logits(true).init().unwrap();
        loss_and_grad(&loss, z, y, None, DType::F32)
    });
}

#[test]
fn integer_weights_equal_repeated_samples() {
    let loss = AnyLossConfig::new(F1).with_l(20.0).init().unwrap();
    test_support::check_integer_weights_equal_repeated_samples(|p, y, w| {
        loss_and_grad(&loss, p, y, w, DType::F64)
    });
}

#[test]
fn threshold_logits_weights_match_f64_finite_differences() {
    test_support::check_threshold_logits_weights_match_f64_finite_differences(
        |settings, metric, z, y, w| {
            let loss = AnyLossConfig::new(metric)
                .with_l(settings.l as f32)
                .with_threshold(settings.threshold as f32)
                .with_logits(settings.logits)
                .init()
                .unwrap();
            loss_and_grad(&loss, z, y, Some(w), DType::F64)
        },
    );
}

#[test]
fn two_dimensional_outputs() {
    let dev = Default::default();
    let p = Tensor::<B, 2>::from_data([[0.9], [0.2], [0.6], [0.4]], (&dev, DType::F64));
    let y = Tensor::<B, 2, Int>::from_data([[1], [0], [0], [1]], &dev);
    let loss = AnyLossConfig::new(F1).init().unwrap();
    let out = loss.try_forward(p, y, None).unwrap();
    let flat = loss.forward(floats(&[0.9, 0.2, 0.6, 0.4]), ints(&[1, 0, 0, 1]));
    let a: f64 = out.loss.into_data().iter::<f64>().next().unwrap();
    let b: f64 = flat.into_data().iter::<f64>().next().unwrap();
    assert_eq!(a, b);
    assert!((a - f64::from(out.evaluation.loss)).abs() < 1e-7);
}

#[test]
fn degenerate_policy_is_the_core_one() {
    test_support::check_degenerate_policy_is_the_core_one(|policy, p, y| {
        let loss = AnyLossConfig::new(Recall)
            .with_degenerate(policy)
            .init()
            .unwrap();
        loss_and_grad(&loss, p, y, None, DType::F64)
    });
}

#[test]
fn bad_input_is_an_error_naming_its_position() {
    let shapes = ShapeMessages {
        targets: "different shapes",
        weights: "shape",
    };
    test_support::check_bad_input_is_an_error_naming_its_position(shapes, |p, y, w, logits| {
        let loss = AnyLossConfig::new(F1).with_logits(logits).init().unwrap();
        match loss.try_forward(floats(p), ints(y), w.map(floats)) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string(),
        }
    });
}

#[test]
#[should_panic(expected = "target at index 0 is 3")]
fn forward_panics_with_the_try_forward_message() {
    let loss = AnyLossConfig::new(F1).init().unwrap();
    let _ = loss.forward(floats(&[0.5]), ints(&[3]));
}

#[test]
fn invalid_settings_are_init_errors() {
    test_support::check_invalid_settings_are_errors(|l, threshold, policy| {
        AnyLossConfig::new(F1)
            .with_l(l)
            .with_threshold(threshold)
            .with_degenerate(policy)
            .init()
            .unwrap_err()
            .to_string()
    });
}

#[test]
fn every_builtin_name_runs() {
    test_support::check_every_builtin_name_runs(|metric, p, y| {
        let loss = AnyLossConfig::new(metric).init().unwrap();
        loss_and_grad(&loss, p, y, None, DType::F32)
    });
}
