//! The CLI's CSV readers on arbitrary bytes: the strict table reader, the training-set
//! checks and the streamed multi-class `eval` (with or without a `weight` column, class
//! weights, per-class output and a fallback for undefined metrics). Any input must end in
//! a value or an error, never a panic; an accepted table has rows as long as its header, of
//! finite numbers.
#![no_main]

use std::io::Cursor;
use std::path::Path;

use anyloss_cli::eval::multiclass::{self, MulticlassMetric, Setup};
use anyloss_cli::records::Records;
use anyloss_cli::table::Table;
use anyloss_cli::train::data::TrainData;
use anyloss_core::metrics::F1;
use anyloss_core::{Average, Degenerate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.csv");
    if let Ok(table) = Table::parse(path, data) {
        assert!(!table.rows.is_empty());
        for row in &table.rows {
            assert_eq!(row.len(), table.header.len());
            assert!(row.iter().all(|v| v.is_finite()));
        }
        if let Ok(train) = TrainData::from_table(&table) {
            assert_eq!(
                train.features.len(),
                train.rows() * train.feature_names.len()
            );
        }
    }
    let class_weights = [1.0f32, 2.0, 0.5];
    let fallback = Some(Degenerate::Fallback(0.25));
    for (logits, average, weights, degenerate) in [
        (false, Some(Average::Macro), None, None),
        (
            true,
            Some(Average::Weighted),
            Some(&class_weights[..]),
            fallback,
        ),
        (false, None, None, fallback),
    ] {
        if let Ok(records) = Records::from_reader(path, Box::new(Cursor::new(data.to_vec()))) {
            let mut out = Vec::new();
            let setup = Setup {
                metric: MulticlassMetric::Metric(&F1),
                average,
                degenerate,
                class_weights: weights,
                logits,
                l: 10.0,
            };
            let ok = multiclass::run(records, 3, &setup, &mut out);
            if ok.is_ok() {
                assert!(serde_json::from_slice::<serde_json::Value>(&out).is_ok());
            }
        }
    }
});
