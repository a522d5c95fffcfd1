//! Shared pieces of the tests: owned buffers for a head, an f64 reference of every head's
//! logits written out independently of the crate, and the binary golden vectors
//! ([`golden`]).
#![allow(dead_code)] // each test binary uses its own subset

pub mod crc32;
pub mod golden;

use anyloss_core::metrics::F1;
use anyloss_core::train::{
    BatchObjective, Batching, BinaryObjective, Dataset, FitConfig, Head, HeadShape, Logistic, Mlp,
    Scratch, Sgd, Softmax, Standardizer, Trainer,
};
use anyloss_core::{Amplifier, BinaryLoss};

/// The shape of an MLP head: `features` inputs, `hidden` layer widths (the second 0 for
/// one hidden layer) and `outputs` logits.
pub const fn mlp_shape(features: usize, hidden: [usize; 2], outputs: usize) -> HeadShape {
    HeadShape {
        features,
        hidden,
        outputs,
    }
}

/// Owned training buffers for a head of `shape` and chunks of `chunk` samples.
pub struct Buffers {
    input: Vec<f32>,
    work: Vec<f32>,
    logits: Vec<f32>,
    dz: Vec<f32>,
    labels: Vec<u8>,
    grad: Vec<f32>,
}

impl Buffers {
    pub fn new(shape: HeadShape, chunk: usize) -> Self {
        Self {
            input: vec![0.0; shape.features],
            work: vec![0.0; shape.work_len()],
            logits: vec![0.0; chunk * shape.outputs],
            dz: vec![0.0; chunk * shape.outputs],
            labels: vec![0; chunk],
            grad: vec![0.0; shape.params()],
        }
    }

    pub fn scratch(&mut self) -> Scratch<'_> {
        Scratch {
            input: &mut self.input,
            work: &mut self.work,
            logits: &mut self.logits,
            dz: &mut self.dz,
            labels: &mut self.labels,
            grad: &mut self.grad,
        }
    }
}

/// `max(0, W·x + b)` (or without the ReLU) of one dense layer, units stored as
/// `[w_0 .. w_{n-1}, b]`.
fn dense(params: &[f64], inputs: usize, x: &[f64], relu: bool) -> Vec<f64> {
    params
        .chunks(inputs + 1)
        .map(|u| {
            let z = u[inputs] + (0..inputs).map(|i| u[i] * x[i]).sum::<f64>();
            if relu {
                z.max(0.0)
            } else {
                z
            }
        })
        .collect()
}

/// The logits of any head (linear when `shape.hidden == [0, 0]`) in f64.
pub fn logits_f64(params: &[f64], shape: HeadShape, x: &[f64]) -> Vec<f64> {
    let [h1, h2] = shape.hidden;
    let mut a = x.to_vec();
    let mut inputs = shape.features;
    let mut offset = 0;
    for h in [h1, h2] {
        if h > 0 {
            let len = h * (inputs + 1);
            a = dense(&params[offset..offset + len], inputs, &a, true);
            offset += len;
            inputs = h;
        }
    }
    dense(&params[offset..], inputs, &a, false)
}

/// A reproducible uniform draw in [lo, hi) from a SplitMix64 stream.
pub fn uniform(rng: &mut anyloss_core::train::SplitMix64, lo: f32, hi: f32) -> f32 {
    lo + (hi - lo) * (rng.next_u32() as f64 / u32::MAX as f64) as f32
}

pub fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

pub fn config(epochs: u32, batch: usize, seed: u64, warm: u32) -> FitConfig {
    FitConfig {
        epochs,
        batching: Batching { size: batch },
        seed,
        warm_start_epochs: warm,
    }
}

pub fn f1_loss(l: f32, mix: f32) -> BinaryObjective<F1> {
    let loss = BinaryLoss::new(F1).with_amplifier(Amplifier::new(l).unwrap());
    BinaryObjective::hybrid(loss, mix).unwrap()
}

/// The head of `shape` over `params`: logistic, softmax or MLP.
pub fn head(shape: HeadShape, params: Vec<f32>) -> Box<dyn Head> {
    match (shape.hidden, shape.outputs) {
        ([0, 0], 1) => Box::new(Logistic::new(params).unwrap()),
        ([0, 0], c) => Box::new(Softmax::new(params, c).unwrap()),
        _ => Box::new(Mlp::new(params, shape).unwrap()),
    }
}

/// The crate's loss and gradient of `objective` for the head of `shape` at `params` over
/// `rows` of `data` (already standardised), streamed in chunks of `chunk` samples.
pub fn batch_gradient<O: BatchObjective>(
    shape: HeadShape,
    params: &[f32],
    objective: O,
    data: &Dataset<'_>,
    rows: &[u32],
    chunk: usize,
) -> (f32, Vec<f32>) {
    let f = shape.features;
    let identity = Standardizer::from_parts(vec![0.0; f], vec![1.0; f]).unwrap();
    let mut head = head(shape, params.to_vec());
    let sgd = Sgd::new(0.1, 0.0, vec![0.0; shape.params()]).unwrap();
    let mut buffers = Buffers::new(shape, chunk);
    let scratch = buffers.scratch();
    let mut trainer = Trainer::new(
        &mut *head,
        sgd,
        objective,
        config(1, 0, 0, 0),
        identity.scaling(),
        scratch,
    )
    .unwrap();
    let (loss, grad) = trainer.gradient(data, rows).unwrap();
    (loss.loss, grad.to_vec())
}

/// The blob of a host model.
pub fn blob_of(m: &anyloss_core::model::Model<Vec<f32>, Vec<f32>>) -> Vec<u8> {
    let mut blob = vec![0u8; m.blob_len()];
    assert_eq!(m.to_bytes(&mut blob).unwrap(), blob.len());
    blob
}

/// A blob read into host storage sized by `inspect`, as the CLI reads one.
pub fn load_host(
    blob: &[u8],
) -> Result<anyloss_core::model::Model<Vec<f32>, Vec<f32>>, anyloss_core::model::PersistError> {
    let s = anyloss_core::model::inspect(blob)?;
    anyloss_core::model::Model::from_bytes_in(
        blob,
        vec![0.0; s.params()],
        vec![0.0; s.features],
        vec![0.0; s.features],
    )
}
