//! Sample weights (zero weights included), decision thresholds 0.3 and 0.7, logits, and
//! multi-label and multi-class macro / micro / weighted / per-class losses (multi-class
//! with per-position sample weights and class weights, `[N,C]` and `[N,C,H,W]`, in one
//! call and streamed in two chunks) against float64 PyTorch-autograd
//! vectors (`tests/golden/features.json`, made by `tests/golden/features.py`), at the binary
//! golden tolerances: loss within 1e-5, gradient within 1e-3 relative wherever the
//! reference is above 1e-30 in magnitude (and within 1e-6 absolute elsewhere, which
//! covers the exact zeros of zero-weight samples).

use anyloss::metrics::Builtin;
use anyloss::multiclass::{ClassConfusion, Layout, MulticlassLoss, Objective};
use anyloss::multilabel::MultilabelLoss;
use anyloss::{Average, BinaryLoss, Input};
use serde_json::Value;

const GOLDEN: &str = include_str!("golden/features.json");

fn f32s(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn labels(v: &Value) -> Vec<u8> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u8)
        .collect()
}

/// Largest relative gradient error, asserting both tolerances on every element.
fn check_grad(id: &str, got: &[f32], want: &Value) -> f64 {
    let want = f64s(want);
    assert_eq!(got.len(), want.len(), "{id}");
    let mut worst = 0.0f64;
    for (i, (&g, &w)) in got.iter().zip(&want).enumerate() {
        if w.abs() > 1e-30 {
            let rel = (f64::from(g) - w).abs() / w.abs();
            worst = worst.max(rel);
            assert!(rel < 1e-3, "{id}: grad[{i}] {g} vs {w}");
        } else {
            assert!(f64::from(g).abs() < 1e-6, "{id}: grad[{i}] {g} vs {w}");
        }
    }
    worst
}

fn input<'a>(case: &Value, x: &'a [f32]) -> Input<'a> {
    match case["input"].as_str().unwrap() {
        "probs" => Input::Probs(x),
        "logits" => Input::Logits(x),
        other => panic!("unknown input kind {other}"),
    }
}

#[test]
fn binary_weights_thresholds_and_logits_match_autograd() {
    let g: Value = serde_json::from_str(GOLDEN).unwrap();
    let (mut worst_loss, mut worst_grad, mut zero_weights) = (0.0f64, 0.0f64, 0);
    let cases = g["binary"].as_array().unwrap();
    assert!(cases.len() >= 64);
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let metric: Builtin = case["metric"].as_str().unwrap().parse().unwrap();
        let t = case["threshold"].as_f64().unwrap() as f32;
        let loss = BinaryLoss::new(metric).with_threshold(t).unwrap();
        let (y, x) = (labels(&case["y"]), f32s(&case["x"]));
        let mut grad = vec![0.0f32; y.len()];
        let out = if case["w"].is_null() {
            loss.loss_and_grad(&y, input(case, &x), &mut grad)
        } else {
            let w = f32s(&case["w"]);
            zero_weights += w.iter().filter(|&&v| v == 0.0).count();
            for (i, &wi) in w.iter().enumerate() {
                if wi == 0.0 {
                    assert_eq!(case["grad"][i].as_f64(), Some(0.0), "{id}: reference");
                }
            }
            loss.loss_and_grad_weighted(&y, input(case, &x), &w, &mut grad)
        }
        .unwrap();
        let err = (f64::from(out.loss) - case["loss"].as_f64().unwrap()).abs();
        worst_loss = worst_loss.max(err);
        assert!(err < 1e-5, "{id}: loss {} vs {}", out.loss, case["loss"]);
        for (got, key) in [
            (out.confusion.tp, "tp"),
            (out.confusion.fn_, "fn"),
            (out.confusion.fp, "fp"),
            (out.confusion.tn, "tn"),
        ] {
            let want = case[key].as_f64().unwrap();
            assert!(
                (f64::from(got) - want).abs() <= 1e-5 * want.abs().max(1.0),
                "{id}: {key}"
            );
        }
        worst_grad = worst_grad.max(check_grad(id, &grad, &case["grad"]));
    }
    assert!(zero_weights > 10, "the vectors must exercise zero weights");
    println!("binary: max |loss err| = {worst_loss:e}, max grad rel err = {worst_grad:e}");
}

#[test]
fn multilabel_averages_match_autograd() {
    const C: usize = 4;
    let g: Value = serde_json::from_str(GOLDEN).unwrap();
    let (mut worst_loss, mut worst_grad) = (0.0f64, 0.0f64);
    let cases = g["multilabel"].as_array().unwrap();
    assert!(cases.len() >= 40);
    for case in cases {
        let id = case["id"].as_str().unwrap();
        assert_eq!(case["classes"].as_u64(), Some(C as u64));
        let metric: Builtin = case["metric"].as_str().unwrap().parse().unwrap();
        let average = match case["average"].as_str().unwrap() {
            "none" => None,
            name => Some(Average::from_name(name).unwrap()),
        };
        let t = case["threshold"].as_f64().unwrap() as f32;
        let mut loss = MultilabelLoss::<_, C>::new(metric, average)
            .with_threshold(t)
            .unwrap();
        if !case["class_weights"].is_null() {
            let v = f32s(&case["class_weights"]);
            loss = loss.with_class_weights(v.try_into().unwrap()).unwrap();
        }
        let (y, x) = (labels(&case["y"]), f32s(&case["x"]));
        let mut grad = vec![0.0f32; y.len()];
        let out = if case["w"].is_null() {
            loss.loss_and_grad(&y, input(case, &x), &mut grad)
        } else {
            let w = f32s(&case["w"]);
            loss.loss_and_grad_weighted(&y, input(case, &x), &w, &mut grad)
        }
        .unwrap();
        let err = (f64::from(out.loss) - case["loss"].as_f64().unwrap()).abs();
        worst_loss = worst_loss.max(err);
        assert!(err < 1e-5, "{id}: loss {} vs {}", out.loss, case["loss"]);
        for (c, want) in case["per_class"].as_array().unwrap().iter().enumerate() {
            let want = want.as_f64().unwrap();
            assert!(
                (f64::from(out.per_class[c]) - want).abs() < 1e-5,
                "{id}: per_class[{c}] {} vs {want}",
                out.per_class[c]
            );
        }
        worst_grad = worst_grad.max(check_grad(id, &grad, &case["grad"]));
    }
    println!("multilabel: max |loss err| = {worst_loss:e}, max grad rel err = {worst_grad:e}");
}

/// [`check_grad`] for softmax gradients: an element may instead be within 1e-7 of the
/// case's largest reference gradient. The softmax product `p_j (g_j − Σ_k p_k g_k)`
/// cancels in f32 where class `j`'s amplifier is saturated like the label's, and there a
/// few elements far below the largest (in these vectors one, 1.7e-17) land outside 1e-3
/// relative. Returns the largest
/// relative error and the number of elements accepted by scale.
fn check_softmax_grad(id: &str, got: &[f32], want: &Value) -> (f64, usize) {
    let want = f64s(want);
    assert_eq!(got.len(), want.len(), "{id}");
    let scale = want.iter().fold(0.0f64, |m, w| m.max(w.abs()));
    let (mut worst, mut by_scale) = (0.0f64, 0);
    for (i, (&g, &w)) in got.iter().zip(&want).enumerate() {
        let err = (f64::from(g) - w).abs();
        if w.abs() > 1e-30 && err / w.abs() < 1e-3 {
            worst = worst.max(err / w.abs());
        } else {
            assert!(
                err <= 1e-7 * scale,
                "{id}: grad[{i}] {g:e} vs {w:e} (largest {scale:e})"
            );
            by_scale += usize::from(w.abs() > 1e-30);
        }
    }
    (worst, by_scale)
}

/// One multi-class golden case at `C` classes: the two-pass loss in one call, and the same
/// streamed over two chunks of samples (entries summed, then each chunk's gradient).
fn multiclass_case<const C: usize, O: Objective>(
    case: &Value,
    loss: &MulticlassLoss<O>,
    per_class: impl Fn(&ClassConfusion<C>) -> [f32; C],
) -> (f64, f64, usize) {
    let id = case["id"].as_str().unwrap();
    let shape: Vec<usize> = case["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(shape[1], C, "{id}");
    let (n, pixels) = (shape[0], shape[2..].iter().product::<usize>());
    let layout = |samples: usize| Layout::<C>::class_planes(samples, pixels).unwrap();
    let (y, x) = (labels(&case["y"]), f32s(&case["x"]));
    let w = (!case["w"].is_null()).then(|| f32s(&case["w"]));
    let mut grad = vec![0.0f32; x.len()];
    let out = match &w {
        None => loss.loss_and_grad(&layout(n), &y, input(case, &x), &mut grad),
        Some(w) => loss.loss_and_grad_weighted(&layout(n), &y, input(case, &x), w, &mut grad),
    }
    .unwrap();
    let loss_err = (f64::from(out.loss) - case["loss"].as_f64().unwrap()).abs();
    assert!(
        loss_err < 1e-5,
        "{id}: loss {} vs {}",
        out.loss,
        case["loss"]
    );
    let got = per_class(&out.confusion);
    for (c, want) in case["per_class"].as_array().unwrap().iter().enumerate() {
        let want = want.as_f64().unwrap();
        assert!(
            (f64::from(got[c]) - want).abs() < 1e-5,
            "{id}: per_class[{c}] {} vs {want}",
            got[c]
        );
    }
    for (c, want) in case["entries"].as_array().unwrap().iter().enumerate() {
        let e = out.confusion.classes()[c];
        for (got, want) in [e.tp, e.fn_, e.fp, e.tn]
            .iter()
            .zip(want.as_array().unwrap())
        {
            let want = want.as_f64().unwrap();
            assert!(
                (f64::from(*got) - want).abs() <= 1e-5 * want.abs().max(1.0),
                "{id}: entries of class {c}: {got} vs {want}"
            );
        }
        let support = case["support"][c].as_f64().unwrap();
        let got = f64::from(out.confusion.support()[c]);
        assert!(
            (got - support).abs() <= 1e-5 * support.max(1.0),
            "{id}: support"
        );
    }
    if let Some(w) = &w {
        // A zero weight removes its position: exactly zero gradient for all its C values.
        for (i, _) in w.iter().enumerate().filter(|(_, &wi)| wi == 0.0) {
            let (sample, pixel) = (i / pixels, i % pixels);
            for c in 0..C {
                assert_eq!(
                    grad[(sample * C + c) * pixels + pixel],
                    0.0,
                    "{id}: position {i}"
                );
            }
        }
    }
    let (grad_err, by_scale) = check_softmax_grad(id, &grad, &case["grad"]);

    // Streamed: two chunks of samples.
    let split = n / 2;
    let chunks = [(0, split), (split, n)];
    let part = |(a, b): (usize, usize)| {
        let (ya, xa) = (
            &y[a * pixels..b * pixels],
            &x[a * C * pixels..b * C * pixels],
        );
        let wa = w.as_ref().map(|w| &w[a * pixels..b * pixels]);
        (b - a, ya, xa, wa)
    };
    let mut total = ClassConfusion::<C>::default();
    for chunk in chunks {
        let (m, ya, xa, wa) = part(chunk);
        total += match wa {
            None => loss.confusion(&layout(m), ya, input(case, xa)),
            Some(wa) => loss.confusion_weighted(&layout(m), ya, input(case, xa), wa),
        }
        .unwrap();
    }
    let streamed = loss.checked_evaluate(&total).unwrap();
    assert!(
        (streamed.loss - out.loss).abs() < 1e-5,
        "{id}: streamed loss"
    );
    let mut streamed_grad = Vec::new();
    for chunk in chunks {
        let (m, ya, xa, wa) = part(chunk);
        let mut g = vec![0.0f32; xa.len()];
        match wa {
            None => loss.gradient(&streamed, &layout(m), ya, input(case, xa), &mut g),
            Some(wa) => {
                loss.gradient_weighted(&streamed, &layout(m), ya, input(case, xa), wa, &mut g)
            }
        }
        .unwrap();
        streamed_grad.extend(g);
    }
    check_softmax_grad(id, &streamed_grad, &case["grad"]);
    (loss_err, grad_err, by_scale)
}

fn multiclass_with<const C: usize>(case: &Value) -> (f64, f64, usize) {
    let metric: Builtin = case["metric"].as_str().unwrap().parse().unwrap();
    let average = match case["average"].as_str().unwrap() {
        "none" => None,
        name => Some(Average::from_name(name).unwrap()),
    };
    let loss = MulticlassLoss::averaged(metric, average);
    let per_class = |c: &ClassConfusion<C>| loss.objective().per_class(c);
    if case["class_weights"].is_null() {
        multiclass_case::<C, _>(case, &loss, per_class)
    } else {
        let v: [f32; C] = f32s(&case["class_weights"]).try_into().unwrap();
        let weighted = loss.with_class_weights(v).unwrap();
        multiclass_case::<C, _>(case, &weighted, per_class)
    }
}

#[test]
fn multiclass_weights_and_averages_match_autograd() {
    let g: Value = serde_json::from_str(GOLDEN).unwrap();
    let (mut worst_loss, mut worst_grad, mut by_scale, mut elements) = (0.0f64, 0.0f64, 0, 0);
    let cases = g["multiclass"].as_array().unwrap();
    assert!(cases.len() >= 60);
    let mut kinds = std::collections::BTreeSet::new();
    for case in cases {
        elements += case["grad"].as_array().unwrap().len();
        let (loss_err, grad_err, scaled) = match case["shape"][1].as_u64().unwrap() {
            3 => multiclass_with::<3>(case),
            4 => multiclass_with::<4>(case),
            other => panic!("no case has {other} classes"),
        };
        worst_loss = worst_loss.max(loss_err);
        worst_grad = worst_grad.max(grad_err);
        by_scale += scaled;
        kinds.insert((
            case["average"].as_str().unwrap().to_string(),
            case["input"].as_str().unwrap().to_string(),
            case["shape"].as_array().unwrap().len(),
            case["w"].is_null(),
            case["class_weights"].is_null(),
        ));
    }
    // macro/micro/weighted/none x probs/logits x [N,C]/[N,C,H,W], with and without weights.
    assert!(kinds.len() >= 30, "{kinds:?}");
    println!(
        "multiclass: max |loss err| = {worst_loss:e}, max grad rel err = {worst_grad:e} \
         ({by_scale} of {elements} elements within 1e-7 of the largest instead)"
    );
}
