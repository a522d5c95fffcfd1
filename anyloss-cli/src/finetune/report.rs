//! The report of `anyloss finetune`: the metrics before and after, and what the stream did.

use anyloss_core::train::{Counts, Scores};
use serde_json::{json, Value};

use crate::train::loss::LossSpec;
use crate::train::report::round6;

use super::replay::{Outcome, Policy};
use super::FinetuneArgs;

fn scores_json(c: &Counts) -> Value {
    let names = Scores::NAMES.iter();
    let map = names
        .zip(c.scores().values())
        .map(|(n, v)| (n.to_string(), json!(round6(f64::from(v)))))
        .collect();
    Value::Object(map)
}

/// The table, or with --json the JSON, of a fine-tune run.
pub fn report(
    args: &FinetuneArgs,
    spec: &LossSpec,
    o: &Outcome,
    before: &Counts,
    after: &Counts,
) -> String {
    if args.json {
        return json!({
            "before": scores_json(before),
            "after": scores_json(after),
            "loss": spec.name,
            "objective": spec.objective(),
            "recipe": spec.recipe,
            "stream": {
                "samples": o.samples,
                "policy": args.policy,
                "buffer": args.buffer,
                "period": args.period,
                "held": o.held,
                "fine_tunes": o.fine_tunes,
                "failed": o.failed,
            },
        })
        .to_string();
    }
    let mut out = format!(
        "anyloss finetune: {} on {}: {} samples through a {} buffer of {} (held: {} of class \
         0, {} of class 1), {} fine-tunes{}\n  {} minimises {}; {}\n\n{:<20}{:>8}{:>8}\n",
        args.model.display(),
        args.data.display(),
        o.samples,
        match args.policy {
            Policy::Ring => "ring",
            Policy::Balanced => "balanced",
        },
        args.buffer,
        o.held[0],
        o.held[1],
        o.fine_tunes,
        if o.failed > 0 {
            format!(" ({} stopped early)", o.failed)
        } else {
            String::new()
        },
        spec.name,
        spec.objective(),
        spec.recipe,
        "all rows",
        "before",
        "after",
    );
    let names = Scores::NAMES;
    for ((name, b), a) in names
        .iter()
        .zip(before.scores().values())
        .zip(after.scores().values())
    {
        out.push_str(&format!("{name:<20}{b:>8.3}{a:>8.3}\n"));
    }
    out
}
