//! Trains a logistic regression in burn (NdArray + Autodiff) on a bundled imbalanced dataset
//! twice, with BCE and with AnyLoss-F1, and prints both test F1s.
//!
//! `cargo run --release --example train_f1 [-- path/to/data.csv]` (default: yeast3, 11 %
//! positives). The recipe is the project's evidence-based one (`EVIDENCE.md`): SGD, batch
//! 64, 500 epochs, zero init; BCE at lr 1; AnyLoss-F1 at lr 0.3 with L = 10 after 20 epochs
//! of BCE as a warm start. 30 % of each class is held out for the test F1 (threshold 0.5).

use anyloss_burn::AnyLossConfig;
use anyloss_core::metrics::F1;
use burn::backend::ndarray::NdArrayDevice;
use burn::backend::{Autodiff, NdArray};
use burn::module::Module;
use burn::nn::loss::BinaryCrossEntropyLossConfig;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::optim::{GradientsParams, Optimizer, SgdConfig};
use burn::tensor::{backend::Backend, Int, Tensor, TensorData};

#[path = "../../example_data.rs"]
mod example_data;

/// The training backend: NdArray on the CPU, in f32, with autodiff.
type Train = Autodiff<NdArray<f32>>;

#[derive(Module, Debug)]
struct Logistic<B: Backend> {
    linear: Linear<B>,
}

impl<B: Backend> Logistic<B> {
    fn logits(&self, x: Tensor<B, 2>) -> Tensor<B, 1> {
        let n = x.dims()[0];
        self.linear.forward(x).reshape([n])
    }
}

fn features(s: &example_data::Split, dev: &NdArrayDevice) -> Tensor<Train, 2> {
    Tensor::from_data(TensorData::new(s.x.clone(), [s.rows(), s.d]), dev)
}

fn train(
    data: &example_data::Split,
    metric_loss: bool,
    dev: &NdArrayDevice,
) -> Result<Logistic<Train>, anyloss_burn::AnyLossError> {
    let n = data.rows();
    let x = features(data, dev);
    let labels: Vec<i64> = data.y.iter().map(|&v| i64::from(v)).collect();
    let y = Tensor::<Train, 1, Int>::from_data(TensorData::new(labels, [n]), dev);
    let mut model = Logistic {
        linear: LinearConfig::new(data.d, 1)
            .with_initializer(Initializer::Zeros)
            .init(dev),
    };
    let mut optim = SgdConfig::new().init();
    let bce = BinaryCrossEntropyLossConfig::new()
        .with_logits(true)
        .init(dev);
    let anyloss = AnyLossConfig::new(F1)
        .with_logits(true)
        .with_l(10.0)
        .init()?;
    for step in example_data::schedule(n, metric_loss) {
        let rows: Vec<i64> = step.rows.iter().map(|&i| i as i64).collect();
        let idx = Tensor::<Train, 1, Int>::from_data(TensorData::new(rows, [step.rows.len()]), dev);
        let z = model.logits(x.clone().select(0, idx.clone()));
        let yb = y.clone().select(0, idx);
        let loss = if step.use_metric {
            anyloss.try_forward(z, yb, None)?.loss
        } else {
            bce.forward(z, yb)
        };
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(step.lr, model, grads);
    }
    Ok(model)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dev = NdArrayDevice::default();
    example_data::compare("burn", |train_set, test_set, metric_loss| {
        let model = train(train_set, metric_loss, &dev)?;
        Ok(model
            .logits(features(test_set, &dev))
            .into_data()
            .iter::<f32>()
            .collect())
    })
}
