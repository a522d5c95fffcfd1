//! Binary loss plus gradient, one thread: `cargo bench -p anyloss-core --bench binary`.
//!
//! The cases are the ones of `anyloss bench`: F1 on probabilities at N = 10^6 and N = 64,
//! plus MCC and logits at N = 10^6, and a sweep over N for the log-log plot; with
//! `--features parallel`, F1 at N = 10^7 on one thread and on every core.

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use anyloss_core::metrics::{Mcc, F1};
use anyloss_core::{BinaryLoss, Input, Metric};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// Deterministic inputs: labels with ~30% positives, probabilities spread over [0, 1] and
/// logits over [-8, 8] (a SplitMix64 stream, so runs and machines see the same data).
fn data(n: usize) -> (Vec<u8>, Vec<f32>, Vec<f32>) {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 24) as f32
    };
    let mut labels = Vec::with_capacity(n);
    let mut probs = Vec::with_capacity(n);
    let mut logits = Vec::with_capacity(n);
    for _ in 0..n {
        labels.push(u8::from(next() < 0.3));
        probs.push(next());
        logits.push(16.0 * next() - 8.0);
    }
    (labels, probs, logits)
}

fn case<M: Metric>(c: &mut Criterion, name: &str, metric: M, n: usize, logits: bool) {
    let (labels, probs, zs) = data(n);
    let loss = BinaryLoss::new(metric);
    let mut grad = vec![0.0f32; n];
    let mut g = c.benchmark_group("binary");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(name, |b| {
        b.iter(|| {
            let input = if logits {
                Input::Logits(black_box(&zs))
            } else {
                Input::Probs(black_box(&probs))
            };
            loss.loss_and_grad(black_box(&labels), input, &mut grad)
        })
    });
    g.finish();
}

fn standard(c: &mut Criterion) {
    case(c, "binary_f1_1e6", F1, 1_000_000, false);
    case(c, "binary_f1_64", F1, 64, false);
    case(c, "binary_mcc_1e6", Mcc, 1_000_000, false);
    case(c, "binary_f1_logits_1e6", F1, 1_000_000, true);
}

fn sweep(c: &mut Criterion) {
    let mut g = c.benchmark_group("binary_f1_sweep");
    for exp in [1u32, 2, 3, 4, 5, 6, 7] {
        let n = 10usize.pow(exp);
        let (labels, probs, _) = data(n);
        let loss = BinaryLoss::new(F1);
        let mut grad = vec![0.0f32; n];
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                loss.loss_and_grad(
                    black_box(&labels),
                    Input::Probs(black_box(&probs)),
                    &mut grad,
                )
            })
        });
    }
    g.finish();
}

/// F1 at N = 10^7 on a pool of one thread and on one of every core.
#[cfg(feature = "parallel")]
fn threads(c: &mut Criterion) {
    let n = 10_000_000;
    let (labels, probs, _) = data(n);
    let loss = BinaryLoss::new(F1);
    let mut grad = vec![0.0f32; n];
    let mut g = c.benchmark_group("binary_f1_1e7");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(20);
    for threads in [1, 0] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        let name = format!("threads_{}", pool.current_num_threads());
        g.bench_function(name, |b| {
            b.iter(|| {
                pool.install(|| {
                    loss.loss_and_grad(
                        black_box(&labels),
                        Input::Probs(black_box(&probs)),
                        &mut grad,
                    )
                })
            })
        });
    }
    g.finish();
}

#[cfg(feature = "parallel")]
criterion_group!(benches, standard, sweep, threads);
#[cfg(not(feature = "parallel"))]
criterion_group!(benches, standard, sweep);
criterion_main!(benches);
