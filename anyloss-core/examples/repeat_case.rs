//! Runs one benchmark case a given number of times, for instruction counts that do not
//! depend on machine load (BENCHMARKS.md):
//!
//! ```text
//! cargo build --release -p anyloss-core --example repeat_case
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/repeat_case binary_f1_1e6 2
//! ```
//!
//! The difference between the counts for 2 calls and for 1 call, divided by the case's
//! samples (elements), is the instructions per sample of loss plus gradient.

use std::hint::black_box;
use std::process::ExitCode;

use anyloss_core::metrics::F1;
use anyloss_core::multiclass::{softmax, Layout, MulticlassLoss};
use anyloss_core::train::SplitMix64;
use anyloss_core::{BinaryLoss, Input};

const CASES: &str = "binary_f1_1e6, binary_f1_64, binary_f1_logits_1e6, \
                     seed_multiclass_1x10x512x512, seed_multiclass_weighted_1x10x512x512";

fn unit(rng: &mut SplitMix64) -> f32 {
    (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32
}

/// Binary F1 on `n` probabilities, or on logits spread over [-8, 8] (as `anyloss bench`).
fn binary(n: usize, logits: bool, calls: usize) -> Result<(), anyloss_core::Error> {
    let mut rng = SplitMix64::new(5);
    let labels: Vec<u8> = (0..n).map(|_| u8::from(unit(&mut rng) < 0.3)).collect();
    let values: Vec<f32> = (0..n)
        .map(|_| unit(&mut rng))
        .map(|u| if logits { 16.0 * u - 8.0 } else { u })
        .collect();
    let mut grad = vec![0.0f32; n];
    let loss = BinaryLoss::new(F1);
    // Small cases repeat so that the per-call count stands out from start-up.
    let repeat = (1_000_000 / n).max(1);
    for _ in 0..calls * repeat {
        let input = if logits {
            Input::Logits(&values)
        } else {
            Input::Probs(&values)
        };
        black_box(loss.loss_and_grad(black_box(&labels), input, &mut grad)?);
    }
    Ok(())
}

/// The segmentation map, with a sample weight per pixel in `[0, 2)` when `weighted`.
fn seed_multiclass(calls: usize, weighted: bool) -> Result<(), anyloss_core::Error> {
    const C: usize = 10;
    const PIXELS: usize = 512 * 512;
    let mut rng = SplitMix64::new(10);
    let mut probs = vec![0.0f32; C * PIXELS];
    let mut labels = vec![0u16; PIXELS];
    for (h, label) in labels.iter_mut().enumerate() {
        let z: [f32; C] = core::array::from_fn(|_| 4.0 * unit(&mut rng) - 2.0);
        for (c, p) in softmax(&z).into_iter().enumerate() {
            probs[c * PIXELS + h] = p;
        }
        *label = rng.below(C as u32) as u16;
    }
    let weights: Vec<f32> = (0..PIXELS).map(|_| 2.0 * unit(&mut rng)).collect();
    let layout = Layout::<C>::class_planes(1, PIXELS)?;
    let loss = MulticlassLoss::error_rate();
    let mut grad = vec![0.0f32; probs.len()];
    for _ in 0..calls {
        let (labels, input) = (black_box(&labels), Input::Probs(&probs));
        black_box(if weighted {
            loss.loss_and_grad_weighted(&layout, labels, input, black_box(&weights), &mut grad)?
        } else {
            loss.loss_and_grad(&layout, labels, input, &mut grad)?
        });
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let calls = args.get(2).and_then(|s| s.parse::<usize>().ok());
    let (Some(case), Some(calls)) = (args.get(1), calls) else {
        eprintln!("usage: repeat_case CASE CALLS   (CASE: {CASES})");
        return ExitCode::from(2);
    };
    let result = match case.as_str() {
        "binary_f1_1e6" => binary(1_000_000, false, calls),
        "binary_f1_64" => binary(64, false, calls),
        "binary_f1_logits_1e6" => binary(1_000_000, true, calls),
        "seed_multiclass_1x10x512x512" => seed_multiclass(calls, false),
        "seed_multiclass_weighted_1x10x512x512" => seed_multiclass(calls, true),
        other => {
            eprintln!("unknown case {other} (cases: {CASES})");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("repeat_case: {e}");
            ExitCode::FAILURE
        }
    }
}
