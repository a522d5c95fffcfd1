//! Logits, weights, threshold, shapes, the degenerate policy and input errors, each against
//! an independent reference: anyloss's own kernels, repeated samples, or f64 finite
//! differences (the checks of `test_support.rs`, shared with the burn adapter).

use anyloss_candle::{any_loss, any_loss_output, AnyLossOptions};
use anyloss_core::metrics::{Recall, F1};
use anyloss_core::Metric;
use candle_core::{DType, Device, Tensor, Var};

#[path = "../../test_support.rs"]
mod test_support;

use test_support::{LossAndGrad, ShapeMessages};

fn loss_and_grad(
    outputs: &[f64],
    targets: &[u8],
    metric: &dyn Metric,
    options: &AnyLossOptions,
    dtype: DType,
) -> LossAndGrad {
    let dev = Device::Cpu;
    let x =
        Var::from_tensor(&Tensor::new(outputs, &dev).unwrap().to_dtype(dtype).unwrap()).unwrap();
    let y = Tensor::new(targets, &dev).unwrap();
    let loss = any_loss(x.as_tensor(), &y, metric, options).unwrap();
    let g = loss.backward().unwrap();
    (
        loss.to_dtype(DType::F64).unwrap().to_scalar().unwrap(),
        g.get(&x)
            .unwrap()
            .to_dtype(DType::F64)
            .unwrap()
            .to_vec1()
            .unwrap(),
    )
}

#[test]
fn logits_match_the_core_kernel() {
    let options = AnyLossOptions::default().with_logits(true);
    test_support::check_logits_match_the_core_kernel(|metric, z, y| {
        loss_and_grad(z, y, metric, &options, DType::F32)
    });
}

#[test]
fn integer_weights_equal_repeated_samples() {
    test_support::check_integer_weights_equal_repeated_samples(|p, y, w| {
        let mut options = AnyLossOptions::default().with_l(20.0);
        if let Some(w) = w {
            // Weights of an integer dtype.
            let w: Vec<u32> = w.iter().map(|&v| v as u32).collect();
            options = options.with_weights(Tensor::new(w.as_slice(), &Device::Cpu).unwrap());
        }
        loss_and_grad(p, y, &F1, &options, DType::F64)
    });
}

#[test]
fn threshold_logits_weights_match_f64_finite_differences() {
    test_support::check_threshold_logits_weights_match_f64_finite_differences(
        |settings, metric, z, y, w| {
            let options = AnyLossOptions::default()
                .with_l(settings.l as f32)
                .with_threshold(settings.threshold as f32)
                .with_logits(settings.logits)
                .with_weights(Tensor::new(w, &Device::Cpu).unwrap());
            loss_and_grad(z, y, metric, &options, DType::F64)
        },
    );
}

#[test]
fn any_shape_with_the_same_element_count() {
    let dev = Device::Cpu;
    let p = Tensor::new(&[[0.9f32], [0.2], [0.6], [0.4]], &dev).unwrap();
    let y = Tensor::new(&[1f32, 0., 0., 1.], &dev).unwrap();
    let out = any_loss_output(&p, &y, &F1, &AnyLossOptions::default()).unwrap();
    let flat = any_loss(
        &p.flatten_all().unwrap(),
        &y,
        &F1,
        &AnyLossOptions::default(),
    )
    .unwrap();
    let v: f32 = out.loss.to_scalar().unwrap();
    assert_eq!(v, flat.to_scalar::<f32>().unwrap());
    assert!((v - out.evaluation.loss).abs() < 1e-7);
    assert!((out.evaluation.confusion.total() - 4.0).abs() < 1e-5);
}

#[test]
fn degenerate_policy_is_the_core_one() {
    test_support::check_degenerate_policy_is_the_core_one(|policy, p, y| {
        let options = AnyLossOptions::default().with_degenerate(policy);
        loss_and_grad(p, y, &Recall, &options, DType::F32)
    });
}

fn error_of(outputs: &Tensor, targets: &Tensor, options: &AnyLossOptions) -> String {
    match any_loss(outputs, targets, &F1, options) {
        Ok(v) => panic!("expected an error, got {v}"),
        Err(e) => e.to_string(),
    }
}

/// f32 tensors, as a model's outputs and float targets usually are.
fn floats(v: &[f64]) -> Tensor {
    let v: Vec<f32> = v.iter().map(|&x| x as f32).collect();
    Tensor::new(v.as_slice(), &Device::Cpu).unwrap()
}

#[test]
fn bad_input_is_an_error_naming_its_position() {
    let shapes = ShapeMessages {
        targets: "different numbers of elements",
        weights: "one element per output",
    };
    test_support::check_bad_input_is_an_error_naming_its_position(shapes, |p, y, w, logits| {
        let mut options = AnyLossOptions::default().with_logits(logits);
        if let Some(w) = w {
            options = options.with_weights(floats(w));
        }
        let y: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
        error_of(&floats(p), &floats(&y), &options)
    });
}

#[test]
fn invalid_settings_are_errors() {
    test_support::check_invalid_settings_are_errors(|l, threshold, policy| {
        let options = AnyLossOptions::default()
            .with_l(l)
            .with_threshold(threshold)
            .with_degenerate(policy);
        error_of(
            &floats(&[0.5, 0.5, 0.5]),
            &floats(&[1.0, 0.0, 1.0]),
            &options,
        )
    });
}

#[test]
fn every_builtin_name_runs() {
    test_support::check_every_builtin_name_runs(|metric, p, y| {
        loss_and_grad(p, y, metric, &AnyLossOptions::default(), DType::F32)
    });
}
