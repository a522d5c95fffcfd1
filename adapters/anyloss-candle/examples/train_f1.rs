//! Trains a logistic regression in candle on a bundled imbalanced dataset twice, with BCE
//! and with AnyLoss-F1, and prints both test F1s.
//!
//! `cargo run --release --example train_f1 [-- path/to/data.csv]` (default: yeast3, 11 %
//! positives). The recipe is the project's evidence-based one (`EVIDENCE.md`): SGD, batch
//! 64, 500 epochs, zero init; BCE at lr 1; AnyLoss-F1 at lr 0.3 with L = 10 after 20 epochs
//! of BCE as a warm start. 30 % of each class is held out for the test F1 (threshold 0.5).

use anyloss_candle::{any_loss, AnyLossOptions};
use anyloss_core::metrics::F1;
use candle_core::{DType, Device, Result, Tensor, Var, D};

#[path = "../../example_data.rs"]
mod example_data;

/// Mean binary cross-entropy of logits `z`: `max(z,0) − z·y + ln(1 + e^{−|z|})`.
fn bce_with_logits(z: &Tensor, y: &Tensor) -> Result<Tensor> {
    let softplus = (z.abs()?.neg()?.exp()? + 1.0)?.log()?;
    ((z.relu()? - (z * y)?)? + softplus)?.mean_all()
}

struct Logistic {
    w: Var,
    b: Var,
}

impl Logistic {
    fn logits(&self, x: &Tensor) -> Result<Tensor> {
        x.matmul(self.w.as_tensor())?
            .squeeze(D::Minus1)?
            .broadcast_add(self.b.as_tensor())
    }
}

fn train(data: &example_data::Split, metric_loss: bool, dev: &Device) -> Result<Logistic> {
    let n = data.rows();
    let x = Tensor::from_slice(&data.x, (n, data.d), dev)?;
    let y = Tensor::from_slice(&data.y, n, dev)?.to_dtype(DType::F32)?;
    let model = Logistic {
        w: Var::zeros((data.d, 1), DType::F32, dev)?,
        b: Var::zeros(1, DType::F32, dev)?,
    };
    let options = AnyLossOptions::default().with_logits(true).with_l(10.0);
    for step in example_data::schedule(n, metric_loss) {
        let rows: Vec<u32> = step.rows.iter().map(|&i| i as u32).collect();
        let idx = Tensor::new(rows.as_slice(), dev)?;
        let (xb, yb) = (x.index_select(&idx, 0)?, y.index_select(&idx, 0)?);
        let z = model.logits(&xb)?;
        let loss = if step.use_metric {
            any_loss(&z, &yb, &F1, &options)?
        } else {
            bce_with_logits(&z, &yb)?
        };
        let grads = loss.backward()?;
        for var in [&model.w, &model.b] {
            if let Some(g) = grads.get(var) {
                var.set(&(var.as_tensor() - (g * step.lr)?)?)?;
            }
        }
    }
    Ok(model)
}

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let dev = Device::Cpu;
    example_data::compare("candle", |train_set, test_set, metric_loss| {
        let model = train(train_set, metric_loss, &dev)?;
        let x_test = Tensor::from_slice(&test_set.x, (test_set.rows(), test_set.d), &dev)?;
        Ok(model.logits(&x_test)?.to_vec1::<f32>()?)
    })
}
