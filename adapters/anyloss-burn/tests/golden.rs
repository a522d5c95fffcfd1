//! The burn loss and its backward gradient (NdArray + Autodiff) against the float64
//! autograd golden vectors, for every built-in metric and the same metrics as formulas, in
//! f64 and in f32.

use anyloss_burn::AnyLossConfig;
use anyloss_core::Metric;
use burn::backend::{Autodiff, NdArray};
use burn::tensor::{DType, Int, Tensor, TensorData};

#[path = "../../golden_check.rs"]
mod golden_check;

const GOLDEN: &str = include_str!("../../../tests/golden/binary.json");

fn run<B: burn::tensor::backend::AutodiffBackend>(
    labels: &[u8],
    probs: &[f64],
    metric: &dyn Metric,
    dtype: DType,
) -> golden_check::Run {
    let device = B::Device::default();
    let n = probs.len();
    let p = Tensor::<B, 1>::from_data(TensorData::new(probs.to_vec(), [n]), (&device, dtype))
        .require_grad();
    assert_eq!(p.dtype(), dtype, "the backend's float type");
    let y = Tensor::<B, 1, Int>::from_data(
        TensorData::new(
            labels.iter().map(|&v| i64::from(v)).collect::<Vec<_>>(),
            [n],
        ),
        &device,
    );
    let loss = AnyLossConfig::new(metric)
        .init()
        .unwrap()
        .forward(p.clone(), y);
    assert_eq!(loss.dims(), [1]);
    assert_eq!(loss.dtype(), dtype, "the loss keeps the outputs' precision");
    let grads = loss.backward();
    let grad = p.grad(&grads).expect("outputs take part in the loss");
    golden_check::Run {
        loss: loss.into_data().iter::<f64>().next().unwrap(),
        grad: grad.into_data().iter::<f64>().collect(),
    }
}

#[test]
fn f64_loss_and_backward_match_autograd() {
    let r = golden_check::check(GOLDEN, 1e-5, 1e-4, |y, p, m| {
        run::<Autodiff<NdArray>>(y, p, m, DType::F64)
    });
    println!("burn ndarray f64: {r:?}");
}

#[test]
fn f32_loss_and_backward_match_autograd() {
    let r = golden_check::check(GOLDEN, 1e-5, 1e-3, |y, p, m| {
        run::<Autodiff<NdArray>>(y, p, m, DType::F32)
    });
    println!("burn ndarray f32: {r:?}");
}
