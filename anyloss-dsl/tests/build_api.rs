//! The `build.rs` API writes the same source `emit_rust` returns, and reports its errors.

use anyloss_dsl::build::{BuildError, FormulaType};
use anyloss_dsl::{emit_rust, DiagnosticKind};

const F2: &str = "(1+beta^2)*TP/((1+beta^2)*TP + beta^2*FN + FP)";

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("anyloss-dsl-build-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn writes_the_emitted_source() {
    let dir = temp_dir("write");
    let path = FormulaType::new("MyF2", F2)
        .param("beta", 2.0)
        .write_to(&dir, "my_f2.rs")
        .unwrap();
    let written = std::fs::read_to_string(path).unwrap();
    assert_eq!(written, emit_rust(F2, "MyF2", &[("beta", 2.0)]).unwrap());
}

#[test]
fn reads_formula_files() {
    let dir = temp_dir("file");
    let file = dir.join("f2.formula");
    std::fs::write(&file, format!("# F2\n{F2}\n")).unwrap();
    let code = FormulaType::from_file("F2", &file)
        .unwrap()
        .param("beta", 2.0)
        .to_source()
        .unwrap();
    assert!(code.contains("pub struct F2;"));
    let missing = FormulaType::from_file("F2", dir.join("missing.formula")).unwrap_err();
    assert!(matches!(missing, BuildError::Io { .. }), "{missing}");
}

#[test]
fn formula_errors_carry_the_diagnostic() {
    match FormulaType::new("MyF2", F2).to_source() {
        Err(BuildError::Formula(d)) => assert_eq!(d.kind(), DiagnosticKind::UnboundParameter),
        other => panic!("expected an unbound-parameter error, got {other:?}"),
    }
}
