//! The fixed-point path (`anyloss_core::fixed::FixedLoss`) against the float64 autograd
//! golden vectors (`tests/golden/binary.json` of the workspace), and against the f32 path on
//! logits: loss within 1e-3 absolute, gradient within 1e-2 relative plus 1e-4 of the
//! largest gradient of the batch. The measured errors are printed (`--nocapture`) and are
//! the figures of the `fixed` module docs.

mod support;

use anyloss_core::fixed::{FixedLoss, NumericPath, NUMERIC_PATH};
use anyloss_core::metrics::{GMean, Mcc, F1};
use anyloss_core::{Amplifier, BinaryLoss, Error, Input, Logits, Metric, Parameter, Probs};
use support::golden::{binary_golden, metric};

const LOSS_BOUND: f64 = 1e-3;
const GRAD_RELATIVE: f64 = 1e-2;
const GRAD_OF_LARGEST: f64 = 1e-4;

/// Worst errors seen: loss (absolute), gradient relative (over every nonzero reference
/// gradient), and the gradient error beyond 2e-3 relative as a share of the batch's largest.
#[derive(Default, Debug)]
struct Worst {
    loss: f64,
    grad_relative: f64,
    grad_of_largest: f64,
}

/// Regression bounds, about 5× the measured errors (printed by the tests): a precision
/// regression fails here long before the tolerances above.
const LOSS_REGRESSION: f64 = 5e-5;
const GRAD_REGRESSION: f64 = 7e-3;

impl Worst {
    fn check(&mut self, what: &str, loss: f64, want_loss: f64, grad: &[f32], want: &[f64]) {
        let loss_err = (loss - want_loss).abs();
        assert!(loss_err <= LOSS_BOUND, "{what}: loss {loss} vs {want_loss}");
        self.loss = self.loss.max(loss_err);
        let largest = want.iter().fold(0.0f64, |m, g| m.max(g.abs()));
        for (i, (&got, &w)) in grad.iter().zip(want).enumerate() {
            let err = (f64::from(got) - w).abs();
            assert!(
                err <= GRAD_RELATIVE * w.abs() + GRAD_OF_LARGEST * largest,
                "{what}: grad[{i}] {got} vs {w} (largest {largest})"
            );
            if w != 0.0 {
                self.grad_relative = self.grad_relative.max(err / w.abs());
            }
            if largest > 0.0 {
                self.grad_of_largest = self
                    .grad_of_largest
                    .max((err - 2e-3 * w.abs()).max(0.0) / largest);
            }
        }
    }
}

#[test]
fn fixed_path_on_golden_vectors_is_within_the_bounds() {
    let golden = binary_golden();
    assert_eq!(golden.l, 73.0);
    let mut worst = Worst::default();
    let mut checked = 0;
    for case in &golden.cases {
        let (y, p) = (&case.labels, &case.probs);
        for m in &case.metrics {
            let mut grad = vec![0.0f32; y.len()];
            let out = FixedLoss::new(metric(&m.name))
                .loss_and_grad(y, Probs(p), &mut grad)
                .unwrap();
            let what = format!("{} {}", case.id, m.name);
            worst.check(&what, f64::from(out.loss), m.loss, &grad, &m.grad);
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} golden cases");
    println!(
        "fixed path on {checked} golden cases: max |loss error| {:.2e}; gradient: max relative \
         error {:.2e}, beyond 2e-3 relative at most {:.2e} of the largest",
        worst.loss, worst.grad_relative, worst.grad_of_largest
    );
    assert!(worst.loss < LOSS_REGRESSION && worst.grad_relative < GRAD_REGRESSION);
}

/// The f32 path's loss and gradient on logits, as the reference (4e-6 relative to float64,
/// `tests/backend_accuracy.rs`).
#[test]
fn fixed_path_on_logits_matches_the_f32_path() {
    let mut worst = Worst::default();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for (n, spread, l) in [
        (64, 4.0, 73.0),
        (256, 8.0, 10.0),
        (1000, 2.0, 73.0),
        (37, 30.0, 5.0),
    ] {
        let z: Vec<f32> = (0..n)
            .map(|_| ((next() * 2.0 - 1.0) * spread) as f32)
            .collect();
        let y: Vec<u8> = (0..n).map(|_| u8::from(next() < 0.3)).collect();
        for m in [&F1 as &dyn Metric, &GMean, &Mcc] {
            let amp = Amplifier::new(l).unwrap();
            let reference = BinaryLoss::new(m).with_amplifier(amp);
            let mut want = vec![0.0f32; n];
            let want_out = reference.loss_and_grad(&y, Logits(&z), &mut want).unwrap();
            let want: Vec<f64> = want.iter().map(|&g| f64::from(g)).collect();
            let mut grad = vec![0.0f32; n];
            let out = FixedLoss::from(reference)
                .loss_and_grad(&y, Logits(&z), &mut grad)
                .unwrap();
            worst.check(
                &format!("n={n} L={l}"),
                f64::from(out.loss),
                f64::from(want_out.loss),
                &grad,
                &want,
            );
        }
    }
    println!("fixed path on logits vs the f32 path: {worst:?}");
    assert!(worst.loss < LOSS_REGRESSION && worst.grad_relative < GRAD_REGRESSION);
}

#[test]
fn chunks_add_exactly_and_streaming_gradient_matches() {
    let n = 300;
    let p: Vec<f32> = (0..n).map(|i| ((i * 37) % 101) as f32 / 100.0).collect();
    let y: Vec<u8> = (0..n).map(|i| u8::from(i % 3 == 0)).collect();
    let loss = FixedLoss::new(F1);
    let whole = loss.entries(&y, Probs(&p)).unwrap();
    let mut parts = loss.entries(&y[..7], Probs(&p[..7])).unwrap();
    parts += loss.entries(&y[7..200], Probs(&p[7..200])).unwrap();
    parts += loss.entries(&y[200..], Probs(&p[200..])).unwrap();
    assert_eq!(parts, whole);
    assert_eq!(whole.samples(), n as u64);

    let mut grad = vec![0.0f32; n];
    let out = loss.loss_and_grad(&y, Probs(&p), &mut grad).unwrap();
    assert_eq!(out.confusion, whole.confusion());
    let mut streamed = vec![0.0f32; n];
    let (a, b) = streamed.split_at_mut(123);
    loss.gradient(&out, &y[..123], Probs(&p[..123]), a).unwrap();
    loss.gradient(&out, &y[123..], Probs(&p[123..]), b).unwrap();
    assert_eq!(streamed, grad);

    // `Input` dispatches to the same kernels at run time.
    let mut dispatched = vec![0.0f32; n];
    let again = loss
        .loss_and_grad(&y, Input::Probs(&p), &mut dispatched)
        .unwrap();
    assert_eq!((again, dispatched), (out, grad));
    let z: Vec<f32> = p.iter().map(|&q| (q - 0.5) * 9.0).collect();
    let (mut typed, mut dispatched) = (vec![0.0f32; n], vec![0.0f32; n]);
    let a = loss.loss_and_grad(&y, Logits(&z), &mut typed).unwrap();
    let b = loss
        .loss_and_grad(&y, Input::Logits(&z), &mut dispatched)
        .unwrap();
    assert_eq!((a, typed), (b, dispatched));
}

#[test]
fn bad_input_is_reported_with_its_position() {
    let loss = FixedLoss::new(F1);
    let y = [0u8, 1, 0, 1];
    let mut g = [0.0f32; 4];
    for (p, want) in [
        ([0.1f32, 0.2, f32::NAN, 0.4], Error::NonFinite { index: 2 }),
        (
            [0.1, 1.000_001, 0.3, 0.4],
            Error::ProbabilityOutOfRange { index: 1 },
        ),
        (
            [0.1, 0.2, 0.3, -1e-30],
            Error::ProbabilityOutOfRange { index: 3 },
        ),
        (
            [f32::INFINITY, 0.2, 0.3, 0.4],
            Error::NonFinite { index: 0 },
        ),
    ] {
        assert_eq!(loss.loss_and_grad(&y, Probs(&p), &mut g), Err(want));
        assert_eq!(loss.loss(&y, Probs(&p)).map(|o| o.loss), Err(want));
    }
    let p = [0.1f32, 0.2, 0.3, 0.4];
    assert!(loss
        .loss_and_grad(&y, Probs(&[0.0, -0.0, 1.0, 0.5]), &mut g)
        .is_ok());
    assert_eq!(
        loss.loss_and_grad(&[0, 1, 2, 1], Probs(&p), &mut g),
        Err(Error::InvalidLabel { index: 2 })
    );
    assert_eq!(
        loss.loss_and_grad(&y, Logits(&[0.0, f32::NEG_INFINITY, 1.0, 2.0]), &mut g),
        Err(Error::NonFinite { index: 1 })
    );
    assert_eq!(
        loss.loss_and_grad(&y, Probs(&p[..3]), &mut g),
        Err(Error::LengthMismatch {
            expected: 4,
            found: 3
        })
    );
    assert_eq!(
        loss.loss_and_grad(&y, Probs(&p), &mut g[..2]),
        Err(Error::LengthMismatch {
            expected: 4,
            found: 2
        })
    );
    assert_eq!(
        loss.loss_and_grad(&[], Probs(&[]), &mut []),
        Err(Error::Empty)
    );
    let steep = loss.with_amplifier(Amplifier::new(5000.0).unwrap());
    assert_eq!(
        steep.loss(&y, Probs(&p)).map(|o| o.loss),
        Err(Error::InvalidParameter(Parameter::L))
    );
    let flat = loss.with_amplifier(Amplifier::new(1e-6).unwrap());
    assert_eq!(
        flat.loss(&y, Probs(&p)).map(|o| o.loss),
        Err(Error::InvalidParameter(Parameter::L))
    );
}

#[test]
fn threshold_moves_the_fixed_amplifier_like_the_f32_one() {
    let p: Vec<f32> = (0..200).map(|i| i as f32 / 199.0).collect();
    let y: Vec<u8> = (0..200).map(|i| u8::from(i % 4 == 1)).collect();
    for t in [0.2f32, 0.5, 0.83] {
        let f32_path = BinaryLoss::new(F1).with_threshold(t).unwrap();
        let fixed = FixedLoss::from(f32_path);
        let (mut want, mut got) = (vec![0.0f32; 200], vec![0.0f32; 200]);
        let a = f32_path.loss_and_grad(&y, Probs(&p), &mut want).unwrap();
        let b = fixed.loss_and_grad(&y, Probs(&p), &mut got).unwrap();
        let want: Vec<f64> = want.iter().map(|&g| f64::from(g)).collect();
        Worst::default().check(
            &format!("t={t}"),
            f64::from(b.loss),
            f64::from(a.loss),
            &got,
            &want,
        );
    }
}

#[test]
fn the_build_says_which_path_it_uses() {
    // A host build takes the f32 path unless the `fixed-point` feature asks otherwise.
    let want = if cfg!(feature = "fixed-point") {
        NumericPath::Fixed
    } else {
        NumericPath::Float
    };
    assert_eq!(NUMERIC_PATH, want);
    let loss = anyloss_core::fixed::DeviceLoss::new(F1);
    let mut g = [0.0f32; 2];
    assert!(loss
        .loss_and_grad(&[1, 0], Probs(&[0.7, 0.2]), &mut g)
        .is_ok());
}
