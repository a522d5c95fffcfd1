//! The pest grammar, token by token (`parses_to!`), and where it rejects input
//! (`fails_with!`).

use anyloss_dsl::grammar::{FormulaParser, Rule};
use pest::{consumes_to, fails_with, parses_to};

#[test]
fn counts_numbers_and_operators() {
    parses_to! {
        parser: FormulaParser,
        input: "2*TP/(2*TP+FP+FN)",
        rule: Rule::formula,
        tokens: [
            formula(0, 17, [
                expr(0, 17, [
                    number(0, 1), mul(1, 2), ident(2, 4), div(4, 5),
                    expr(6, 16, [
                        number(6, 7), mul(7, 8), ident(8, 10), add(10, 11),
                        ident(11, 13), add(13, 14), ident(14, 16)
                    ])
                ]),
                EOI(17, 17)
            ])
        ]
    };
}

#[test]
fn number_forms() {
    for input in ["2", "0.5", ".5", "1.", "1e-3", "2.5E+2", "10e3"] {
        parses_to! {
            parser: FormulaParser,
            input: input,
            rule: Rule::number,
            tokens: [number(0, input.len())]
        };
    }
}

#[test]
fn unary_minus_and_power() {
    parses_to! {
        parser: FormulaParser,
        input: "-TP^-2",
        rule: Rule::expr,
        tokens: [
            expr(0, 6, [neg(0, 1), ident(1, 3), pow(3, 4), neg(4, 5), number(5, 6)])
        ]
    };
}

#[test]
fn calls_with_one_and_two_arguments() {
    parses_to! {
        parser: FormulaParser,
        input: "max(sqrt(TP), FN)",
        rule: Rule::call,
        tokens: [
            call(0, 17, [
                ident(0, 3),
                expr(4, 12, [call(4, 12, [ident(4, 8), expr(9, 11, [ident(9, 11)])])]),
                expr(14, 16, [ident(14, 16)])
            ])
        ]
    };
}

#[test]
fn definitions_and_comments() {
    parses_to! {
        parser: FormulaParser,
        input: "# recall\nr = TP/POS; // share\nr;",
        rule: Rule::formula,
        tokens: [
            formula(0, 32, [
                definition(9, 20, [
                    ident(9, 10),
                    expr(13, 19, [ident(13, 15), div(15, 16), ident(16, 19)])
                ]),
                expr(30, 31, [ident(30, 31)]),
                EOI(32, 32)
            ])
        ]
    };
}

#[test]
fn trailing_operator_is_rejected_after_the_operator() {
    fails_with! {
        parser: FormulaParser,
        input: "TP +",
        rule: Rule::formula,
        positives: vec![Rule::neg, Rule::number, Rule::ident],
        negatives: vec![],
        pos: 4
    };
}

#[test]
fn implicit_multiplication_is_rejected() {
    fails_with! {
        parser: FormulaParser,
        input: "2TP",
        rule: Rule::formula,
        positives: vec![Rule::EOI, Rule::add, Rule::sub, Rule::mul, Rule::div, Rule::pow],
        negatives: vec![],
        pos: 1
    };
}

#[test]
fn a_definition_needs_its_semicolon() {
    fails_with! {
        parser: FormulaParser,
        input: "r = TP r",
        rule: Rule::formula,
        positives: vec![Rule::add, Rule::sub, Rule::mul, Rule::div, Rule::pow],
        negatives: vec![],
        pos: 7
    };
}

#[test]
fn empty_call_arguments_are_a_grammar_matter_only() {
    // `f()` parses; arity is checked later with a dedicated message.
    parses_to! {
        parser: FormulaParser,
        input: "exp()",
        rule: Rule::call,
        tokens: [call(0, 5, [ident(0, 3)])]
    };
}
