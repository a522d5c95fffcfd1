//! `anyloss bench` as a user runs it: its JSON contract (names, fields, `threads`) and the plot file.
//! Speed itself is judged by the benchmarks, never here.

mod common;
use common::anyloss;

#[test]
fn json_lists_the_standard_cases_with_their_sizes() {
    let out = anyloss(&["bench", "--json", "--repeats", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let cases = v["cases"].as_array().expect("a cases array");
    let find = |name: &str| {
        cases
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("case {name} missing"))
    };
    for (name, n) in [
        ("binary_f1_1e6", 1_000_000u64),
        ("seed_multiclass_1x10x512x512", 10 * 512 * 512),
        ("binary_f1_64", 64),
    ] {
        let c = find(name);
        assert_eq!(c["n"].as_u64(), Some(n), "{name}");
        let ns = c["ns_per_sample"].as_f64().expect("a number");
        assert!(ns.is_finite() && ns > 0.0, "{name}: {ns}");
        let keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["name", "n", "ns_per_sample", "threads", "floor_ratio"],
            "{name}"
        );
        assert_eq!(c["threads"].as_u64(), Some(1), "{name}");
    }
    // The large cases on one thread and on every core, and the floors they are set against.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    for (name, n) in [
        ("binary_f1_1e7", 10_000_000u64),
        ("seed_multiclass_8x10x512x512", 8 * 10 * 512 * 512),
    ] {
        let runs: Vec<_> = cases.iter().filter(|c| c["name"] == name).collect();
        let threads: Vec<_> = runs.iter().map(|c| c["threads"].as_u64()).collect();
        assert_eq!(threads, [Some(1), Some(cores)], "{name}");
        assert!(runs.iter().all(|c| c["n"].as_u64() == Some(n)), "{name}");
    }
    for (name, n) in [
        ("memory_floor_1e6", 1_000_000u64),
        ("memory_floor_1e7", 10_000_000),
    ] {
        let c = find(name);
        assert_eq!(
            (c["n"].as_u64(), c["floor_ratio"].as_f64()),
            (Some(n), Some(1.0))
        );
    }
    for c in cases {
        let ratio = c["floor_ratio"]
            .as_f64()
            .expect("every case has a floor ratio");
        let ns = c["ns_per_sample"].as_f64().unwrap();
        assert!(ratio.is_finite() && ratio > 0.0 && ns > 0.0, "{c}");
    }
}

#[test]
fn table_and_plot() {
    let dir = std::env::temp_dir().join(format!("anyloss-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("sweep.svg");
    let out = anyloss(&["bench", "--repeats", "1", "--plot", svg.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.lines().next().unwrap().contains("ns/sample"));
    assert!(table.contains("binary_f1_1e6") && table.contains("binary_f1_64"));
    let plot = std::fs::read_to_string(&svg).unwrap();
    assert!(plot.starts_with("<svg") && plot.contains("<circle"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_arguments_are_one_line_errors() {
    let out = anyloss(&["bench", "--repeats", "0"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("--repeats") && !err.contains("panicked"),
        "{err}"
    );
}
