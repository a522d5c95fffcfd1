//! Logits, weights, threshold, shapes, the degenerate policy and input errors, each against
//! an independent reference: anyloss's own kernels, repeated samples, or f64 finite
//! differences. Backend: NdArray + Autodiff.

use anyloss_burn::{AnyLoss, AnyLossConfig};
use anyloss_core::metrics::{Mcc, Recall, F1};
use anyloss_core::{BinaryLoss, Degenerate, Input, Metric};
use anyloss_dsl::FormulaMetric;
use burn::backend::{Autodiff, NdArray};
use burn::tensor::{DType, Int, Tensor, TensorData};

#[path = "../../test_support.rs"]
mod test_support;

use test_support::{assert_close, labels, uniform};

type B = Autodiff<NdArray>;

/// f64 tensors: burn's default float type is f32 whatever the backend's type parameter.
fn floats(v: &[f64]) -> Tensor<B, 1> {
    let device = Default::default();
    Tensor::from_data(
        TensorData::new(v.to_vec(), [v.len()]),
        (&device, DType::F64),
    )
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
) -> (f64, Vec<f64>) {
    let x = floats(outputs).require_grad();
    let l = loss
        .try_forward(x.clone(), ints(targets), weights.map(floats))
        .unwrap()
        .loss;
    let g = l.backward();
    (
        l.into_data().iter::<f64>().next().unwrap(),
        x.grad(&g).unwrap().into_data().iter::<f64>().collect(),
    )
}

#[test]
fn logits_match_the_core_kernel_in_f32() {
    let n = 500;
    let z: Vec<f32> = uniform(n, 3)
        .iter()
        .map(|u| ((u - 0.5) * 12.0) as f32)
        .collect();
    let y = labels(n, 4, 0.2);
    let dev = Default::default();
    let x = Tensor::<B, 1>::from_data(TensorData::new(z.clone(), [n]), &dev).require_grad();
    assert_eq!(x.dtype(), DType::F32);
    let yt = Tensor::<B, 1, Int>::from_data(
        TensorData::new(y.iter().map(|&v| i64::from(v)).collect::<Vec<_>>(), [n]),
        &dev,
    );
    let loss = AnyLossConfig::new(F1).with_logits(true).init().unwrap();
    let l = loss.forward(x.clone(), yt);
    let grad: Vec<f64> = x
        .grad(&l.backward())
        .unwrap()
        .into_data()
        .iter::<f64>()
        .collect();
    let mut want = vec![0.0f32; n];
    let out = BinaryLoss::new(F1)
        .loss_and_grad(&y, Input::Logits(&z), &mut want)
        .unwrap();
    let got: f64 = l.into_data().iter::<f64>().next().unwrap();
    assert!(
        (got - f64::from(out.loss)).abs() < 1e-5,
        "{got} vs {}",
        out.loss
    );
    let want: Vec<f64> = want.into_iter().map(f64::from).collect();
    assert_close(&grad, &want, 1e-3, "logit grad");
}

#[test]
fn integer_weights_equal_repeated_samples() {
    let n = 60;
    let p = uniform(n, 7);
    let y = labels(n, 8, 0.3);
    let w: Vec<f64> = uniform(n, 9).iter().map(|u| (u * 4.0).floor()).collect();
    let (mut rp, mut ry, mut owner) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        for _ in 0..w[i] as usize {
            rp.push(p[i]);
            ry.push(y[i]);
            owner.push(i);
        }
    }
    let loss = AnyLossConfig::new(F1).with_l(20.0).init().unwrap();
    let (lw, grad) = loss_and_grad(&loss, &p, &y, Some(&w));
    let (lr, rgrad) = loss_and_grad(&loss, &rp, &ry, None);
    assert!((lw - lr).abs() < 1e-6, "{lw} vs {lr}");
    let mut summed = vec![0.0; n];
    for (g, &i) in rgrad.iter().zip(&owner) {
        summed[i] += g;
    }
    assert_close(&grad, &summed, 1e-5, "weighted grad");
}

#[test]
fn threshold_logits_weights_match_f64_finite_differences() {
    let n = 40;
    let z: Vec<f64> = uniform(n, 11).iter().map(|u| (u - 0.5) * 4.0).collect();
    let y = labels(n, 12, 0.35);
    let w: Vec<f64> = uniform(n, 13).iter().map(|u| 0.5 + u).collect();
    let formula =
        FormulaMetric::compile("(TP*TN - FP*FN)/sqrt(PRED_POS*POS*NEG*PRED_NEG)", &[]).unwrap();
    let reference = test_support::Reference {
        metric: &formula,
        l: 8.0,
        threshold: 0.3,
        logits: true,
    };
    let want = reference.gradient(&z, &y, &w, 1e-6);
    let metrics: [&dyn Metric; 2] = [&Mcc, &formula];
    for metric in metrics {
        let loss = AnyLossConfig::new(metric)
            .with_l(8.0)
            .with_threshold(0.3)
            .with_logits(true)
            .init()
            .unwrap();
        let (value, grad) = loss_and_grad(&loss, &z, &y, Some(&w));
        let want_value = reference.loss(&z, &y, &w);
        assert!((value - want_value).abs() < 1e-6, "{value} vs {want_value}");
        // The metric and its partials are f32 in anyloss.
        assert_close(&grad, &want, 1e-4, "finite differences");
    }
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
    let p = [0.2, 0.7, 0.4];
    let y = [0u8, 0, 0];
    let smooth = AnyLossConfig::new(Recall).init().unwrap();
    let (loss, grad) = loss_and_grad(&smooth, &p, &y, None);
    let p32 = p.map(|v| v as f32);
    let mut want = [0.0f32; 3];
    let out = BinaryLoss::new(Recall)
        .loss_and_grad(&y, Input::Probs(&p32), &mut want)
        .unwrap();
    assert!((loss - f64::from(out.loss)).abs() < 1e-6);
    assert_close(&grad, &want.map(f64::from), 1e-4, "smoothed");
    let fallback = AnyLossConfig::new(Recall)
        .with_degenerate(Degenerate::Fallback(0.0))
        .init()
        .unwrap();
    let (loss, grad) = loss_and_grad(&fallback, &p, &y, None);
    assert_eq!(loss, 1.0);
    assert!(grad.iter().all(|&g| g == 0.0));
}

fn error_of(loss: &AnyLoss<F1>, p: &[f64], y: &[u8], w: Option<&[f64]>) -> String {
    match loss.try_forward(floats(p), ints(y), w.map(floats)) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_input_is_an_error_naming_its_position() {
    let probs = AnyLossConfig::new(F1).init().unwrap();
    let logits = AnyLossConfig::new(F1).with_logits(true).init().unwrap();
    let y = [1u8, 0, 1];
    let e = error_of(&probs, &[0.5, 1.5, 0.2], &y, None);
    assert!(e.contains("index 1") && e.contains("[0, 1]"), "{e}");
    let e = error_of(&probs, &[0.5, 0.5, f64::NAN], &y, None);
    assert!(e.contains("index 2"), "{e}");
    let e = error_of(&logits, &[0.5, f64::INFINITY, 3.0], &y, None);
    assert!(e.contains("logit at index 1"), "{e}");
    let e = error_of(&probs, &[0.5, 0.5, 0.5], &[1, 2, 0], None);
    assert!(e.contains("target at index 1 is 2"), "{e}");
    let e = error_of(&probs, &[0.5, 0.5], &y, None);
    assert!(e.contains("different shapes"), "{e}");
    let e = error_of(&probs, &[], &[], None);
    assert!(e.contains("empty"), "{e}");
    let e = error_of(&probs, &[0.5, 0.5, 0.5], &y, Some(&[1.0, -1.0, 1.0]));
    assert!(e.contains("weight at index 1"), "{e}");
    let e = error_of(&probs, &[0.5, 0.5, 0.5], &y, Some(&[1.0, 1.0]));
    assert!(e.contains("shape"), "{e}");
}

#[test]
#[should_panic(expected = "target at index 0 is 3")]
fn forward_panics_with_the_try_forward_message() {
    let loss = AnyLossConfig::new(F1).init().unwrap();
    let _ = loss.forward(floats(&[0.5]), ints(&[3]));
}

#[test]
fn invalid_settings_are_init_errors() {
    for bad in [0.0, 1.0, f32::NAN] {
        let e = AnyLossConfig::new(F1)
            .with_threshold(bad)
            .init()
            .unwrap_err();
        assert!(e.to_string().contains("threshold"), "{e}");
    }
    let e = AnyLossConfig::new(F1).with_l(-1.0).init().unwrap_err();
    assert!(e.to_string().contains("L = -1"), "{e}");
    let e = AnyLossConfig::new(F1)
        .with_degenerate(Degenerate::Smooth(0.0))
        .init()
        .unwrap_err();
    assert!(e.to_string().contains("invalid parameter"), "{e}");
}
