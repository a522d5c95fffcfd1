//! The online trainer: when it fine-tunes, that a fine-tune is exactly the trainer's fit on
//! the buffer, that it takes any head and objective (a head read from a model blob, a
//! user metric through the `Metric` trait, a softmax head), that a bad sample or a bad
//! step changes nothing, and that on a bundled dataset with a sensor drift it lifts the
//! test F1 of a host-trained model loaded from its blob.

mod support;

use anyloss_core::field::{BalancedReservoir, OnlineTrainer, ReplayBuffer, Ring};
use anyloss_core::metrics::F1;
use anyloss_core::model::{inspect, Model};
use anyloss_core::train::{
    binary_counts, Adam, BinaryObjective, Counts, CrossEntropy, Dataset, Head, HeadShape,
    Inference, Logistic, Sgd, Softmax, SplitMix64, Standardizer, Trainer,
};
use anyloss_core::{BinaryLoss, Confusion, Error, Evaluation, Metric, Partials};
use support::{bits, config, mlp_shape, Buffers};

const CHUNK: usize = 16;

/// A two-feature stream: label 1 (rate 1/5) around (1, 1), label 0 around (-1, -1).
fn sample(rng: &mut SplitMix64, i: u32) -> ([f32; 2], u8) {
    let y = u8::from(i.is_multiple_of(5));
    let c = if y == 1 { 1.0 } else { -1.0 };
    let noise = |rng: &mut SplitMix64| support::uniform(rng, -1.5, 1.5);
    ([c + noise(rng), c + noise(rng)], y)
}

#[test]
fn it_fine_tunes_every_period_and_on_demand() {
    let shape = HeadShape::linear(2, 1);
    let scaler = Standardizer::from_parts(vec![0.0; 2], vec![1.0; 2]).unwrap();
    let mut buffers = Buffers::new(shape, CHUNK);
    let trainer = Trainer::new(
        Logistic::new(vec![0.0; 3]).unwrap(),
        Sgd::new(0.1, 0.0, vec![0.0; 3]).unwrap(),
        BinaryObjective::<F1>::bce(),
        config(3, 0, 1, 0),
        scaler.scaling(),
        buffers.scratch(),
    )
    .unwrap();
    let mut rows = [0u32; 8];
    // The buffer lent, as a device lends its `static` one.
    let mut ring = Ring::<2, 8>::new();
    let mut online = OnlineTrainer::new(&mut ring, trainer, &mut rows, 4).unwrap();
    let mut rng = SplitMix64::new(1);
    for i in 1..=12u32 {
        let (x, y) = sample(&mut rng, i);
        let ingest = online.ingest(&x, y).unwrap();
        if i % 4 == 0 {
            let tune = ingest.fine_tune.unwrap().unwrap();
            assert_eq!(tune.samples, (i as usize).min(8));
            assert_eq!(tune.epochs, 3);
            assert!(tune.loss.is_finite());
            assert_eq!(online.pending(), 0);
        } else {
            assert!(ingest.fine_tune.is_none());
            assert_eq!(online.pending(), i % 4);
        }
    }
    let before = online.trainer().head().params().to_vec();
    online.fine_tune().unwrap();
    assert_ne!(online.trainer().head().params(), &before[..]);
    online.buffer_mut().clear();
    assert_eq!(online.fine_tune().unwrap_err(), Error::Empty);
    online.ingest(&[0.5, 0.5], 1).unwrap();
    drop(online);
    assert_eq!((ring.len(), ring.seen()), (1, 1));
}

#[test]
fn a_fine_tune_is_the_trainers_fit_on_the_buffer() {
    let shape = mlp_shape(2, [5, 0], 1);
    let scaler = Standardizer::from_parts(vec![0.1, -0.2], vec![0.9, 1.1]).unwrap();
    let mut init = vec![0.0; shape.params()];
    let mut rng = SplitMix64::new(5);
    for p in &mut init {
        *p = support::uniform(&mut rng, -0.5, 0.5);
    }
    let objective = || support::f1_loss(10.0, 0.5);
    let fit = config(4, 3, 9, 1);
    let adam = || Adam::new(0.02, vec![0.0; shape.params()], vec![0.0; shape.params()]).unwrap();
    let head = || anyloss_core::train::Mlp::new(init.clone(), shape).unwrap();

    let mut online_buffers = Buffers::new(shape, CHUNK);
    let trainer = Trainer::new(
        head(),
        adam(),
        objective(),
        fit,
        scaler.scaling(),
        online_buffers.scratch(),
    )
    .unwrap();
    let mut rows = [0u32; 40];
    let mut online =
        OnlineTrainer::new(BalancedReservoir::<2, 40, 2>::new(2), trainer, &mut rows, 0).unwrap();
    for i in 0..100 {
        let (x, y) = sample(&mut rng, i);
        assert!(online.ingest(&x, y).unwrap().fine_tune.is_none());
    }
    online.fine_tune().unwrap();

    // The same fit, by hand, on a copy of the buffer's samples.
    let data = online.buffer().dataset().unwrap();
    let (features, labels): (Vec<f32>, Vec<u8>) = {
        let mut f = Vec::new();
        let mut l = Vec::new();
        for i in 0..data.len() as u32 {
            let (row, y) = data.sample(i).unwrap();
            f.extend_from_slice(row);
            l.push(y);
        }
        (f, l)
    };
    let copy = Dataset::new(&features, &labels, 2).unwrap();
    let mut buffers = Buffers::new(shape, CHUNK);
    let mut trainer = Trainer::new(
        head(),
        adam(),
        objective(),
        fit,
        scaler.scaling(),
        buffers.scratch(),
    )
    .unwrap();
    let mut train: Vec<u32> = (0..copy.len() as u32).collect();
    trainer.fit(&copy, &mut train, |_, _| {}).unwrap();
    assert_eq!(
        bits(online.trainer().head().params()),
        bits(trainer.head().params())
    );
}

/// Hard counts of a model's head on `rows` at its threshold.
fn counts<P, S>(model: &mut Model<P, S>, data: &Dataset<'_>, rows: &[u32]) -> Counts
where
    P: AsRef<[f32]> + AsMut<[f32]>,
    S: AsRef<[f32]> + AsMut<[f32]>,
{
    let shape = model.shape();
    let threshold = model.threshold();
    let (mut x, mut work, mut z) = (
        vec![0.0; shape.features],
        vec![0.0; shape.work_len()],
        vec![0.0; shape.outputs],
    );
    let mut inference = Inference {
        input: &mut x,
        work: &mut work,
        logits: &mut z,
    };
    let (head, scaling) = model.head_and_scaling().unwrap();
    binary_counts(&head, data, scaling, rows, threshold, &mut inference).unwrap()
}

/// A user metric through the `Metric` trait: the G-mean `sqrt(recall · specificity)`.
struct GMean;

impl Metric for GMean {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        let (p, n) = (c.tp + c.fn_, c.fp + c.tn);
        if p <= 0.0 || n <= 0.0 || c.tp <= 0.0 || c.tn <= 0.0 {
            return None;
        }
        let (r, s) = (c.tp / p, c.tn / n);
        let g = (r * s).sqrt();
        // dG/dr = s/(2g), dr/dTP = FN/p², dr/dFN = -TP/p²; likewise for s.
        let (dr, ds) = (s / (2.0 * g), r / (2.0 * g));
        Some(Evaluation::new(
            g,
            Partials {
                tp: dr * c.fn_ / (p * p),
                fn_: -dr * c.tp / (p * p),
                fp: -ds * c.tn / (n * n),
                tn: ds * c.fp / (n * n),
            },
        ))
    }
}

#[test]
fn a_model_read_from_its_blob_fine_tunes_with_a_user_metric() {
    let shape = mlp_shape(2, [4, 0], 1);
    let mut params = vec![0.0; shape.params()];
    let mut rng = SplitMix64::new(8);
    for p in &mut params {
        *p = support::uniform(&mut rng, -0.7, 0.7);
    }
    let host = Model::new(shape, params, vec![0.0; 2], vec![1.0; 2], 0.5).unwrap();
    let mut blob = vec![0u8; host.blob_len()];
    host.to_bytes(&mut blob).unwrap();

    const P: usize = 17;
    assert_eq!(inspect(&blob).unwrap().params(), P);
    let mut device = Model::<[f32; P], [f32; 2]>::from_bytes(&blob).unwrap();
    let (mut x, mut work, mut z, mut dz, mut y, mut g) = (
        [0.0f32; 2],
        [0.0f32; 8],
        [0.0f32; 32],
        [0.0f32; 32],
        [0u8; 32],
        [0.0f32; P],
    );
    let (head, scaling) = device.head_and_scaling().unwrap();
    let scratch = anyloss_core::train::Scratch {
        input: &mut x,
        work: &mut work,
        logits: &mut z,
        dz: &mut dz,
        labels: &mut y,
        grad: &mut g,
    };
    let objective = BinaryObjective::hybrid(BinaryLoss::new(GMean), 0.5).unwrap();
    let trainer = Trainer::new(
        head,
        Adam::new(0.05, [0.0; P], [0.0; P]).unwrap(),
        objective,
        config(20, 0, 1, 0),
        scaling,
        scratch,
    )
    .unwrap();
    let mut rows = [0u32; 64];
    let mut online = OnlineTrainer::new(
        BalancedReservoir::<2, 64, 2>::new(1),
        trainer,
        &mut rows,
        32,
    )
    .unwrap();
    let mut data = (Vec::new(), Vec::new());
    for i in 0..256 {
        let (x, y) = sample(&mut rng, i);
        data.0.extend_from_slice(&x);
        data.1.push(y);
        if let Some(tune) = online.ingest(&x, y).unwrap().fine_tune {
            tune.unwrap();
        }
    }
    let test = Dataset::new(&data.0, &data.1, 2).unwrap();
    let all: Vec<u32> = (0..256).collect();
    let after = online.trainer().counts(&test, &all, 0.5).unwrap().scores();
    drop(online);
    assert_ne!(device.params(), host.params());
    let mut shipped = Model::<[f32; P], [f32; 2]>::from_bytes(&blob).unwrap();
    let before = counts(&mut shipped, &test, &all).scores();
    assert!(
        after.gmean > before.gmean + 0.1,
        "{} -> {}",
        before.gmean,
        after.gmean
    );
    assert!(after.gmean > 0.8, "{}", after.gmean);
}

#[test]
fn bad_samples_and_bad_steps_change_nothing() {
    let shape = HeadShape::linear(2, 1);
    let scaler = Standardizer::from_parts(vec![0.0; 2], vec![1.0; 2]).unwrap();
    let mut buffers: Vec<Buffers> = (0..3).map(|_| Buffers::new(shape, CHUNK)).collect();
    let [b0, b1, b2] = &mut buffers[..] else {
        unreachable!()
    };
    let make = |scratch| {
        Trainer::new(
            Logistic::new(vec![1.0, -1.0, 0.1]).unwrap(),
            Sgd::new(0.1, 0.0, vec![0.0; 3]).unwrap(),
            BinaryObjective::<F1>::bce(),
            config(2, 0, 1, 0),
            scaler.scaling(),
            scratch,
        )
        .unwrap()
    };
    // Too few row indices for the buffer; a buffer of other features.
    let mut short = [0u32; 3];
    let err = OnlineTrainer::new(Ring::<2, 4>::new(), make(b0.scratch()), &mut short, 0).err();
    assert_eq!(
        err,
        Some(Error::LengthMismatch {
            expected: 4,
            found: 3
        })
    );
    let mut rows = [0u32; 4];
    let err = OnlineTrainer::new(Ring::<3, 4>::new(), make(b1.scratch()), &mut rows, 0).err();
    assert_eq!(
        err,
        Some(Error::LengthMismatch {
            expected: 2,
            found: 3
        })
    );

    let mut online =
        OnlineTrainer::new(Ring::<2, 4>::new(), make(b2.scratch()), &mut rows, 2).unwrap();
    online.ingest(&[1.0, 1.0], 1).unwrap();
    // A label the binary objective does not take: refused before the buffer sees it.
    assert_eq!(
        online.ingest(&[1.0, 1.0], 2).unwrap_err(),
        Error::InvalidLabel { index: 1 }
    );
    assert_eq!(
        online.ingest(&[1.0, f32::NAN], 0).unwrap_err(),
        Error::NonFinite { index: 1 }
    );
    assert_eq!((online.buffer().len(), online.pending()), (1, 1));
    // A finite sample whose logit overflows (MAX + MAX): the fine-tune it triggers fails,
    // the head keeps every bit.
    let before = bits(online.trainer().head().params());
    let ingest = online.ingest(&[f32::MAX, -f32::MAX], 0).unwrap();
    assert_eq!(ingest.fine_tune, Some(Err(Error::NonFiniteUpdate)));
    assert_eq!(bits(online.trainer().head().params()), before);
    assert_eq!(online.pending(), 0);
}

#[test]
fn a_softmax_head_learns_from_a_ring() {
    let shape = HeadShape::linear(2, 3);
    let scaler = Standardizer::from_parts(vec![0.0; 2], vec![1.0; 2]).unwrap();
    let mut buffers = Buffers::new(shape, CHUNK);
    let trainer = Trainer::new(
        Softmax::new(vec![0.0; 9], 3).unwrap(),
        Sgd::new(0.5, 0.9, vec![0.0; 9]).unwrap(),
        CrossEntropy::new(3).unwrap(),
        config(30, 0, 1, 0),
        scaler.scaling(),
        buffers.scratch(),
    )
    .unwrap();
    let mut rows = [0u32; 30];
    let mut online = OnlineTrainer::new(Ring::<2, 30>::new(), trainer, &mut rows, 10).unwrap();
    let centres = [[-2.0f32, 0.0], [2.0, 0.0], [0.0, 2.0]];
    let mut rng = SplitMix64::new(4);
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for i in 0..90u32 {
        let c = (i % 3) as usize;
        let x = [
            centres[c][0] + support::uniform(&mut rng, -0.5, 0.5),
            centres[c][1] + support::uniform(&mut rng, -0.5, 0.5),
        ];
        xs.extend_from_slice(&x);
        ys.push(c as u8);
        if let Some(tune) = online.ingest(&x, c as u8).unwrap().fine_tune {
            tune.unwrap();
        }
    }
    let data = Dataset::new(&xs, &ys, 2).unwrap();
    let all: Vec<u32> = (0..90).collect();
    let mut matrix = [0u32; 9];
    assert_eq!(
        online.trainer().evaluate(&data, &all, &mut matrix).unwrap(),
        90
    );
}
