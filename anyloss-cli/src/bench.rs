//! `anyloss bench`: the standard speed cases, run in process, on one thread and on all.
//!
//! Each case is loss plus gradient (both passes) on deterministic data. A run repeats the
//! call until about 2·10^7 samples went through, and the reported figure is
//! the median over `--repeats` runs, in nanoseconds per sample (per element for the
//! multi-class map). Each case runs on a thread pool of a given size (`threads`: 1, or
//! every core for the second run of the large cases; the core's `parallel` feature splits
//! calls of 2^15 samples or more across it), and is also given as a ratio to the
//! machine's memory floor, a loop that only reads the probabilities and labels and writes
//! the gradient, timed in the same run. The buffers of one case are freed before the
//! next, which keeps the peak resident set near the largest case (the 8×10×512×512 map,
//! about 180 MB).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use anyloss_core::metrics::{Mcc, F1};
use anyloss_core::multiclass::{softmax, Layout, MulticlassLoss};
use anyloss_core::train::SplitMix64;
use anyloss_core::{BinaryLoss, Input, Metric};
use anyloss_dsl::FormulaMetric;
use clap::Args;
use plotters::prelude::*;
use serde_json::json;

use crate::error::CliError;

const EXAMPLES: &str = "\
Examples:
  # The standard cases as a table (median of 15 runs each)
  anyloss bench

  # The same as JSON {\"cases\":[{\"name\",\"n\",\"ns_per_sample\",\"threads\",\"floor_ratio\"}...]}
  anyloss bench --json

  # Also sweep binary F1 over N = 10 .. 3.2e6 and plot ns/sample against N (log-log)
  anyloss bench --plot benchmarks.svg

Build with --release: a debug build is 10-50x slower. For a stable figure, run on an idle
machine; `RUSTFLAGS=\"-C target-cpu=native\"` enables AVX2 where available.";

/// Samples (or elements) one timed run processes: enough to dwarf timer overhead, short
/// enough that 15 runs of every case take seconds.
const SAMPLES_PER_RUN: usize = 20_000_000;
/// Classes and pixels of the reference code's segmentation example (`1×10×512×512`).
const CLASSES: usize = 10;
const PIXELS: usize = 512 * 512;
/// Samples of the batched segmentation case (`8×10×512×512`).
const BATCH: usize = 8;
/// F1 as a formula, for the DSL's runtime route.
const F1_FORMULA: &str = "2*TP/(2*TP+FN+FP)";

/// Arguments of `anyloss bench`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct BenchArgs {
    /// Print JSON `{"cases":[{"name","n","ns_per_sample","threads","floor_ratio"}...]}`
    /// instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Timed runs per case; the median is reported.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub repeats: u32,
    /// Also time binary F1 over N from 10 to 3.2e6 (half-decade steps) and write
    /// ns/sample against N, log-log, to this SVG file.
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

/// One measured case.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// The case's name (a contract: `binary_f1_1e6`, `seed_multiclass_1x10x512x512`,
    /// `binary_f1_64`, ...).
    pub name: String,
    /// Samples per call (elements for the multi-class map).
    pub n: usize,
    /// Median nanoseconds per sample (per element).
    pub ns_per_sample: f64,
    /// Threads of the pool the case ran on.
    pub threads: usize,
    /// `ns_per_sample` over that of the memory floor case nearest in `n` (see
    /// [`with_floor_ratios`]); 1 for the floor cases themselves.
    pub floor_ratio: f64,
}

/// Runs `anyloss bench` and returns what it prints.
pub fn run(args: &BenchArgs) -> Result<String, CliError> {
    let repeats = args.repeats as usize;
    let cases = standard_cases(repeats)?;
    if let Some(path) = &args.plot {
        let sweep = sweep(repeats)?;
        plot(path, &sweep)?;
    }
    if args.json {
        let cases: Vec<_> = cases
            .iter()
            .map(|m| {
                json!({
                    "name": m.name,
                    "n": m.n,
                    "ns_per_sample": m.ns_per_sample,
                    "threads": m.threads,
                    "floor_ratio": m.floor_ratio,
                })
            })
            .collect();
        Ok(json!({ "cases": cases }).to_string())
    } else {
        Ok(table(&cases))
    }
}

/// The standard cases, in the order, then the extra ones: the original cases on
/// one thread, the large cases on one thread and on every core, and the memory floors.
pub fn standard_cases(repeats: usize) -> Result<Vec<Measurement>, CliError> {
    let formula = FormulaMetric::compile(F1_FORMULA, &[])
        .map_err(|d| CliError::new(format!("cannot compile {F1_FORMULA}: {d}")))?;
    let one = pool(1)?;
    let all = pool(0)?;
    let (one, both) = (&[&one][..], &[&one, &all][..]);
    let cases = [
        binary("binary_f1_1e6", F1, 1_000_000, false, one, repeats)?,
        seed_multiclass(1, one, repeats)?,
        binary("binary_f1_64", F1, 64, false, one, repeats)?,
        binary("binary_mcc_1e6", Mcc, 1_000_000, false, one, repeats)?,
        binary("binary_f1_logits_1e6", F1, 1_000_000, true, one, repeats)?,
        binary(
            "binary_f1_formula_1e6",
            formula,
            1_000_000,
            false,
            one,
            repeats,
        )?,
        binary("binary_f1_1e7", F1, 10_000_000, false, both, repeats)?,
        seed_multiclass(BATCH, both, repeats)?,
        memory_floor(1_000_000, one, repeats),
        memory_floor(10_000_000, one, repeats),
    ];
    Ok(with_floor_ratios(cases.into_iter().flatten().collect()))
}

/// A pool of `threads` threads (0: one per core, rayon's default).
fn pool(threads: usize) -> Result<rayon::ThreadPool, CliError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| CliError::new(format!("cannot start a thread pool: {e}")))
}

/// Sets each case's `floor_ratio` against the `memory_floor_*` case nearest to it in
/// `n` on a log scale: N = 64, the 10^6-sample cases and the 1×10×512×512 map (2.6·10^6
/// elements) against the 10^6 floor, the 10^7-sample cases and the 8×10×512×512 map
/// against the 10^7 floor. Without floor cases every ratio stays NaN.
pub fn with_floor_ratios(mut cases: Vec<Measurement>) -> Vec<Measurement> {
    let floors: Vec<(usize, f64)> = cases
        .iter()
        .filter(|m| m.name.starts_with("memory_floor_"))
        .map(|m| (m.n, m.ns_per_sample))
        .collect();
    for m in &mut cases {
        let distance = |n: usize| ((n as f64).ln() - (m.n as f64).ln()).abs();
        let nearest = floors
            .iter()
            .min_by(|a, b| distance(a.0).total_cmp(&distance(b.0)));
        m.floor_ratio = nearest.map_or(f64::NAN, |&(_, floor)| m.ns_per_sample / floor);
    }
    cases
}

/// Binary F1 over N in half-decade steps from 10 to about 3.2e6.
pub fn sweep(repeats: usize) -> Result<Vec<Measurement>, CliError> {
    (2..=13)
        .map(|half_decades| {
            let n = 10f64.powf(f64::from(half_decades) / 2.0).round() as usize;
            let one = pool(1)?;
            let mut m = binary(&format!("binary_f1_{n}"), F1, n, false, &[&one], repeats)?;
            m.pop().ok_or_else(|| CliError::new("no sweep measurement"))
        })
        .collect()
}

/// A uniform float in `[0, 1)` with 24 random bits.
fn unit(rng: &mut SplitMix64) -> f32 {
    (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32
}

/// For each pool, the median of `repeats` timings of `call` on it, each run calling it
/// `calls` times, in ns per call. The pools take turns run by run, so that a change of
/// the machine's load hits each alike and their ratio holds (on a shared machine, timing
/// all one-thread runs and then all multi-thread runs made the ratio a lottery). One
/// untimed run on each first: it pages in the buffers and lets the cores reach their
/// clock (without it the first case measured ~20% slow on an idle machine).
fn median_ns_per_call(
    pools: &[&rayon::ThreadPool],
    repeats: usize,
    calls: usize,
    mut call: impl FnMut() + Send,
) -> Vec<f64> {
    let mut time = |pool: &rayon::ThreadPool| {
        pool.install(|| {
            let start = Instant::now();
            for _ in 0..calls {
                call();
            }
            start.elapsed().as_secs_f64() * 1e9 / calls as f64
        })
    };
    for pool in pools {
        time(pool);
    }
    let mut runs = vec![Vec::with_capacity(repeats); pools.len()];
    for _ in 0..repeats {
        for (pool, runs) in pools.iter().zip(&mut runs) {
            runs.push(time(pool));
        }
    }
    runs.into_iter()
        .map(|mut runs| {
            runs.sort_by(f64::total_cmp);
            runs[runs.len() / 2]
        })
        .collect()
}

/// One measurement per pool, from `median_ns_per_call`'s figures for `n` samples a call.
fn per_pool(name: &str, n: usize, pools: &[&rayon::ThreadPool], ns: &[f64]) -> Vec<Measurement> {
    pools
        .iter()
        .zip(ns)
        .map(|(pool, ns)| Measurement {
            name: name.to_string(),
            n,
            ns_per_sample: ns / n as f64,
            threads: pool.current_num_threads(),
            floor_ratio: f64::NAN,
        })
        .collect()
}

fn as_input(values: &[f32], logits: bool) -> Input<'_> {
    if logits {
        Input::Logits(values)
    } else {
        Input::Probs(values)
    }
}

/// Binary loss plus gradient on `n` samples, timed on each pool.
fn binary<M: Metric + Sync>(
    name: &str,
    metric: M,
    n: usize,
    logits: bool,
    pools: &[&rayon::ThreadPool],
    repeats: usize,
) -> Result<Vec<Measurement>, CliError> {
    let mut rng = SplitMix64::new(0x5EED_0005);
    let labels: Vec<u8> = (0..n).map(|_| u8::from(unit(&mut rng) < 0.3)).collect();
    let values: Vec<f32> = (0..n)
        .map(|_| {
            let u = unit(&mut rng);
            if logits {
                16.0 * u - 8.0
            } else {
                u
            }
        })
        .collect();
    let mut grad = vec![0.0f32; n];
    let loss = BinaryLoss::new(metric);
    let input = |v| as_input(v, logits);
    // Checked once outside the timing, so that a failure is an error, not a silent skip.
    loss.loss_and_grad(&labels, input(&values), &mut grad)
        .map_err(|e| CliError::new(format!("bench case {name}: {e}")))?;
    let calls = (SAMPLES_PER_RUN / n).max(1);
    let ns = median_ns_per_call(pools, repeats, calls, || {
        let out = loss.loss_and_grad(black_box(&labels), input(black_box(&values)), &mut grad);
        black_box(out).ok();
    });
    Ok(per_pool(name, n, pools, &ns))
}

/// The memory floor at N samples: read `p` (f32) and the label (u8), write `g` (f32), with
/// one multiply between, which a loss plus gradient cannot beat on one thread.
fn memory_floor(n: usize, pools: &[&rayon::ThreadPool], repeats: usize) -> Vec<Measurement> {
    let mut rng = SplitMix64::new(0x5EED_0016);
    let labels: Vec<u8> = (0..n).map(|_| u8::from(unit(&mut rng) < 0.3)).collect();
    let probs: Vec<f32> = (0..n).map(|_| unit(&mut rng)).collect();
    let mut grad = vec![0.0f32; n];
    let calls = (SAMPLES_PER_RUN / n).max(1);
    let ns = median_ns_per_call(pools, repeats, calls, || {
        let (labels, probs) = (black_box(&labels), black_box(&probs));
        for ((g, &p), &y) in grad.iter_mut().zip(probs).zip(labels) {
            *g = p * f32::from(y);
        }
        black_box(&mut grad);
    });
    let name = if n == 1_000_000 {
        "memory_floor_1e6".to_string()
    } else if n == 10_000_000 {
        "memory_floor_1e7".to_string()
    } else {
        format!("memory_floor_{n}")
    };
    per_pool(&name, n, pools, &ns)
}

/// The reference code's example: the seed objective on `samples` 10-class 512×512
/// softmax maps, NCHW, labels as `u16`.
fn seed_multiclass(
    samples: usize,
    pools: &[&rayon::ThreadPool],
    repeats: usize,
) -> Result<Vec<Measurement>, CliError> {
    let name = format!("seed_multiclass_{samples}x{CLASSES}x512x512");
    let name = name.as_str();
    let mut rng = SplitMix64::new(0x5EED_0010);
    let mut probs = vec![0.0f32; samples * CLASSES * PIXELS];
    let mut labels = Vec::with_capacity(samples * PIXELS);
    for s in 0..samples {
        let map = &mut probs[s * CLASSES * PIXELS..(s + 1) * CLASSES * PIXELS];
        for h in 0..PIXELS {
            let z: [f32; CLASSES] = core::array::from_fn(|_| 4.0 * unit(&mut rng) - 2.0);
            for (c, p) in softmax(&z).into_iter().enumerate() {
                map[c * PIXELS + h] = p;
            }
            labels.push(rng.below(CLASSES as u32) as u16);
        }
    }
    let layout = Layout::<CLASSES>::class_planes(samples, PIXELS)
        .map_err(|e| CliError::new(format!("bench case {name}: {e}")))?;
    let loss = MulticlassLoss::error_rate();
    let mut grad = vec![0.0f32; probs.len()];
    loss.loss_and_grad(&layout, &labels, Input::Probs(&probs), &mut grad)
        .map_err(|e| CliError::new(format!("bench case {name}: {e}")))?;
    let elements = probs.len();
    let calls = (SAMPLES_PER_RUN / elements).max(1);
    let ns = median_ns_per_call(pools, repeats, calls, || {
        let out = loss.loss_and_grad(
            &layout,
            black_box(&labels),
            Input::Probs(black_box(&probs)),
            &mut grad,
        );
        black_box(out).ok();
    });
    Ok(per_pool(name, elements, pools, &ns))
}

fn table(cases: &[Measurement]) -> String {
    let mut out = format!(
        "{:<32} {:>10} {:>8} {:>12} {:>14} {:>10}\n",
        "case", "n", "threads", "ns/sample", "µs/call", "× floor"
    );
    for m in cases {
        out.push_str(&format!(
            "{:<32} {:>10} {:>8} {:>12.3} {:>14.3} {:>10.2}\n",
            m.name,
            m.n,
            m.threads,
            m.ns_per_sample,
            m.ns_per_sample * m.n as f64 / 1e3,
            m.floor_ratio
        ));
    }
    out.push_str(
        "median of --repeats runs; loss plus gradient (both passes); × floor: over the \
         memory_floor case nearest in n (read p and label, write g, one thread)",
    );
    out
}

/// Writes ns/sample against N on log-log axes.
fn plot(path: &std::path::Path, sweep: &[Measurement]) -> Result<(), CliError> {
    let fail = |e: &dyn std::fmt::Display| CliError::new(format!("{}: {e}", path.display()));
    let (n_min, n_max) = (sweep.first(), sweep.last());
    let (Some(first), Some(last)) = (n_min, n_max) else {
        return Err(CliError::new("no sweep points to plot"));
    };
    let y_min = sweep
        .iter()
        .map(|m| m.ns_per_sample)
        .fold(f64::MAX, f64::min);
    let y_max = sweep.iter().map(|m| m.ns_per_sample).fold(0.0, f64::max);
    let root = SVGBackend::new(path, (720, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption("binary F1 loss + gradient, one thread", ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(
            (first.n as f64 / 1.5..last.n as f64 * 1.5).log_scale(),
            (y_min / 1.5..y_max * 1.5).log_scale(),
        )
        .map_err(|e| fail(&e))?;
    chart
        .configure_mesh()
        .x_desc("N (samples per call)")
        .y_desc("ns per sample (median)")
        .draw()
        .map_err(|e| fail(&e))?;
    let points: Vec<(f64, f64)> = sweep
        .iter()
        .map(|m| (m.n as f64, m.ns_per_sample))
        .collect();
    chart
        .draw_series(LineSeries::new(points.iter().copied(), &BLUE))
        .map_err(|e| fail(&e))?
        .label("anyloss, F1 on probabilities")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE));
    chart
        .draw_series(points.iter().map(|&p| Circle::new(p, 3, BLUE.filled())))
        .map_err(|e| fail(&e))?;
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE)
        .draw()
        .map_err(|e| fail(&e))?;
    root.present().map_err(|e| fail(&e))?;
    Ok(())
}
