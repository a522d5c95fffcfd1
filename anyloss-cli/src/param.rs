//! `--param NAME=VALUE`: the values bound to a formula's parameters.

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
