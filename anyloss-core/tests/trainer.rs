//! The one training loop with every head: reproducible fits, warm starts, streamed batches,
//! what an MLP learns that a linear head cannot, He initialisation, and the memory plan
//! against the buffers the trainer accepts. Rejected steps and bad inputs: `trainer_errors.rs`.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use anyloss_core::metrics::F1;
use anyloss_core::multiclass::{Average, MulticlassLoss};
use anyloss_core::train::*;
use anyloss_core::Amplifier;
use support::{bits, config, f1_loss, mlp_shape, uniform, Buffers};

/// A small deterministic, non-separable binary dataset: 2 features, label 1 in ~30%.
fn blobs(n: usize, seed: u64) -> (Vec<f32>, Vec<u8>) {
    let mut rng = SplitMix64::new(seed);
    let mut x = Vec::new();
    let mut y = Vec::new();
    for i in 0..n {
        let label = u8::from(i % 10 < 3);
        let shift = if label == 1 { 1.0 } else { -0.5 };
        x.push(3.0 * shift + uniform(&mut rng, 0.0, 4.0) + 10.0);
        x.push(-2.0 * shift + uniform(&mut rng, 0.0, 3.0) - 5.0);
        y.push(label);
    }
    (x, y)
}

/// Three blobs of 50 points each around (0, 0), (3, 0) and (0, 3).
fn three_blobs(seed: u64) -> (Vec<f32>, Vec<u8>) {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    let mut rng = SplitMix64::new(seed);
    for i in 0..150 {
        let c = (i % 3) as u8;
        let centre = [(0.0, 0.0), (3.0, 0.0), (0.0, 3.0)][c as usize];
        x.push(centre.0 + uniform(&mut rng, 0.0, 1.0));
        x.push(centre.1 + uniform(&mut rng, 0.0, 1.0));
        y.push(c);
    }
    (x, y)
}

/// Fits a binary head of `shape` (He-initialised from seed 5 when it has hidden layers)
/// on all rows; returns its parameters, its counts on all rows and the epoch reports.
fn fit_binary_head(
    x: &[f32],
    y: &[u8],
    shape: HeadShape,
    objective: BinaryObjective<F1>,
    config: FitConfig,
    chunk: usize,
) -> (Vec<f32>, Counts, Vec<EpochReport>) {
    let data = Dataset::new(x, y, shape.features).unwrap();
    let mut train: Vec<u32> = (0..y.len() as u32).collect();
    let mut scaler = Standardizer::new(vec![0.0; 2], vec![0.0; 2]).unwrap();
    scaler.fit(&data, &train).unwrap();
    let mut buffers = Buffers::new(shape, chunk);
    let optimizer = Adam::new(0.05, vec![0.0; shape.params()], vec![0.0; shape.params()]).unwrap();
    let mut reports = Vec::new();
    let all: Vec<u32> = (0..y.len() as u32).collect();
    let params = vec![0.0; shape.params()];
    macro_rules! run {
        ($head:expr) => {{
            let mut t = Trainer::new(
                $head,
                optimizer,
                objective,
                config,
                scaler.scaling(),
                buffers.scratch(),
            )
            .unwrap();
            t.fit(&data, &mut train, |r, _| reports.push(*r)).unwrap();
            let counts = t.counts(&data, &all, 0.5).unwrap();
            (t.head().params().to_vec(), counts)
        }};
    }
    let (p, counts) = if shape.hidden[0] == 0 {
        run!(Logistic::new(params).unwrap())
    } else {
        let mut head = Mlp::new(params, shape).unwrap();
        head.init(&mut SplitMix64::new(5));
        run!(head)
    };
    (p, counts, reports)
}

#[test]
fn fits_are_reproducible_learn_and_follow_the_warm_start() {
    let (x, y) = blobs(300, 5);
    let mlp = mlp_shape(2, [6, 0], 1);
    for shape in [HeadShape::linear(2, 1), mlp] {
        let objective = f1_loss(10.0, 0.5);
        let cfg = config(30, 32, 11, 5);
        let (a, counts, reports) = fit_binary_head(&x, &y, shape, objective, cfg, 16);
        let (b, _, _) = fit_binary_head(&x, &y, shape, objective, cfg, 16);
        assert_eq!(bits(&a), bits(&b), "same seed, same bits");
        let (c, _, _) =
            fit_binary_head(&x, &y, shape, objective, FitConfig { seed: 12, ..cfg }, 16);
        assert_ne!(bits(&a), bits(&c));
        assert_eq!(reports.len(), 30);
        assert!(reports[..5].iter().all(|r| r.warm_start && r.loss == r.bce));
        assert!(reports[5..].iter().all(|r| !r.warm_start));
        assert!(reports[29].loss < reports[5].loss);
        let f1 = counts.scores().f1;
        assert!(f1 > 0.8, "{shape:?}: F1 {f1} on nearly separable blobs");

        // Full-dataset epochs streamed through a 7-sample chunk agree with a one-chunk batch.
        let full = config(20, 0, 1, 0);
        let (s, _, _) = fit_binary_head(&x, &y, shape, objective, full, 7);
        let (o, _, _) = fit_binary_head(&x, &y, shape, objective, full, 512);
        for (u, v) in s.iter().zip(&o) {
            assert!((u - v).abs() < 1e-3, "{shape:?}: {s:?} vs {o:?}");
        }
    }
}

#[test]
fn an_mlp_learns_what_a_linear_head_cannot() {
    // Label 1 inside a ring band: no line separates it.
    let mut rng = SplitMix64::new(21);
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for _ in 0..400 {
        let (a, b) = (uniform(&mut rng, -2.0, 2.0), uniform(&mut rng, -2.0, 2.0));
        x.extend([a, b]);
        y.push(u8::from(a * a + b * b < 1.0));
    }
    let objective = f1_loss(10.0, 0.5);
    let cfg = config(150, 32, 3, 20);
    let (_, linear, _) = fit_binary_head(&x, &y, HeadShape::linear(2, 1), objective, cfg, 64);
    let one = mlp_shape(2, [16, 0], 1);
    let two = mlp_shape(2, [8, 8], 1);
    let (_, mlp1, _) = fit_binary_head(&x, &y, one, objective, cfg, 64);
    let (_, mlp2, _) = fit_binary_head(&x, &y, two, objective, cfg, 64);
    let (l, m1, m2) = (linear.scores().f1, mlp1.scores().f1, mlp2.scores().f1);
    assert!(
        m1 > 0.9 && m2 > 0.9 && l < 0.7,
        "linear {l}, mlp:16 {m1}, mlp:8,8 {m2}"
    );
}

/// Trains a 3-class head of `shape` on three blobs; returns correct predictions of 150.
fn fit_three_blobs<O: BatchObjective + Copy>(
    shape: HeadShape,
    objective: O,
    sgd_lr: f32,
) -> (u32, Vec<f32>) {
    let (x, y) = three_blobs(2);
    let data = Dataset::new(&x, &y, 2).unwrap();
    let mut train: Vec<u32> = (0..150).collect();
    let mut scaler = Standardizer::new(vec![0.0; 2], vec![0.0; 2]).unwrap();
    scaler.fit(&data, &train).unwrap();
    let mut buffers = Buffers::new(shape, 32);
    let sgd = Sgd::new(sgd_lr, 0.5, vec![0.0; shape.params()]).unwrap();
    let params = vec![0.0; shape.params()];
    let mut losses = Vec::new();
    let mut matrix = [0u32; 9];
    let all: Vec<u32> = (0..150).collect();
    let cfg = config(40, 32, 3, 0);
    let mut head: Box<dyn Head> = if shape.hidden[0] == 0 {
        Box::new(Softmax::new(params, 3).unwrap())
    } else {
        let mut mlp = Mlp::new(params, shape).unwrap();
        mlp.init(&mut SplitMix64::new(9));
        Box::new(mlp)
    };
    let mut t = Trainer::new(
        &mut *head,
        sgd,
        objective,
        cfg,
        scaler.scaling(),
        buffers.scratch(),
    )
    .unwrap();
    t.fit(&data, &mut train, |r, _| losses.push(r.loss))
        .unwrap();
    let correct = t.evaluate(&data, &all, &mut matrix).unwrap();
    assert_eq!(matrix.iter().sum::<u32>(), 150);
    assert!(losses[39] < losses[0], "{shape:?}: {losses:?}");
    (correct, losses)
}

#[test]
fn class_heads_learn_three_blobs_with_cross_entropy_and_a_macro_f1_loss() {
    let mlp = mlp_shape(2, [8, 0], 3);
    for shape in [HeadShape::linear(2, 3), mlp] {
        let (correct, _) = fit_three_blobs(shape, CrossEntropy::new(3).unwrap(), 0.2);
        assert!(correct >= 145, "{shape:?} CE: {correct}/150");
        let loss = MulticlassLoss::averaged(F1, Average::Macro)
            .with_amplifier(Amplifier::new(10.0).unwrap());
        let (correct, _) = fit_three_blobs(shape, ClassMetric::<3, _>::new(loss).unwrap(), 0.5);
        assert!(correct >= 145, "{shape:?} macro-F1: {correct}/150");
    }
}

#[test]
fn he_initialisation_is_seeded_scaled_and_leaves_biases_at_zero() {
    let shape = mlp_shape(50, [40, 30], 2);
    let mut a = Mlp::new(vec![0.0; shape.params()], shape).unwrap();
    let mut b = a.clone();
    a.init(&mut SplitMix64::new(4));
    b.init(&mut SplitMix64::new(4));
    assert_eq!(bits(a.params()), bits(b.params()));
    b.init(&mut SplitMix64::new(5));
    assert_ne!(bits(a.params()), bits(b.params()));
    // Layer by layer: bias 0, weights within ±√(6/n), variance near 2/n.
    let mut offset = 0;
    for (inputs, units) in [(50usize, 40usize), (40, 30), (30, 2)] {
        let layer = &a.params()[offset..offset + units * (inputs + 1)];
        offset += layer.len();
        let bound = (6.0 / inputs as f64).sqrt();
        let mut sum_sq = 0.0;
        for unit in layer.chunks(inputs + 1) {
            assert_eq!(unit[inputs], 0.0);
            for &w in &unit[..inputs] {
                assert!((w as f64).abs() <= bound);
                sum_sq += (w as f64).powi(2);
            }
        }
        let var = sum_sq / (units * inputs) as f64;
        let expected = 2.0 / inputs as f64;
        // The sample variance of m uniform draws has relative sd √(0.8/m) ≤ 0.11 here.
        assert!(
            (var / expected - 1.0).abs() < 0.45,
            "{inputs}→{units}: {var} vs {expected}"
        );
    }
    assert_eq!(offset, shape.params());
}

/// Whether a trainer accepts `head` with buffers of exactly the lengths `plan` gives.
fn accepts_plan<H: Head, O: BatchObjective>(
    head: H,
    objective: O,
    plan: MemoryPlan,
    slots: usize,
) -> bool {
    let shape = head.shape();
    let per_sample = 8 * shape.outputs + 1;
    let k = (plan.scratch - 4 * shape.features) / per_sample;
    let (mut x, mut w, mut z, mut dz, mut y, mut g) = (
        vec![0.0f32; shape.features],
        vec![0.0f32; plan.activations / 4],
        vec![0.0f32; k * shape.outputs],
        vec![0.0f32; k * shape.outputs],
        vec![0u8; k],
        vec![0.0f32; plan.gradient / 4],
    );
    let f = plan.standardizer / 8;
    let scaler = Standardizer::from_parts(vec![0.0; f], vec![1.0; f]).unwrap();
    let moment = plan.optimizer / 4 / slots;
    let bytes = 4
        * (head.params().len() + g.len() + moment * slots + w.len() + x.len() + 2 * z.len())
        + y.len()
        + 8 * f;
    assert_eq!(bytes, plan.total(), "{shape:?}");
    let scratch = Scratch {
        input: &mut x,
        work: &mut w,
        logits: &mut z,
        dz: &mut dz,
        labels: &mut y,
        grad: &mut g,
    };
    let fits = scratch.check(shape).is_ok();
    let adam = Adam::new(0.1, vec![0.0f32; moment], vec![0.0f32; moment]).unwrap();
    fits && Trainer::new(
        head,
        adam,
        objective,
        config(1, 0, 0, 0),
        scaler.scaling(),
        scratch,
    )
    .is_ok()
}

#[test]
fn memory_plan_matches_the_buffers_the_trainer_accepts() {
    let linear = HeadShape::linear(7, 1);
    let plan = MemoryPlan::of(linear, 2, 64);
    assert!(accepts_plan(
        Logistic::new(vec![0.0; plan.parameters / 4]).unwrap(),
        f1_loss(10.0, 1.0),
        plan,
        2
    ));
    let mlp = mlp_shape(7, [16, 0], 1);
    let plan = MemoryPlan::of(mlp, 2, 64);
    assert!(accepts_plan(
        Mlp::new(vec![0.0; plan.parameters / 4], mlp).unwrap(),
        f1_loss(10.0, 1.0),
        plan,
        2
    ));
    let deep = mlp_shape(5, [8, 4], 3);
    let plan = MemoryPlan::of(deep, 2, 10);
    assert!(accepts_plan(
        Mlp::new(vec![0.0; plan.parameters / 4], deep).unwrap(),
        CrossEntropy::new(3).unwrap(),
        plan,
        2
    ));
    // One value short anywhere is rejected.
    let mut b = Buffers::new(
        HeadShape {
            hidden: [15, 0],
            ..mlp
        },
        64,
    );
    let sgd = Sgd::new(0.1, 0.0, vec![0.0; mlp.params()]).unwrap();
    let scaler = Standardizer::from_parts(vec![0.0; 7], vec![1.0; 7]).unwrap();
    let head = Mlp::new(vec![0.0; mlp.params()], mlp).unwrap();
    assert!(Trainer::new(
        head,
        sgd,
        f1_loss(10.0, 1.0),
        config(1, 0, 0, 0),
        scaler.scaling(),
        b.scratch()
    )
    .is_err());
    // The module docs' table: ecoli3 (7 features), SGD, K = 64.
    let plan = MemoryPlan::of(mlp, 1, 64);
    assert_eq!(
        (
            plan.parameters,
            plan.gradient,
            plan.optimizer,
            plan.activations,
            plan.scratch,
            plan.standardizer
        ),
        (580, 580, 580, 128, 604, 56)
    );
    let plan = MemoryPlan::of(linear, 1, 64);
    assert_eq!(
        (plan.parameters, plan.activations, plan.scratch),
        (32, 0, 604)
    );
}
