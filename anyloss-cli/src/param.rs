//! `--param NAME=VALUE`: the values bound to a metric's parameters, and the `--beta` /
//! `--alpha` shorthands folded into them.

use clap::Args;

use crate::error::CliError;

/// `--param NAME=VALUE`, repeatable: the flag's one definition. A command whose help words
/// it differently sets its own with `mut_arg("params", ...)`.
#[derive(Debug, Clone, Args)]
pub struct ParamArgs {
    /// Binds a parameter of the metric (a built-in's `beta`/`alpha`, or any name a formula
    /// uses); repeat for several.
    #[arg(
        long = "param",
        value_name = "NAME=VALUE",
        value_parser = parse_param,
        allow_hyphen_values = true
    )]
    pub params: Vec<(String, f64)>,
}

/// The parameters of a metric: `--beta`, `--alpha` and `--param`. A command whose help
/// words them differently sets its own with `mut_arg`.
#[derive(Debug, Clone, Args)]
pub struct MetricParams {
    /// beta of fbeta (default 1) or tversky (weight of false negatives, default 0.5); a
    /// shorthand for --param beta=B.
    #[arg(long, allow_negative_numbers = true)]
    pub beta: Option<f64>,
    /// alpha of tversky (weight of false positives, default 0.5); a shorthand for
    /// --param alpha=A.
    #[arg(long, allow_negative_numbers = true)]
    pub alpha: Option<f64>,
    /// The `--param` bindings.
    #[command(flatten)]
    pub bound: ParamArgs,
}

impl MetricParams {
    /// The `--param` bindings, without the shorthands.
    pub fn params(&self) -> &[(String, f64)] {
        &self.bound.params
    }
}

/// `NAME=VALUE` with a finite value.
pub fn parse_param(text: &str) -> Result<(String, f64), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, found `{text}`"))?;
    let v: f64 = value
        .trim()
        .parse()
        .map_err(|_| format!("`{value}` is not a number"))?;
    if !v.is_finite() {
        return Err(format!("`{value}` is not finite"));
    }
    Ok((name.trim().to_string(), v))
}

/// The bindings as the DSL takes them.
pub fn bindings(params: &[(String, f64)]) -> Vec<(&str, f64)> {
    params.iter().map(|(n, v)| (n.as_str(), *v)).collect()
}

/// The `--param` bindings with `--beta`/`--alpha` added as `beta`/`alpha`. A name bound
/// twice is an error, unless it is a shorthand repeating its `--param` value exactly.
pub fn with_shorthands(
    params: &[(String, f64)],
    beta: Option<f64>,
    alpha: Option<f64>,
) -> Result<Vec<(String, f64)>, CliError> {
    let mut all: Vec<(String, f64)> = Vec::with_capacity(params.len() + 2);
    for (name, value) in params {
        if let Some((_, first)) = all.iter().find(|(n, _)| n == name) {
            return Err(CliError::new(format!(
                "--param {name}: given twice ({first} and {value})"
            )));
        }
        all.push((name.clone(), *value));
    }
    for (name, flag, value) in [("beta", "--beta", beta), ("alpha", "--alpha", alpha)] {
        let Some(value) = value else { continue };
        match all.iter().find(|(n, _)| n == name) {
            Some((_, v)) if *v == value => {}
            Some((_, v)) => {
                return Err(CliError::new(format!(
                    "{flag} {value} and --param {name}={v} give `{name}` two values"
                )))
            }
            None => all.push((name.to_string(), value)),
        }
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorthands_join_the_params_and_conflicts_are_errors() {
        let p = vec![("gamma".to_string(), 2.0), ("beta".to_string(), 3.0)];
        let all = with_shorthands(&p, Some(3.0), Some(0.5)).unwrap();
        assert_eq!(
            all,
            vec![
                ("gamma".to_string(), 2.0),
                ("beta".to_string(), 3.0),
                ("alpha".to_string(), 0.5)
            ]
        );
        let e = with_shorthands(&p, Some(2.0), None).unwrap_err();
        assert!(e.message().contains("--beta 2 and --param beta=3"), "{e}");
        let twice = vec![("k".to_string(), 1.0), ("k".to_string(), 1.0)];
        assert!(with_shorthands(&twice, None, None)
            .unwrap_err()
            .message()
            .contains("--param k: given twice"));
    }

    #[test]
    fn negative_values_parse() {
        assert_eq!(parse_param("k=-1.5"), Ok(("k".to_string(), -1.5)));
        assert!(parse_param("k").is_err());
        assert!(parse_param("k=inf").is_err());
    }
}
