//! Every head's loss and parameter gradient against float64 PyTorch autograd
//! (`tests/golden/heads.json`, made by `tests/golden/heads.py`).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // a failed unwrap is a failed test

mod support;

use anyloss_core::metrics::F1;
use anyloss_core::multiclass::{Average, MulticlassLoss};
use anyloss_core::train::*;
use anyloss_core::{Amplifier, BinaryLoss};
use serde_json::Value;
use support::batch_gradient;

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

/// A 5-sample chunk: the golden batch of 12 streams through three chunks.
fn golden_gradient<O: BatchObjective>(
    shape: HeadShape,
    params: Vec<f32>,
    objective: O,
    data: &Dataset<'_>,
) -> (f32, Vec<f32>) {
    let rows: Vec<u32> = (0..data.len() as u32).collect();
    batch_gradient(shape, &params, objective, data, &rows, 5)
}

#[test]
fn every_head_matches_pytorch_autograd() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/golden/heads.json");
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let x: Vec<f32> = golden["x"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(floats)
        .collect();
    let labels = |key: &str| -> Vec<u8> {
        golden[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u8)
            .collect()
    };
    let (y2, y3) = (labels("y_binary"), labels("y_classes"));
    let cases = golden["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 7);
    for case in cases {
        let s = &case["shape"];
        let hidden = floats(&s["hidden"]);
        let shape = HeadShape {
            features: s["features"].as_u64().unwrap() as usize,
            hidden: [hidden[0] as usize, hidden[1] as usize],
            outputs: s["outputs"].as_u64().unwrap() as usize,
        };
        let params = floats(&case["params"]);
        let f = shape.features;
        let (loss, grad) = match case["objective"].as_str().unwrap() {
            "hybrid_f1" => {
                let l = Amplifier::new(case["L"].as_f64().unwrap() as f32).unwrap();
                let r = case["r"].as_f64().unwrap() as f32;
                let objective = BinaryObjective::hybrid(BinaryLoss::new(F1).with_amplifier(l), r);
                let data = Dataset::new(&x, &y2, f).unwrap();
                golden_gradient(shape, params, objective.unwrap(), &data)
            }
            "cross_entropy" => {
                let data = Dataset::new(&x, &y3, f).unwrap();
                golden_gradient(shape, params, CrossEntropy::new(3).unwrap(), &data)
            }
            "macro_f1" => {
                let l = Amplifier::new(case["L"].as_f64().unwrap() as f32).unwrap();
                let loss = MulticlassLoss::averaged(F1, Average::Macro).with_amplifier(l);
                let data = Dataset::new(&x, &y3, f).unwrap();
                golden_gradient(
                    shape,
                    params,
                    ClassMetric::<3, _>::new(loss).unwrap(),
                    &data,
                )
            }
            other => panic!("unknown objective {other}"),
        };
        let want = case["loss"].as_f64().unwrap();
        assert!(
            (loss as f64 - want).abs() < 1e-5,
            "{shape:?}: loss {loss} vs {want}"
        );
        let golden_grad = floats(&case["grad"]);
        let scale = golden_grad.iter().fold(0.0f32, |m, g| m.max(g.abs()));
        for (k, (g, w)) in grad.iter().zip(&golden_grad).enumerate() {
            assert!(
                (g - w).abs() <= 1e-4 * scale + 1e-7,
                "{shape:?} {}: parameter {k}: {g} vs {w}",
                case["objective"]
            );
        }
    }
}
