//! `anyloss compile` and `anyloss check` as a user runs them.

mod common;
use common::{failure_of as stderr_of, stdout_of};

#[test]
fn compile_prints_the_metric_type() {
    let code = stdout_of(&["compile", "2*TP/(2*TP+FP+FN)", "--name", "F1"]);
    assert!(code.contains("pub struct F1;"), "{code}");
    assert!(code.contains("impl anyloss_core::Metric for F1"));
    assert_eq!(
        code.trim_end(),
        anyloss_dsl::emit_rust("2*TP/(2*TP+FP+FN)", "F1", &[])
            .unwrap()
            .trim_end()
    );
}

#[test]
fn compile_binds_parameters() {
    let code = stdout_of(&[
        "compile",
        "(1+beta^2)*TP/((1+beta^2)*TP + beta^2*FN + FP)",
        "--name",
        "F2",
        "--param",
        "beta=2",
    ]);
    assert!(code.contains("Parameters: `beta = 2`"), "{code}");
    assert!(
        code.contains("5.0 * tp"),
        "beta folded into constants: {code}"
    );
}

#[test]
fn check_reports_domain_operations_and_partials() {
    let report = stdout_of(&["check", "(TP*TN - FP*FN)/sqrt(PRED_POS*POS*NEG*PRED_NEG)"]);
    assert!(
        report.contains("the batch has no positives (TP = FN = 0)"),
        "{report}"
    );
    assert!(
        report.contains("operations: 34 for value and gradient"),
        "{report}"
    );
    assert!(report.contains("∂M/∂TN = "), "{report}");
    let report = stdout_of(&[
        "check",
        "TP/(TP + alpha*FP + beta*FN)",
        "--param",
        "alpha=0.5",
        "--param",
        "beta=0.5",
    ]);
    assert!(
        report.contains("parameters: alpha = 0.5, beta = 0.5"),
        "{report}"
    );
}

#[test]
fn formula_errors_are_the_rendered_diagnostic() {
    let err = stderr_of(&["check", "2*TP/(2*TP+FP+FNN)"]);
    assert_eq!(
        err,
        "anyloss: error: 1:15: unknown identifier `FNN`\n  |\n1 | 2*TP/(2*TP+FP+FNN)\n  |               ^^^\n  = help: did you mean `FN`?\n"
    );
    let err = stderr_of(&["compile", "TP/(TP + beta*FN)"]);
    assert!(err.contains("parameter `beta` is not bound"), "{err}");
    let err = stderr_of(&["compile", "TP/POS", "--param", "beta=2"]);
    assert!(
        err.contains("bound but the formula does not use it"),
        "{err}"
    );
    let err = stderr_of(&["compile", "TP/POS", "--name", "my_recall"]);
    assert!(err.contains("try `MyRecall`"), "{err}");
    // One argument is limited to 128 KiB by the OS.
    let deep = "(".repeat(50_000) + "TP" + &")".repeat(50_000);
    let err = stderr_of(&["check", &deep]);
    assert!(err.contains("nested more than 32 deep"), "{err}");
}

#[test]
fn malformed_params_are_rejected_by_the_argument_parser() {
    for bad in ["beta", "beta=x", "beta=inf"] {
        let err = stderr_of(&["compile", "TP/(TP+beta*FN)", "--param", bad]);
        assert!(err.contains("--param"), "{err}");
    }
}

#[test]
fn help_gives_a_worked_example() {
    for sub in ["compile", "check"] {
        let help = stdout_of(&[sub, "--help"]);
        assert!(help.contains("Example"), "{help}");
        assert!(help.contains(&format!("anyloss {sub} '")), "{help}");
    }
}
