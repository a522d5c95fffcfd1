//! The CSV reader on good and bad files, and the generated source on a small one.

use std::path::PathBuf;

use super::Dataset;

/// Writes `text` to a file named `name` in a fresh directory of this test run.
fn csv_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("anyloss-firmware-embed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("temporary file");
    path
}

fn error_of(name: &str, text: &str) -> String {
    match Dataset::read(&csv_file(name, text)) {
        Ok(d) => panic!("{name}: read as {d:?}, expected an error"),
        Err(e) => e,
    }
}

#[test]
fn reads_features_and_labels_in_order_whatever_the_label_column() {
    let path = csv_file("mid.csv", "a,label,b\n1.5,0,-2\n 3 ,1,4e-3\n");
    let d = Dataset::read(&path).expect("valid file");
    assert_eq!(d.feature_names, ["a", "b"]);
    assert_eq!(d.rows, [vec![1.5, -2.0], vec![3.0, 0.004]]);
    assert_eq!(d.labels, [0, 1]);
}

#[test]
fn errors_name_the_file_line_and_column() {
    let cases = [
        ("nolabel.csv", "a,b\n1,0\n", "line 1: no `label` column"),
        (
            "twolabels.csv",
            "label,label\n1,0\n",
            "more than one `label` column",
        ),
        (
            "nofeature.csv",
            "label\n1\n0\n",
            "line 1: no feature columns",
        ),
        (
            "short.csv",
            "a,label\n1,0\n2\n",
            "line 3: 1 cells, the header has 2",
        ),
        (
            "text.csv",
            "a,label\n1,0\nx,1\n",
            "line 3, column 1 (a): `x` is not a number",
        ),
        (
            "inf.csv",
            "a,label\n1,0\ninf,1\n",
            "line 3, column 1 (a): `inf` is not finite",
        ),
        (
            "badlabel.csv",
            "a,label\n1,0\n2,2\n",
            "line 3, column 2: label `2` is not 0 or 1",
        ),
        ("empty.csv", "a,label\n", "no data rows"),
        ("oneclass.csv", "a,label\n1,1\n2,1\n", "only one class"),
    ];
    for (name, text, want) in cases {
        let e = error_of(name, text);
        assert!(e.contains(name), "{name}: {e}");
        assert!(e.contains(want), "{name}: {e} (expected `{want}`)");
    }
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let e = Dataset::read(std::path::Path::new("/nonexistent/anyloss.csv")).unwrap_err();
    assert!(e.contains("/nonexistent/anyloss.csv"), "{e}");
}

#[test]
fn generated_source_holds_every_value_bit_for_bit() {
    // 0.1 and 1/3 have no short exact decimal: `{:?}` must give the shortest that parses
    // back to the same f32.
    let third = 1.0f32 / 3.0;
    let path = csv_file(
        "small.csv",
        &format!("x,y,label\n0.1,{third:?},1\n-7,8.5,0\n"),
    );
    let s = Dataset::read(&path).expect("valid file").to_rust(&path);
    assert!(s.contains("pub const NAME: &str = \"small\";"), "{s}");
    assert!(s.contains("pub const N: usize = 2;"), "{s}");
    assert!(s.contains("pub const F: usize = 2;"), "{s}");
    assert!(
        s.contains("pub const FEATURE_NAMES: [&str; F] = [\"x\", \"y\"];"),
        "{s}"
    );
    assert!(s.contains("pub static LABELS: [u8; N] = [1, 0];"), "{s}");
    let first_row = s
        .lines()
        .find(|l| l.trim_start().starts_with("[0.1"))
        .expect("first row");
    let cells: Vec<f32> = first_row
        .trim()
        .trim_start_matches('[')
        .trim_end_matches("],")
        .split(", ")
        .map(|c| c.parse().expect("a number"))
        .collect();
    assert_eq!(cells.len(), 2);
    assert_eq!(cells[0].to_bits(), 0.1f32.to_bits());
    assert_eq!(cells[1].to_bits(), third.to_bits());
}
