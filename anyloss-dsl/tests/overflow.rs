//! An overflow is an error naming the sub-expression, kept apart from an undefined point,
//! and `compile`, `check` and evaluation agree on constants beyond f32.

use anyloss_core::{BinaryLoss, Confusion, Degenerate, Error, Input, MetricOutput};
use anyloss_dsl::{emit_rust, DiagnosticKind, FormulaMetric};

fn at(tp: f32, fn_: f32, fp: f32, tn: f32) -> Confusion {
    Confusion::new(tp, fn_, fp, tn)
}

#[test]
fn an_overflowing_step_is_an_error_naming_it() {
    let m = FormulaMetric::compile("exp(1e10)*TP/(TP+FN)", &[]).unwrap();
    let o = m.evaluate_checked(&at(3.0, 1.0, 0.0, 0.0)).unwrap_err();
    assert_eq!(o.expr, "exp(10000000000)");
    assert!(o.in_value);
    assert!(o.to_string().contains("overflows at TP = 3"), "{o}");
    // Undefined stays undefined (the zero denominator), not an overflow.
    assert_eq!(m.evaluate_checked(&at(0.0, 0.0, 1.0, 1.0)), Ok(None));

    let m = FormulaMetric::compile("(TP+1)^1e9/(TP+1)^1e9", &[]).unwrap();
    let o = m.evaluate_checked(&at(1.0, 1.0, 1.0, 1.0)).unwrap_err();
    assert_eq!(o.expr, "(1 + TP)^1000000000");
}

#[test]
fn a_result_beyond_f32_is_an_overflow_of_that_output() {
    let m = FormulaMetric::compile("TP*1e30", &[]).unwrap();
    assert!(m
        .evaluate_checked(&at(1.0, 0.0, 0.0, 0.0))
        .unwrap()
        .is_some());
    let o = m.evaluate_checked(&at(1e9, 0.0, 0.0, 0.0)).unwrap_err();
    assert_eq!(o.expr, "1000000000000000000000000000000*TP");
    // Only the gradient: at TP = 0 the value is 1e-40, its slope 0.5e40.
    let m = FormulaMetric::compile("sqrt(TP + 1e-80)", &[]).unwrap();
    let o = m.evaluate_checked(&at(0.0, 1.0, 1.0, 1.0)).unwrap_err();
    assert!(!o.in_value, "{o:?}");
}

#[test]
fn the_loss_reports_an_overflow_instead_of_the_degenerate_policy() {
    let m = FormulaMetric::compile("exp(1e10)*TP/(TP+FN)", &[]).unwrap();
    assert_eq!(
        Degenerate::default().checked(&m, &at(3.0, 1.0, 0.0, 0.0)),
        Err(Error::NonFiniteMetric(MetricOutput::Value))
    );
    let loss = BinaryLoss::new(m);
    let (labels, probs) = ([1u8, 0, 1, 0], [0.9f32, 0.2, 0.4, 0.6]);
    let mut grad = [0.0f32; 4];
    let err = loss
        .loss_and_grad(&labels, Input::Probs(&probs), &mut grad)
        .unwrap_err();
    assert_eq!(err, Error::NonFiniteMetric(MetricOutput::Value));
    assert!(loss.loss(&labels, Input::Probs(&probs)).is_err());
    // Streaming: pass 2 refuses an overflowed evaluation.
    let c = loss.confusion(&labels, Input::Probs(&probs)).unwrap();
    let out = loss.evaluate(&c);
    assert!(out.loss.is_nan());
    assert!(loss
        .gradient(&out, &labels, Input::Probs(&probs), &mut grad)
        .is_err());
}

#[test]
fn check_lists_what_can_overflow() {
    let risky = FormulaMetric::compile("exp(1e10)*TP/(TP+FN)", &[]).unwrap();
    let risks = risky.overflow_risks();
    assert_eq!(risks.len(), 1, "{risks:?}");
    assert_eq!(risks[0].expr, "exp(10000000000)");
    let f1 = FormulaMetric::compile("2*TP/(2*TP+FP+FN)", &[]).unwrap();
    assert!(f1.overflow_risks().is_empty());
}

#[test]
fn constants_beyond_f32_are_rejected_alike_by_compile_and_evaluation() {
    for source in ["TP*1e39", "TP*(1e20*1e20)", "TP*1e30*1e10"] {
        let d = FormulaMetric::compile(source, &[]).unwrap_err();
        assert_eq!(d.kind(), DiagnosticKind::ConstantOverflow, "{source}: {d}");
        let e = emit_rust(source, "Big", &[]).unwrap_err();
        assert_eq!(e.kind(), DiagnosticKind::ConstantOverflow, "{source}: {e}");
    }
    // A constant that cancels before the program needs it is fine.
    let m = FormulaMetric::compile("TP*1e30/1e30", &[]).unwrap();
    let e = m
        .evaluate_checked(&at(2.0, 1.0, 1.0, 1.0))
        .unwrap()
        .unwrap();
    assert_eq!(e.value, 2.0);
}
