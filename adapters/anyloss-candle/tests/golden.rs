//! The candle loss and its `backward()` gradient against the float64 autograd golden
//! vectors, for every built-in metric and the same metrics as formulas, in f64 and in f32.

use anyloss_candle::{any_loss, AnyLossOptions};
use anyloss_core::Metric;
use candle_core::{DType, Device, Tensor, Var};

#[path = "../../golden_check.rs"]
mod golden_check;

const GOLDEN: &str = include_str!("../../../tests/golden/binary.json");

fn run(labels: &[u8], probs: &[f64], metric: &dyn Metric, dtype: DType) -> golden_check::Run {
    let dev = Device::Cpu;
    let p = Var::from_tensor(&Tensor::new(probs, &dev).unwrap().to_dtype(dtype).unwrap()).unwrap();
    let y = Tensor::new(labels, &dev).unwrap();
    let loss = any_loss(p.as_tensor(), &y, metric, &AnyLossOptions::default()).unwrap();
    assert_eq!(loss.dims(), &[] as &[usize], "the loss is a scalar");
    assert_eq!(loss.dtype(), dtype, "the loss keeps the outputs' dtype");
    let grads = loss.backward().unwrap();
    let grad = grads.get(&p).expect("outputs take part in the loss");
    golden_check::Run {
        loss: loss
            .to_dtype(DType::F64)
            .unwrap()
            .to_scalar::<f64>()
            .unwrap(),
        grad: grad.to_dtype(DType::F64).unwrap().to_vec1::<f64>().unwrap(),
    }
}

#[test]
fn f64_loss_and_backward_match_autograd() {
    let r = golden_check::check(GOLDEN, 1e-5, 1e-4, |y, p, m| run(y, p, m, DType::F64));
    println!("candle f64: {r:?}");
}

#[test]
fn f32_loss_and_backward_match_autograd() {
    let r = golden_check::check(GOLDEN, 1e-5, 1e-3, |y, p, m| run(y, p, m, DType::F32));
    println!("candle f32: {r:?}");
}
