//! The trainer's refusals: a rejected step (overflowing logits or update, a bad label or
//! row, no rows) leaves every bit of every head and its optimizer unchanged, and pieces that
//! do not fit together are errors, never panics.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use anyloss_core::metrics::F1;
use anyloss_core::train::*;
use anyloss_core::{BinaryLoss, Error, Parameter};
use support::{bits, config, f1_loss, mlp_shape, Buffers};

/// Steps `head` on `rows` (at most 5 times) until a step fails with `expected`; that step
/// must leave every bit of the head and the optimizer as it was.
fn assert_rejected<H: Head + Clone, O: BatchObjective>(
    head: H,
    objective: O,
    data: &Dataset<'_>,
    rows: &[u32],
    lr: f32,
    expected: Error,
) {
    let shape = head.shape();
    let identity =
        Standardizer::from_parts(vec![0.0; shape.features], vec![1.0; shape.features]).unwrap();
    let mut buffers = Buffers::new(shape, 4);
    let sgd = Sgd::new(lr, 0.9, vec![0.0; shape.params()]).unwrap();
    let mut t = Trainer::new(
        head,
        sgd,
        objective,
        config(1, 0, 0, 0),
        identity.scaling(),
        buffers.scratch(),
    )
    .unwrap();
    for _ in 0..5 {
        let (before, sgd_before) = (t.head().params().to_vec(), t.optimizer().clone());
        if let Err(e) = t.step(data, rows) {
            assert_eq!(e, expected, "{shape:?}");
            assert_eq!(bits(t.head().params()), bits(&before), "{shape:?}");
            assert_eq!(t.optimizer(), &sgd_before, "{shape:?}");
            return;
        }
    }
    panic!("{shape:?}: 5 steps at lr {lr} were all accepted");
}

#[test]
fn a_rejected_step_leaves_every_head_and_optimizer_bit_identical() {
    // A "sensor glitch": one feature of one sample is huge; its logits overflow.
    let x = [0.5f32, 1.0, 3e38, 1.0, -0.5, 0.0];
    let y = [1u8, 0, 0];
    let glitch = Dataset::new(&x, &y, 2).unwrap();
    let good = Dataset::new(&[3.0f32, 3.0, -3.0, -3.0], &[0u8, 1], 2).unwrap();
    let mlp1 = mlp_shape(2, [4, 0], 1);
    let mlp2 = mlp_shape(2, [3, 2], 3);
    // Every weight 1: the glitch passes the ReLUs and overflows the output layer.
    let m1 = Mlp::new(vec![1.0; mlp1.params()], mlp1).unwrap();
    let m2 = Mlp::new(vec![1.0; mlp2.params()], mlp2).unwrap();
    let logistic = Logistic::new(vec![2.0f32, 0.5, -0.25]).unwrap();
    let softmax = Softmax::new((0..9).map(|i| i as f32 - 3.0).collect::<Vec<_>>(), 3).unwrap();
    let ce = CrossEntropy::new(3).unwrap();
    let overflow = Error::NonFiniteUpdate;
    assert_rejected(
        logistic.clone(),
        f1_loss(10.0, 0.5),
        &glitch,
        &[0, 1, 2],
        1.0,
        overflow,
    );
    assert_rejected(
        m1.clone(),
        f1_loss(10.0, 0.5),
        &glitch,
        &[0, 1, 2],
        1.0,
        overflow,
    );
    assert_rejected(softmax.clone(), ce, &glitch, &[0, 1, 2], 1.0, overflow);
    assert_rejected(m2.clone(), ce, &glitch, &[0, 1, 2], 1.0, overflow);
    // Finite logits and gradient, but the update (or the next step's logits) overflows.
    assert_rejected(
        logistic,
        BinaryObjective::<F1>::bce(),
        &good,
        &[0, 1],
        f32::MAX,
        overflow,
    );
    assert_rejected(
        m1,
        BinaryObjective::<F1>::bce(),
        &good,
        &[0, 1],
        f32::MAX,
        overflow,
    );
    assert_rejected(softmax, ce, &good, &[0, 1], f32::MAX, overflow);
    assert_rejected(m2.clone(), ce, &good, &[0, 1], f32::MAX, overflow);
    // Bad rows: a label the objective does not know, a row out of range, no rows.
    let labels = Dataset::new(&[0.5f32, 1.0, -0.5, 0.0], &[1u8, 7], 2).unwrap();
    assert_rejected(
        m2.clone(),
        ce,
        &labels,
        &[0, 1],
        0.1,
        Error::InvalidLabel { index: 1 },
    );
    assert_rejected(
        m2.clone(),
        ce,
        &good,
        &[5],
        0.1,
        Error::InvalidParameter(Parameter::Shape),
    );
    assert_rejected(m2, ce, &good, &[], 0.1, Error::Empty);
}

fn err<T>(r: Result<T, Error>) -> Error {
    r.map(|_| ()).unwrap_err()
}

#[test]
fn the_trainer_rejects_pieces_that_do_not_fit_together() {
    let shape = mlp_shape(2, [4, 0], 1);
    let head = || Mlp::new(vec![0.0; shape.params()], shape).unwrap();
    let sgd = |n: usize| Sgd::new(0.1, 0.0, vec![0.0; n]).unwrap();
    let scaler = Standardizer::from_parts(vec![0.0; 2], vec![1.0; 2]).unwrap();
    let wide = Standardizer::from_parts(vec![0.0; 3], vec![1.0; 3]).unwrap();
    let cfg = config(1, 0, 0, 0);
    let mut b = Buffers::new(shape, 4);
    let p = shape.params();
    assert_eq!(
        err(Trainer::new(
            head(),
            sgd(p - 1),
            f1_loss(10.0, 1.0),
            cfg,
            scaler.scaling(),
            b.scratch()
        )),
        Error::LengthMismatch {
            expected: p,
            found: p - 1
        }
    );
    assert_eq!(
        err(Trainer::new(
            head(),
            sgd(p),
            f1_loss(10.0, 1.0),
            cfg,
            wide.scaling(),
            b.scratch()
        )),
        Error::LengthMismatch {
            expected: 2,
            found: 3
        }
    );
    assert_eq!(
        err(Trainer::new(
            head(),
            sgd(p),
            CrossEntropy::new(3).unwrap(),
            cfg,
            scaler.scaling(),
            b.scratch()
        )),
        Error::InvalidParameter(Parameter::Shape)
    );
    let three = HeadShape {
        outputs: 3,
        ..shape
    };
    let mut b3 = Buffers::new(three, 4);
    let h3 = Mlp::new(vec![0.0; three.params()], three).unwrap();
    assert_eq!(
        err(Trainer::new(
            h3,
            sgd(three.params()),
            CrossEntropy::new(3).unwrap(),
            config(3, 0, 0, 1),
            scaler.scaling(),
            b3.scratch()
        )),
        Error::InvalidParameter(Parameter::Training),
        "cross-entropy has no warm start"
    );
    let mut short = Buffers::new(
        HeadShape {
            hidden: [3, 0],
            ..shape
        },
        4,
    );
    assert_eq!(
        err(Trainer::new(
            head(),
            sgd(p),
            f1_loss(10.0, 1.0),
            cfg,
            scaler.scaling(),
            short.scratch()
        )),
        Error::LengthMismatch {
            expected: 8,
            found: 6
        }
    );
    let data = Dataset::new(&[1.0f32, 2.0, 3.0], &[0u8], 3).unwrap();
    let mut t = Trainer::new(
        head(),
        sgd(p),
        f1_loss(10.0, 1.0),
        cfg,
        scaler.scaling(),
        b.scratch(),
    )
    .unwrap();
    assert_eq!(
        t.step(&data, &[0]).unwrap_err(),
        Error::LengthMismatch {
            expected: 2,
            found: 3
        }
    );

    assert!(Logistic::new([0.0f32; 1]).is_err());
    assert!(Softmax::new([0.0f32; 7], 3).is_err());
    assert!(
        Softmax::new(vec![0.0f32; 2 * 257], 257).is_err(),
        "labels are u8: at most 256 classes"
    );
    assert!(Softmax::new(vec![0.0f32; 2 * 256], 256).is_ok());
    assert!(CrossEntropy::new(257).is_err());
    assert!(
        Mlp::new(vec![0.0f32; 3], HeadShape::linear(2, 1)).is_err(),
        "an MLP needs a hidden layer"
    );
    let bad = HeadShape {
        features: 2,
        hidden: [0, 4],
        outputs: 1,
    };
    assert_eq!(
        bad.validate(),
        Err(Error::InvalidParameter(Parameter::Shape))
    );
    assert_eq!(
        Mlp::new(vec![f32::NAN; p], shape).unwrap_err(),
        Error::NonFinite { index: 0 }
    );
    assert!(BinaryObjective::hybrid(BinaryLoss::new(F1), 1.5).is_err());
    assert!(threshold_logit(1.5).is_err() && threshold_logit(0.5) == Ok(0.0));
}
