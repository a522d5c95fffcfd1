//! `anyloss eval` on binary data: one probability (or logit) per row.

use anyloss_core::{Amplifier, BinaryLoss, Degenerate, Input};
use serde_json::json;

use super::EvalArgs;
use crate::error::CliError;
use crate::metric_arg::MetricArg;
use crate::table::Table;

/// Runs `anyloss eval` on binary data (columns `label,prob` or `label,logit`).
pub fn run(args: &EvalArgs) -> Result<serde_json::Value, CliError> {
    let metric = MetricArg::resolve(&args.metric, args.beta, args.alpha)?;
    let amplifier =
        Amplifier::new(args.l).map_err(|e| CliError::new(format!("--l {}: {e}", args.l)))?;
    let mut loss = BinaryLoss::new(metric).with_amplifier(amplifier);
    if let Some(v) = args.fallback {
        loss = loss
            .with_degenerate(Degenerate::Fallback(v))
            .map_err(|e| CliError::new(format!("--fallback {v}: {e}")))?;
    }
    let table = Table::read(&args.input)?;
    let value_column = if args.logits { "logit" } else { "prob" };
    let expected = ["label", value_column];
    if table.header != expected {
        return Err(CliError::at(
            &table.path,
            1,
            None,
            format!(
                "expected the header `{}`{}, found `{}`",
                expected.join(","),
                if args.logits {
                    ""
                } else {
                    " (or `label,logit` with --logits)"
                },
                table.header.join(",")
            ),
        ));
    }
    let labels: Vec<u8> = table.labels(0, 2)?.into_iter().map(|y| y as u8).collect();
    let mut values = Vec::with_capacity(table.rows.len());
    for (r, row) in table.rows.iter().enumerate() {
        let v = row[1] as f32;
        if !v.is_finite() {
            return Err(table.error_at(r, Some(2), format!("`{:e}` overflows f32", row[1])));
        }
        if !args.logits && !(0.0..=1.0).contains(&v) {
            return Err(table.error_at(
                r,
                Some(2),
                format!(
                    "probability `{}` is outside [0, 1] (use --logits for raw scores)",
                    row[1]
                ),
            ));
        }
        values.push(v);
    }
    let input = if args.logits {
        Input::Logits(&values)
    } else {
        Input::Probs(&values)
    };
    let mut grad = vec![0.0f32; values.len()];
    let out = loss
        .loss_and_grad(&labels, input, &mut grad)
        .map_err(|e| CliError::new(format!("{}: {e}", table.path.display())))?;
    Ok(json!({
        "metric": loss.metric().name(),
        "loss": out.loss,
        "value": out.metric,
        "tp": out.confusion.tp,
        "fn": out.confusion.fn_,
        "fp": out.confusion.fp,
        "tn": out.confusion.tn,
        "grad": grad,
    }))
}
