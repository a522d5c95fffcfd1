//! proptest: every output is finite for arbitrary valid input, and arbitrary invalid input
//! gives an `Err`, never a panic.

use anyloss_core::metrics::{Builtin, BuiltinParams};
use anyloss_core::multiclass::{Averaged, ErrorRate, Layout, MulticlassLoss, Objective, Strides};
use anyloss_core::{Amplifier, Average, Input};
use proptest::prelude::*;

const C: usize = 4;
const IGNORE: u8 = 200;

fn objective(choice: usize) -> Box<dyn Objective> {
    let names = Builtin::NAMES;
    match choice % (names.len() * 3 + 2) {
        0 => Box::new(ErrorRate::Original),
        1 => Box::new(ErrorRate::Normalized),
        k => {
            let metric = Builtin::from_name(names[(k - 2) / 3], BuiltinParams::default())
                .unwrap()
                .unwrap();
            Box::new(Averaged::new(metric, Average::ALL[(k - 2) % 3]))
        }
    }
}

/// Any finite f32, weighted towards the edges (0, 1, tiny, huge).
fn finite() -> impl Strategy<Value = f32> {
    prop_oneof![
        Just(0.0f32),
        Just(1.0f32),
        0.0f32..=1.0,
        prop::num::f32::NORMAL | prop::num::f32::SUBNORMAL | prop::num::f32::ZERO,
    ]
}

fn probability() -> impl Strategy<Value = f32> {
    prop_oneof![
        Just(0.0f32),
        Just(1.0f32),
        Just(0.5f32),
        0.0f32..=1.0,
        (0.0f32..1e-30),
        (1.0f32 - 1e-6..=1.0),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn outputs_are_finite_for_valid_input(
        which in 0usize..100,
        l in prop_oneof![Just(73.0f32), 0.01f32..1000.0],
        images in 1usize..4,
        pixels in prop_oneof![Just(1usize), 1usize..40],
        planes in any::<bool>(),
        logits in any::<bool>(),
        labels in prop::collection::vec(prop_oneof![0u8..C as u8, Just(IGNORE)], 160),
        probs in prop::collection::vec(probability(), 640),
        raw in prop::collection::vec(finite(), 640),
    ) {
        let positions = images * pixels;
        let layout = if planes {
            Layout::<C>::class_planes(images, pixels).unwrap()
        } else {
            Layout::<C>::channels_last(images, pixels).unwrap()
        };
        let labels = &labels[..positions];
        let values = if logits { &raw[..positions * C] } else { &probs[..positions * C] };
        let input = if logits { Input::Logits(values) } else { Input::Probs(values) };
        let objective = objective(which);
        let loss = MulticlassLoss::new(objective.as_ref())
            .with_amplifier(Amplifier::new(l).unwrap())
            .with_ignore(u32::from(IGNORE));
        let mut grad = vec![0.0f32; values.len()];
        let out = loss.loss_and_grad(&layout, labels, input, &mut grad).unwrap();
        prop_assert!(out.loss.is_finite(), "loss {}", out.loss);
        for c in out.confusion.classes() {
            prop_assert!(c.is_finite());
        }
        for k in &out.coefficients {
            prop_assert!(k.positive.is_finite() && k.negative.is_finite());
        }
        prop_assert!(grad.iter().all(|g| g.is_finite()), "grad {:?}", grad);
    }

    #[test]
    fn invalid_input_is_an_error_not_a_panic(
        which in 0usize..100,
        samples in 0usize..6,
        pixels in 0usize..6,
        stride in (0usize..30, 0usize..30, 0usize..30),
        labels in prop::collection::vec(any::<u8>(), 0..60),
        values in prop::collection::vec(any::<f32>(), 0..200),
        grad_len in 0usize..200,
        logits in any::<bool>(),
        ignore in any::<u8>(),
    ) {
        let strides = Strides { sample: stride.0, class: stride.1, pixel: stride.2 };
        if let Ok(layout) = Layout::<C>::strided(samples, pixels, strides) {
            let input = if logits { Input::Logits(&values) } else { Input::Probs(&values) };
            let objective = objective(which);
            let loss = MulticlassLoss::new(objective.as_ref()).with_ignore(u32::from(ignore));
            let mut grad = vec![0.0f32; grad_len];
            if let Ok(out) = loss.loss_and_grad(&layout, &labels, input, &mut grad) {
                prop_assert!(out.loss.is_finite());
                prop_assert!(grad.iter().all(|g| g.is_finite()));
            }
            let _ = loss.confusion(&layout, &labels, input);
        }
    }
}

#[test]
fn caller_given_counts_at_the_limit_do_not_panic() {
    use anyloss_core::multiclass::ClassConfusion;
    use anyloss_core::Confusion;
    let entries = [Confusion::new(1.0, 2.0, 3.0, 4.0); C];
    let huge = ClassConfusion::<C>::new(entries, [f32::MAX; C]);
    let sum = huge + huge;
    assert_eq!(sum.samples(), f32::MAX);
    for which in 0..50 {
        let objective = objective(which);
        let out = MulticlassLoss::new(objective.as_ref()).evaluate(&sum);
        assert!(out.loss.is_finite(), "objective {which}");
        for k in &out.coefficients {
            assert!(k.positive.is_finite() && k.negative.is_finite());
        }
    }
}
