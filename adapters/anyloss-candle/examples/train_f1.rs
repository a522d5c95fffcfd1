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

const EPOCHS: usize = 500;
const WARM_START: usize = 20;
const BATCH: usize = 64;

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
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut rng = example_data::Rng::new(0x2545_f491_4f6c_dd1d);
    for epoch in 0..EPOCHS {
        rng.shuffle(&mut order);
        let use_metric = metric_loss && epoch >= WARM_START;
        let lr = if metric_loss { 0.3 } else { 1.0 };
        for batch in order.chunks(BATCH) {
            let idx = Tensor::new(batch, dev)?;
            let (xb, yb) = (x.index_select(&idx, 0)?, y.index_select(&idx, 0)?);
            let z = model.logits(&xb)?;
            let loss = if use_metric {
                any_loss(&z, &yb, &F1, &options)?
            } else {
                bce_with_logits(&z, &yb)?
            };
            let grads = loss.backward()?;
            for var in [&model.w, &model.b] {
                if let Some(g) = grads.get(var) {
                    var.set(&(var.as_tensor() - (g * lr)?)?)?;
                }
            }
        }
    }
    Ok(model)
}

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/data/yeast3.csv"
        )
        .to_string()
    });
    let (train_set, test_set) = example_data::load(&path, 0.3, 7)?;
    let dev = Device::Cpu;
    let x_test = Tensor::from_slice(&test_set.x, (test_set.rows(), test_set.d), &dev)?;
    let positives = |s: &example_data::Split| s.y.iter().filter(|&&y| y == 1).count();
    println!(
        "{path}: {} train rows ({} positive), {} test rows ({} positive), {} features",
        train_set.rows(),
        positives(&train_set),
        test_set.rows(),
        positives(&test_set),
        train_set.d
    );
    for (name, metric_loss) in [("BCE", false), ("AnyLoss-F1", true)] {
        let start = std::time::Instant::now();
        let model = train(&train_set, metric_loss, &dev)?;
        let z = model.logits(&x_test)?.to_vec1::<f32>()?;
        println!(
            "candle  {name:<10}  test F1 {:.4}  ({:.1} s)",
            example_data::f1_of_logits(&z, &test_set.y),
            start.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
