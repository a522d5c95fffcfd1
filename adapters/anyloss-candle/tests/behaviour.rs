//! Logits, weights, threshold, shapes, the degenerate policy and input errors, each against
//! an independent reference: anyloss's own kernels, repeated samples, or f64 finite
//! differences.

use anyloss_candle::{any_loss, any_loss_output, AnyLossOptions};
use anyloss_core::metrics::{Builtin, BuiltinParams, Mcc, Recall, F1};
use anyloss_core::{BinaryLoss, Degenerate, Input, Metric};
use anyloss_dsl::FormulaMetric;
use candle_core::{DType, Device, Tensor, Var};

#[path = "../../test_support.rs"]
mod test_support;

use test_support::{assert_close, labels, uniform};

fn loss_and_grad(
    outputs: &[f64],
    targets: &[u8],
    metric: &dyn Metric,
    options: &AnyLossOptions,
    dtype: DType,
) -> (f64, Vec<f64>) {
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
    let n = 500;
    let z: Vec<f64> = uniform(n, 3).iter().map(|u| (u - 0.5) * 12.0).collect();
    let y = labels(n, 4, 0.2);
    for metric in [Builtin::F1(F1), Builtin::Mcc(Mcc)] {
        let options = AnyLossOptions::default().with_logits(true);
        let (loss, grad) = loss_and_grad(&z, &y, &metric, &options, DType::F32);
        let z32: Vec<f32> = z.iter().map(|&v| v as f32).collect();
        let mut want = vec![0.0f32; n];
        let out = BinaryLoss::new(metric)
            .loss_and_grad(&y, Input::Logits(&z32), &mut want)
            .unwrap();
        assert!(
            (loss - f64::from(out.loss)).abs() < 1e-5,
            "{loss} vs {}",
            out.loss
        );
        let want: Vec<f64> = want.into_iter().map(f64::from).collect();
        assert_close(&grad, &want, 1e-3, metric.name());
    }
}

#[test]
fn integer_weights_equal_repeated_samples() {
    let n = 60;
    let p = uniform(n, 7);
    let y = labels(n, 8, 0.3);
    let w: Vec<u32> = uniform(n, 9).iter().map(|u| (u * 4.0) as u32).collect();
    let (mut rp, mut ry, mut owner) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        for _ in 0..w[i] {
            rp.push(p[i]);
            ry.push(y[i]);
            owner.push(i);
        }
    }
    let weights = Tensor::new(w.as_slice(), &Device::Cpu).unwrap();
    let options = AnyLossOptions::default().with_l(20.0).with_weights(weights);
    let (loss, grad) = loss_and_grad(&p, &y, &F1, &options, DType::F64);
    let plain = AnyLossOptions::default().with_l(20.0);
    let (rloss, rgrad) = loss_and_grad(&rp, &ry, &F1, &plain, DType::F64);
    assert!((loss - rloss).abs() < 1e-6, "{loss} vs {rloss}");
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
    let weights = Tensor::new(w.as_slice(), &Device::Cpu).unwrap();
    let options = AnyLossOptions::default()
        .with_l(8.0)
        .with_threshold(0.3)
        .with_logits(true)
        .with_weights(weights);
    let formula =
        FormulaMetric::compile("(TP*TN - FP*FN)/sqrt(PRED_POS*POS*NEG*PRED_NEG)", &[]).unwrap();
    let reference = test_support::Reference {
        metric: &formula,
        l: 8.0,
        threshold: 0.3,
        logits: true,
    };
    let want = reference.gradient(&z, &y, &w, 1e-6);
    for metric in [&Mcc as &dyn Metric, &formula] {
        let (value, grad) = loss_and_grad(&z, &y, metric, &options, DType::F64);
        let want_value = reference.loss(&z, &y, &w);
        assert!((value - want_value).abs() < 1e-6, "{value} vs {want_value}");
        // The metric and its partials are f32 in anyloss.
        assert_close(&grad, &want, 1e-4, "finite differences");
    }
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
    let p = [0.2, 0.7, 0.4];
    let y = [0u8, 0, 0];
    // No positives: recall is undefined. Smooth (default) follows the core.
    let (loss, grad) = loss_and_grad(&p, &y, &Recall, &AnyLossOptions::default(), DType::F32);
    let p32 = p.map(|v| v as f32);
    let mut want = [0.0f32; 3];
    let out = BinaryLoss::new(Recall)
        .loss_and_grad(&y, Input::Probs(&p32), &mut want)
        .unwrap();
    assert!((loss - f64::from(out.loss)).abs() < 1e-6);
    assert_close(&grad, &want.map(f64::from), 1e-4, "smoothed");
    // Fallback: a fixed value and no gradient.
    let options = AnyLossOptions::default().with_degenerate(Degenerate::Fallback(0.0));
    let (loss, grad) = loss_and_grad(&p, &y, &Recall, &options, DType::F32);
    assert_eq!(loss, 1.0);
    assert!(grad.iter().all(|&g| g == 0.0));
}

fn error_of(outputs: &Tensor, targets: &Tensor, options: &AnyLossOptions) -> String {
    match any_loss(outputs, targets, &F1, options) {
        Ok(v) => panic!("expected an error, got {v}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_input_is_an_error_naming_its_position() {
    let dev = Device::Cpu;
    let t = |v: &[f32]| Tensor::new(v, &dev).unwrap();
    let ok = AnyLossOptions::default();
    let y = t(&[1., 0., 1.]);
    let e = error_of(&t(&[0.5, 1.5, 0.2]), &y, &ok);
    assert!(e.contains("index 1") && e.contains("[0, 1]"), "{e}");
    let e = error_of(&t(&[0.5, 0.5, f32::NAN]), &y, &ok);
    assert!(e.contains("index 2"), "{e}");
    let logits = ok.clone().with_logits(true);
    let e = error_of(&t(&[0.5, f32::INFINITY, 3.0]), &y, &logits);
    assert!(e.contains("logit at index 1"), "{e}");
    let e = error_of(&t(&[0.5, 0.5, 0.5]), &t(&[1., 2., 0.]), &ok);
    assert!(e.contains("target at index 1 is 2"), "{e}");
    let e = error_of(&t(&[0.5, 0.5]), &y, &ok);
    assert!(e.contains("different numbers of elements"), "{e}");
    let e = error_of(&t(&[]), &t(&[]), &ok);
    assert!(e.contains("empty"), "{e}");
    let w = ok.clone().with_weights(t(&[1., -1., 1.]));
    let e = error_of(&t(&[0.5, 0.5, 0.5]), &y, &w);
    assert!(e.contains("weight at index 1"), "{e}");
    let w = ok.clone().with_weights(t(&[1., 1.]));
    let e = error_of(&t(&[0.5, 0.5, 0.5]), &y, &w);
    assert!(e.contains("one element per output"), "{e}");
    for bad in [0.0, 1.0, f32::NAN] {
        let e = error_of(&t(&[0.5, 0.5, 0.5]), &y, &ok.clone().with_threshold(bad));
        assert!(e.contains("threshold"), "{e}");
    }
    let e = error_of(&t(&[0.5, 0.5, 0.5]), &y, &ok.clone().with_l(-1.0));
    assert!(e.contains("L = -1"), "{e}");
    let e = error_of(
        &t(&[0.5, 0.5, 0.5]),
        &y,
        &ok.with_degenerate(Degenerate::Smooth(0.0)),
    );
    assert!(e.contains("invalid parameter"), "{e}");
}

#[test]
fn every_builtin_name_runs() {
    let p = uniform(50, 21);
    let y = labels(50, 22, 0.3);
    for name in Builtin::NAMES {
        let m = Builtin::from_name(name, BuiltinParams::default())
            .unwrap()
            .unwrap();
        let (loss, grad) = loss_and_grad(&p, &y, &m, &AnyLossOptions::default(), DType::F32);
        assert!(grad.iter().all(|g| g.is_finite()), "{name}");
        let p32: Vec<f32> = p.iter().map(|&v| v as f32).collect();
        let want = BinaryLoss::new(m)
            .loss(&y, Input::Probs(&p32))
            .unwrap()
            .loss;
        assert!(
            (loss - f64::from(want)).abs() < 1e-5,
            "{name}: {loss} vs {want}"
        );
    }
}
