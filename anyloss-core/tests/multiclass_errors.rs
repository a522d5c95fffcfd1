//! Bad multi-class input gets the right `Err`, at the right index, on every code path.

use anyloss_core::metrics::F1;
use anyloss_core::multiclass::{Layout, MulticlassLoss, Strides};
use anyloss_core::{Average, Error, Input, Parameter};

const SHAPE: Error = Error::InvalidParameter(Parameter::Shape);

fn loss() -> MulticlassLoss<anyloss_core::multiclass::Averaged<F1>> {
    MulticlassLoss::averaged(F1, Average::Macro)
}

#[test]
fn label_not_below_c_and_not_ignored() {
    let layout = Layout::<3>::sample_major(4).unwrap();
    let probs = [0.5f32; 12];
    let mut grad = [0.0f32; 12];
    let labels = [0u8, 2, 3, 1];
    assert_eq!(
        loss().loss_and_grad(&layout, &labels, Input::Probs(&probs), &mut grad),
        Err(Error::InvalidLabel { index: 2 })
    );
    // With 3 as the ignore index the same labels are valid; 255 is then a bad label.
    assert!(loss()
        .with_ignore(3)
        .loss(&layout, &labels, Input::Probs(&probs))
        .is_ok());
    assert_eq!(
        loss()
            .with_ignore(3)
            .loss(&layout, &[0u8, 255, 3, 1], Input::Probs(&probs)),
        Err(Error::InvalidLabel { index: 1 })
    );
}

#[test]
fn zero_classes() {
    assert_eq!(Layout::<0>::sample_major(4), Err(SHAPE));
    assert_eq!(Layout::<0>::class_planes(1, 16), Err(SHAPE));
}

#[test]
fn overlapping_or_overflowing_strides() {
    let overlapping = Strides {
        sample: 16,
        class: 8,
        pixel: 1,
    };
    assert_eq!(Layout::<3>::strided(2, 16, overlapping), Err(SHAPE));
    let overflowing = Strides {
        sample: usize::MAX,
        class: 1,
        pixel: 3,
    };
    assert_eq!(Layout::<3>::strided(2, 1, overflowing), Err(SHAPE));
}

#[test]
fn buffers_that_do_not_fit_the_layout() {
    let layout = Layout::<3>::class_planes(2, 16).unwrap();
    let labels = [0u8; 32];
    let probs = [0.5f32; 96];
    let mut grad = [0.0f32; 96];
    assert_eq!(
        loss().loss_and_grad(&layout, &labels[..31], Input::Probs(&probs), &mut grad),
        Err(Error::LengthMismatch {
            expected: 32,
            found: 31
        })
    );
    assert_eq!(
        loss().loss_and_grad(&layout, &labels, Input::Probs(&probs[..95]), &mut grad),
        Err(Error::LengthMismatch {
            expected: 96,
            found: 95
        })
    );
    assert_eq!(
        loss().loss_and_grad(&layout, &labels, Input::Probs(&probs), &mut grad[..90]),
        Err(Error::LengthMismatch {
            expected: 96,
            found: 90
        })
    );
    let out = loss().loss(&layout, &labels, Input::Probs(&probs)).unwrap();
    assert_eq!(
        loss().gradient(&out, &layout, &labels, Input::Probs(&probs), &mut grad[1..]),
        Err(Error::LengthMismatch {
            expected: 96,
            found: 95
        })
    );
}

#[test]
fn no_samples() {
    assert_eq!(Layout::<3>::sample_major(0), Err(Error::Empty));
    assert_eq!(Layout::<3>::class_planes(2, 0), Err(Error::Empty));
}

/// A layout of each kernel: contiguous pixel rows, and per-position gathering.
fn layouts() -> [(Layout<3>, usize); 3] {
    [
        (Layout::<3>::class_planes(2, 32).unwrap(), 64),
        (Layout::<3>::sample_major(64).unwrap(), 64),
        (Layout::<3>::channels_last(2, 32).unwrap(), 64),
    ]
}

#[test]
fn non_finite_values() {
    for (layout, positions) in layouts() {
        let labels = vec![1u8; positions];
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            for index in [0usize, 77, 191] {
                let mut values = vec![0.5f32; 192];
                values[index] = bad;
                let mut grad = vec![0.0f32; 192];
                for input in [Input::Probs(&values), Input::Logits(&values)] {
                    assert_eq!(
                        loss().loss_and_grad(&layout, &labels, input, &mut grad),
                        Err(Error::NonFinite { index }),
                        "{layout:?} {bad} at {index}"
                    );
                }
                // An ignored sample's values are checked too.
                let ignored = vec![9u8; positions];
                assert_eq!(
                    loss()
                        .with_ignore(9)
                        .confusion(&layout, &ignored, Input::Probs(&values)),
                    Err(Error::NonFinite { index })
                );
            }
        }
    }
}

#[test]
fn probability_out_of_range() {
    for (layout, positions) in layouts() {
        let labels = vec![2u8; positions];
        for bad in [-0.01f32, 1.0001, -0.0 - f32::MIN_POSITIVE] {
            for index in [3usize, 100] {
                let mut probs = vec![0.25f32; 192];
                probs[index - 1] = 1.0;
                probs[index] = bad;
                let mut grad = vec![0.0f32; 192];
                assert_eq!(
                    loss().loss_and_grad(&layout, &labels, Input::Probs(&probs), &mut grad),
                    Err(Error::ProbabilityOutOfRange { index }),
                    "{layout:?} {bad} at {index}"
                );
                // As logits the same numbers are fine.
                assert!(loss()
                    .loss_and_grad(&layout, &labels, Input::Logits(&probs), &mut grad)
                    .is_ok());
            }
        }
    }
}
