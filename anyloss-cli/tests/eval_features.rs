//! `eval` with sample weights (zero weights included), decision thresholds 0.3 and 0.7,
//! logits, and `--multilabel` macro / micro / weighted / per-class output against the
//! float64 PyTorch-autograd vectors `tests/golden/features.json`, at the binary golden
//! tolerances: loss within 1e-5, gradient within 1e-3 relative wherever the reference is
//! above 1e-30 in magnitude (within 1e-6 absolute elsewhere, which covers the exact zeros
//! of zero-weight samples).

mod common;

use common::{csv, f64s, golden, json_of};

/// Largest relative gradient error, asserting both tolerances on every element.
fn check_grad(id: &str, got: &[f64], want: &[f64]) -> f64 {
    assert_eq!(got.len(), want.len(), "{id}");
    let mut worst = 0.0f64;
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        if w.abs() > 1e-30 {
            let rel = (g - w).abs() / w.abs();
            worst = worst.max(rel);
            assert!(rel < 1e-3, "{id}: grad[{i}] {g} vs {w}");
        } else {
            assert!(g.abs() < 1e-6, "{id}: grad[{i}] {g} vs {w}");
        }
    }
    worst
}

/// The CSV lines of rows: each row's cells, `{:e}` (exact for the f32 inputs).
fn lines(header: String, rows: impl Iterator<Item = Vec<f64>>) -> String {
    std::iter::once(header)
        .chain(rows.map(|r| {
            r.iter()
                .map(|v| format!("{v:e}"))
                .collect::<Vec<_>>()
                .join(",")
        }))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn binary_weights_thresholds_and_logits_match_autograd_through_the_cli() {
    let g = golden("features.json");
    let (mut worst_loss, mut worst_grad) = (0.0f64, 0.0f64);
    let (mut zero_weights, mut kinds) = (0, Vec::new());
    for case in g["binary"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let logits = case["input"] == "logits";
        let weighted = !case["w"].is_null();
        let (y, x) = (f64s(&case["y"]), f64s(&case["x"]));
        let w = if weighted {
            f64s(&case["w"])
        } else {
            Vec::new()
        };
        zero_weights += w.iter().filter(|&&v| v == 0.0).count();
        let header = format!(
            "label,{}{}",
            if logits { "logit" } else { "prob" },
            if weighted { ",weight" } else { "" }
        );
        let rows = (0..y.len()).map(|i| {
            let mut r = vec![y[i], x[i]];
            r.extend(w.get(i));
            r
        });
        let path = csv(&format!("features-{id}.csv"), &lines(header, rows));
        let threshold = case["threshold"].as_f64().unwrap().to_string();
        kinds.push((case["threshold"].as_f64().unwrap() as f32, logits, weighted));
        let mut args = vec![
            "eval",
            "--metric",
            case["metric"].as_str().unwrap(),
            "--threshold",
            &threshold,
            "--input",
            path.to_str().unwrap(),
        ];
        if logits {
            args.push("--logits");
        }
        let out = json_of(&args);
        let err = (out["loss"].as_f64().unwrap() - case["loss"].as_f64().unwrap()).abs();
        worst_loss = worst_loss.max(err);
        assert!(err < 1e-5, "{id}: loss {} vs {}", out["loss"], case["loss"]);
        for key in ["tp", "fn", "fp", "tn"] {
            let (got, want) = (out[key].as_f64().unwrap(), case[key].as_f64().unwrap());
            assert!(
                (got - want).abs() <= 1e-5 * want.abs().max(1.0),
                "{id}: {key} {got} vs {want}"
            );
        }
        let grad = f64s(&out["grad"]);
        for (i, &wi) in w.iter().enumerate() {
            if wi == 0.0 {
                assert_eq!(grad[i], 0.0, "{id}: a zero-weight row has no gradient");
            }
        }
        worst_grad = worst_grad.max(check_grad(id, &grad, &f64s(&case["grad"])));
    }
    assert!(zero_weights > 10, "the vectors must exercise zero weights");
    for t in [0.3f32, 0.7] {
        for logits in [false, true] {
            for weighted in [false, true] {
                assert!(kinds.contains(&(t, logits, weighted)), "{kinds:?}");
            }
        }
    }
    println!("binary: max |loss err| = {worst_loss:e}, max grad rel err = {worst_grad:e}");
}

#[test]
fn multilabel_averages_match_autograd_through_the_cli() {
    let g = golden("features.json");
    let (mut worst_loss, mut worst_grad) = (0.0f64, 0.0f64);
    let mut averages = std::collections::BTreeSet::new();
    for case in g["multilabel"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let classes = case["classes"].as_u64().unwrap() as usize;
        let logits = case["input"] == "logits";
        let (y, x) = (f64s(&case["y"]), f64s(&case["x"]));
        let w = if case["w"].is_null() {
            Vec::new()
        } else {
            f64s(&case["w"])
        };
        let prefix = if logits { "z" } else { "p" };
        let header: Vec<String> = (0..classes)
            .map(|c| format!("y{c}"))
            .chain((0..classes).map(|c| format!("{prefix}{c}")))
            .chain((!w.is_empty()).then(|| "weight".to_string()))
            .collect();
        let rows = (0..y.len() / classes).map(|i| {
            let mut r = y[i * classes..(i + 1) * classes].to_vec();
            r.extend_from_slice(&x[i * classes..(i + 1) * classes]);
            r.extend(w.get(i));
            r
        });
        let path = csv(
            &format!("features-{id}.csv"),
            &lines(header.join(","), rows),
        );
        let average = case["average"].as_str().unwrap();
        averages.insert((average.to_string(), logits));
        let threshold = case["threshold"].as_f64().unwrap().to_string();
        let classes_arg = classes.to_string();
        let class_weights = (!case["class_weights"].is_null()).then(|| {
            f64s(&case["class_weights"])
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(",")
        });
        let mut args = vec![
            "eval",
            "--metric",
            case["metric"].as_str().unwrap(),
            "--multilabel",
            &classes_arg,
            "--average",
            average,
            "--threshold",
            &threshold,
            "--input",
            path.to_str().unwrap(),
        ];
        if logits {
            args.push("--logits");
        }
        if let Some(cw) = &class_weights {
            args.extend(["--class-weights", cw]);
        }
        let out = json_of(&args);
        let mut close = |got: f64, want: f64, what: &str| {
            let err = (got - want).abs();
            worst_loss = worst_loss.max(err);
            assert!(err < 1e-5, "{id}: {what} {got} vs {want}");
        };
        if average == "none" {
            let got = f64s(&out["loss"]);
            let want = f64s(&case["per_class"]);
            assert_eq!(got.len(), classes, "{id}");
            for (c, (&g, &w)) in got.iter().zip(&want).enumerate() {
                close(g, w, &format!("loss[{c}]"));
            }
        } else {
            close(
                out["loss"].as_f64().unwrap(),
                case["loss"].as_f64().unwrap(),
                "loss",
            );
        }
        assert_eq!(out["per_class"].as_array().unwrap().len(), classes);
        let grad: Vec<f64> = out["grad"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|row| {
                assert_eq!(row.as_array().unwrap().len(), classes, "{id}");
                f64s(row)
            })
            .collect();
        worst_grad = worst_grad.max(check_grad(id, &grad, &f64s(&case["grad"])));
    }
    assert_eq!(
        averages.len(),
        8,
        "macro/micro/weighted/none x probs/logits"
    );
    println!("multilabel: max |loss err| = {worst_loss:e}, max grad rel err = {worst_grad:e}");
}
