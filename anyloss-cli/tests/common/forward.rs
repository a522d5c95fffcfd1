//! An independent f64 forward pass of a saved JSON model, computed from the JSON alone.

use serde_json::Value;

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// The probability of one raw row under a saved JSON model, in f64, from the JSON alone.
pub fn forward(m: &Value, row: &[f64]) -> f64 {
    let (mean, std) = (m["mean"].as_array().unwrap(), m["std"].as_array().unwrap());
    let mut a: Vec<f64> = row
        .iter()
        .enumerate()
        .map(|(j, x)| (x - mean[j].as_f64().unwrap()) / std[j].as_f64().unwrap())
        .collect();
    let dot = |w: &Value, a: &[f64]| -> f64 {
        w.as_array()
            .unwrap()
            .iter()
            .zip(a)
            .map(|(w, x)| w.as_f64().unwrap() * x)
            .sum()
    };
    if m["format"] == "anyloss-logistic-v1" {
        return sigmoid(dot(&m["weights"], &a) + m["bias"].as_f64().unwrap());
    }
    for layer in m["layers"].as_array().unwrap() {
        let bias = layer["bias"].as_array().unwrap();
        a = layer["weights"]
            .as_array()
            .unwrap()
            .iter()
            .zip(bias)
            .map(|(w, b)| {
                let z = dot(w, &a) + b.as_f64().unwrap();
                match layer["activation"].as_str().unwrap() {
                    "relu" => z.max(0.0),
                    _ => sigmoid(z),
                }
            })
            .collect();
    }
    a[0]
}
