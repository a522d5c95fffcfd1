//! One error-message snapshot per diagnostic kind (`tests/errors/<name>.txt`, compared
//! exactly), and no input ever panics or overflows the stack.
//!
//! Regenerate after an intended wording change with
//! `UPDATE_SNAPSHOTS=1 cargo test -p anyloss-dsl --test diagnostics`.

use std::path::PathBuf;

use anyloss_dsl::{emit_rust, DiagnosticKind, FormulaMetric};

struct Case {
    file: &'static str,
    kind: DiagnosticKind,
    source: String,
    params: &'static [(&'static str, f64)],
}

fn case(
    file: &'static str,
    kind: DiagnosticKind,
    source: impl Into<String>,
    params: &'static [(&'static str, f64)],
) -> Case {
    Case {
        file,
        kind,
        source: source.into(),
        params,
    }
}

fn cases() -> Vec<Case> {
    use DiagnosticKind::*;
    vec![
        case("syntax", Syntax, "TP ** 2", &[]),
        case("implicit_multiplication", Syntax, "2TP/(2TP+FP+FN)", &[]),
        case(
            "unclosed_paren",
            UnbalancedParen,
            "precision = TP/(TP+FP;\nprecision",
            &[],
        ),
        case("unmatched_paren", UnbalancedParen, "TP/(TP+FN))", &[]),
        case(
            "trailing_operator",
            TrailingOperator,
            "r = TP/POS;\ns = TN/NEG;\nr*s +",
            &[],
        ),
        case("empty_formula", EmptyFormula, "# only a comment\n", &[]),
        case(
            "unknown_identifier",
            UnknownIdentifier,
            "2*TP/(2*TP+FP+FNN)",
            &[],
        ),
        case(
            "misspelt_definition",
            UnknownIdentifier,
            "recall = TP/POS;\nprecision = TP/PRED_POS;\n2*precision*recal/(precision+recall)",
            &[],
        ),
        case(
            "use_before_definition",
            UnknownIdentifier,
            "a = b*2;\nb = TP/POS;\na",
            &[],
        ),
        case(
            "misspelt_parameter",
            UnknownIdentifier,
            "(1+bta^2)*TP/((1+beta^2)*TP + beta^2*FN + FP)",
            &[("beta", 2.0)],
        ),
        case(
            "unknown_function",
            UnknownFunction,
            "sqr(TP/POS * TN/NEG)",
            &[],
        ),
        case("wrong_arity", WrongArity, "max(TP/POS)", &[]),
        case("function_as_value", FunctionAsValue, "TP*exp", &[]),
        case(
            "redefinition",
            Redefinition,
            "r = TP/POS;\nr = TN/NEG;\nr",
            &[],
        ),
        case(
            "redefined_count",
            Redefinition,
            "POS = TP + FP;\nTP/POS",
            &[],
        ),
        case(
            "unused_definition",
            UnusedDefinition,
            "s = TN/NEG;\nr = TP/POS;\nr",
            &[],
        ),
        case(
            "unbound_parameter",
            UnboundParameter,
            "TP/(TP + alpha*FP + beta*FN)",
            &[("alpha", 0.5)],
        ),
        case(
            "unused_binding",
            UnusedBinding,
            "2*TP/(2*TP+FP+FN)",
            &[("beta", 2.0)],
        ),
        case(
            "invalid_binding",
            InvalidBinding,
            "TP/(TP + beta*FN)",
            &[("beta", f64::NAN)],
        ),
        case("division_by_zero", DivisionByZero, "TP/(FN - FN)", &[]),
        case("division_by_literal_zero", DivisionByZero, "TP/0 + FN", &[]),
        case(
            "constant_out_of_domain",
            ConstantOutOfDomain,
            "TP*ln(1 - 1)",
            &[],
        ),
        case("constant_overflow", ConstantOverflow, "TP*10^10^10", &[]),
        case(
            "input_too_large",
            InputTooLarge,
            "TP+".repeat(400_000) + "TP",
            &[],
        ),
        case(
            "nesting_too_deep",
            NestingTooDeep,
            "(".repeat(100_000) + "TP" + &")".repeat(100_000),
            &[],
        ),
        case(
            "expression_too_large",
            ExpressionTooLarge,
            "TP+".repeat(2000) + "TP",
            &[],
        ),
    ]
}

#[test]
fn every_error_kind_renders_as_its_snapshot() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/errors");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    for c in cases() {
        let err = FormulaMetric::compile(&c.source, c.params).expect_err(c.file);
        assert_eq!(err.kind(), c.kind, "{}: {err}", c.file);
        let text = format!("{err}\n");
        let path = dir.join(format!("{}.txt", c.file));
        if update {
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let want =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(text, want, "{} drifted from its snapshot", c.file);
    }
}

#[test]
fn invalid_type_name_is_its_own_error() {
    let err = emit_rust("TP/POS", "my_recall", &[]).unwrap_err();
    assert_eq!(err.kind(), DiagnosticKind::InvalidName);
    assert_eq!(err.line(), None);
    assert_eq!(err.help(), Some("try `MyRecall`"));
}

#[test]
fn positions_are_one_based_lines_and_character_columns() {
    let err = FormulaMetric::compile("r = TP/POS;\n  s = TN/NEGG;\nr*s", &[]).unwrap_err();
    assert_eq!((err.line(), err.col()), (Some(2), Some(10)));
    // Columns count characters, not bytes.
    let err = FormulaMetric::compile("# é\nΤP", &[]).unwrap_err();
    assert_eq!((err.line(), err.col()), (Some(2), Some(1)));
}

/// Deep inputs that recurse without parentheses stay within the stack of a test thread.
#[test]
fn long_operator_chains_do_not_overflow_the_stack() {
    for source in [
        "-".repeat(990) + "TP",
        "TP^".repeat(490) + "TP",
        "TP+".repeat(490) + "TP",
        "TP/".repeat(490) + "TP",
        "sqrt(".repeat(30) + "TP" + &")".repeat(30),
    ] {
        match FormulaMetric::compile(&source, &[]) {
            Ok(m) => {
                let _ = m.pretty();
                let _ = m.to_rust("Deep").unwrap();
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
}
