//! Feature standardisation `(x - mean) / std`, fitted on the training rows only, so that no
//! statistic of the test part leaks into training.

use crate::error::{Error, Parameter};
use crate::math;

use super::dataset::Dataset;

/// Per-feature mean and reciprocal standard deviation, in caller-provided storage (`[f32; F]`
/// on a device, `Vec<f32>` on a host).
///
/// Standardised feature `j` is `(x_j - mean_j) * inv_std_j`. The standard deviation is the
/// population one (as scikit-learn's `StandardScaler`); a constant feature (within f32
/// rounding of its mean) gets `inv_std = 1`, so it standardises to 0 rather than to NaN.
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer<S> {
    mean: S,
    inv_std: S,
}

/// A borrowed standardisation: what the heads apply to each row on the fly.
#[derive(Debug, Clone, Copy)]
pub struct Scaling<'a> {
    mean: &'a [f32],
    inv_std: &'a [f32],
}

impl<'a> Scaling<'a> {
    /// Feature `j` of `row`, standardised. Out-of-range `j` (never reached by the trainer,
    /// which checks lengths first) leaves the value unscaled.
    #[inline(always)]
    pub fn apply(&self, j: usize, x: f32) -> f32 {
        match (self.mean.get(j), self.inv_std.get(j)) {
            (Some(&m), Some(&s)) => {
                let d = x - m;
                // Features of opposite signs near f32::MAX: their difference overflows,
                // their scaled difference does not.
                if d.is_finite() {
                    d * s
                } else {
                    x * s - m * s
                }
            }
            _ => x,
        }
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.mean.len()
    }

    /// True for zero features.
    pub fn is_empty(&self) -> bool {
        self.mean.is_empty()
    }

    /// The means.
    pub fn mean(&self) -> &'a [f32] {
        self.mean
    }

    /// The reciprocal standard deviations.
    pub fn inv_std(&self) -> &'a [f32] {
        self.inv_std
    }
}

impl<S: AsRef<[f32]> + AsMut<[f32]>> Standardizer<S> {
    /// A standardiser over two buffers of `F` values each; it is the identity until fitted.
    pub fn new(mut mean: S, mut inv_std: S) -> Result<Self, Error> {
        if mean.as_ref().len() != inv_std.as_ref().len() {
            return Err(Error::LengthMismatch {
                expected: mean.as_ref().len(),
                found: inv_std.as_ref().len(),
            });
        }
        mean.as_mut().fill(0.0);
        inv_std.as_mut().fill(1.0);
        Ok(Self { mean, inv_std })
    }

    /// A standardiser from known statistics (a saved model): equal lengths, finite means and
    /// finite nonzero reciprocal standard deviations.
    pub fn from_parts(mean: S, inv_std: S) -> Result<Self, Error> {
        let (m, s) = (mean.as_ref(), inv_std.as_ref());
        if m.len() != s.len() {
            return Err(Error::LengthMismatch {
                expected: m.len(),
                found: s.len(),
            });
        }
        if let Some(index) = m.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite { index });
        }
        if s.iter().any(|v| !v.is_finite() || *v == 0.0) {
            return Err(Error::InvalidParameter(Parameter::Shape));
        }
        Ok(Self { mean, inv_std })
    }

    /// Fits mean and standard deviation on the rows `rows` of `data`. Sums run in f64
    /// (passes: mean, largest deviation, squared deviations scaled by it), so the result
    /// does not depend on row count or order beyond rounding to f32, and every finite f32
    /// column, up to `±f32::MAX`, gets a finite mean and a finite nonzero `inv_std`.
    ///
    /// Errors: [`Error::LengthMismatch`] when the buffers do not hold `data.n_features()`
    /// values, [`Error::Empty`] for no rows, `InvalidParameter(Shape)` for a row index out
    /// of range, [`Error::UnscalableFeature`] for a column whose spread is below
    /// `1/f32::MAX` without being constant (only subnormal values do that).
    pub fn fit(&mut self, data: &Dataset<'_>, rows: &[u32]) -> Result<(), Error> {
        let f = data.n_features();
        if self.mean.as_ref().len() != f {
            return Err(Error::LengthMismatch {
                expected: f,
                found: self.mean.as_ref().len(),
            });
        }
        if rows.is_empty() {
            return Err(Error::Empty);
        }
        let n = rows.len() as f64;
        for j in 0..f {
            let mut sum = 0.0f64;
            for &i in rows {
                sum += f64::from(feature(data, i, j)?);
            }
            let mean = sum / n;
            // A squared deviation of features near f32::MAX (1e77) fits f64, but the square
            // root is taken in f32 (the core's math backend), where the variance would be
            // infinite: so the deviations are scaled by the largest one, and the standard
            // deviation is `scale * sqrt(mean of (d/scale)^2)`, a root of a number in (0, 1].
            let mut scale = 0.0f64;
            for &i in rows {
                scale = scale.max((f64::from(feature(data, i, j)?) - mean).abs());
            }
            let mut sq = 0.0f64;
            if scale > 0.0 {
                for &i in rows {
                    let d = (f64::from(feature(data, i, j)?) - mean) / scale;
                    sq += d * d;
                }
            }
            let std = scale * f64::from(math::sqrt((sq / n) as f32));
            let mean = mean as f32;
            if let Some(m) = self.mean.as_mut().get_mut(j) {
                *m = mean;
            }
            // The population std of finite f32 values is at most half their range, so at
            // most f32::MAX, and `1/std` is a nonzero f32 (>= 2.9e-39). A column within
            // rounding of constant keeps `inv_std = 1` (it standardises to 0); one that
            // varies by less than 1/f32::MAX (subnormal spreads) cannot be scaled in f32.
            let inv = if std > f64::from(f32::EPSILON) * f64::from(math::abs(mean)) {
                let inv = (1.0 / std) as f32;
                if !inv.is_finite() {
                    return Err(Error::UnscalableFeature { feature: j });
                }
                inv
            } else {
                1.0
            };
            if let Some(s) = self.inv_std.as_mut().get_mut(j) {
                *s = inv;
            }
        }
        Ok(())
    }

    /// The borrowed view the heads use.
    pub fn scaling(&self) -> Scaling<'_> {
        Scaling {
            mean: self.mean.as_ref(),
            inv_std: self.inv_std.as_ref(),
        }
    }

    /// The means and reciprocal standard deviations, for overwriting with a checked model's.
    pub(crate) fn parts_mut(&mut self) -> (&mut [f32], &mut [f32]) {
        (self.mean.as_mut(), self.inv_std.as_mut())
    }

    /// Standardises `row` in place. [`Error::LengthMismatch`] unless it has `F` values.
    pub fn transform(&self, row: &mut [f32]) -> Result<(), Error> {
        let s = self.scaling();
        if row.len() != s.len() {
            return Err(Error::LengthMismatch {
                expected: s.len(),
                found: row.len(),
            });
        }
        for (j, x) in row.iter_mut().enumerate() {
            *x = s.apply(j, *x);
        }
        Ok(())
    }
}

fn feature(data: &Dataset<'_>, i: u32, j: usize) -> Result<f32, Error> {
    data.sample(i)?
        .0
        .get(j)
        .copied()
        .ok_or(Error::InvalidParameter(Parameter::Shape))
}
