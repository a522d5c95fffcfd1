//! Standardisation of any finite f32 column, up to ±f32::MAX: statistics against an f64
//! reference, and standardised values that are finite with mean 0 and std 1.

use anyloss_core::train::{Dataset, Standardizer};
use anyloss_core::Error;

/// Population mean and std of `col` in f64, with the deviations scaled so nothing overflows.
fn reference(col: &[f32]) -> (f64, f64) {
    let n = col.len() as f64;
    let mean = col.iter().map(|&x| f64::from(x) / n).sum::<f64>();
    let var = col
        .iter()
        .map(|&x| (f64::from(x) - mean).powi(2) / n)
        .sum::<f64>();
    (mean, var.sqrt())
}

#[test]
fn any_finite_column_standardises_to_mean_0_and_std_1() {
    let columns: [[f32; 4]; 5] = [
        [1e20, 2e20, 3e20, 5e20],
        [3e38, 1e38, 3.4e38, 2e38],
        [3e38, -3e38, 3e38, -1e38],
        [f32::MAX, -f32::MAX, f32::MAX, -f32::MAX],
        [1e-30, 2e-30, 4e-30, 8e-30],
    ];
    for col in columns {
        let y = [0u8, 1, 0, 1];
        let data = Dataset::new(&col, &y, 1).unwrap();
        let mut s = Standardizer::new(vec![0.0; 1], vec![0.0; 1]).unwrap();
        s.fit(&data, &[0, 1, 2, 3]).unwrap();
        let (mean, std) = reference(&col);
        let (m, inv) = (s.scaling().mean()[0], s.scaling().inv_std()[0]);
        assert!(
            m.is_finite() && inv.is_finite() && inv > 0.0,
            "{col:?}: {m} {inv}"
        );
        assert!(
            (f64::from(m) - mean).abs() <= 1e-6 * std,
            "{col:?}: mean {m} vs {mean}"
        );
        // Above 2^-126 the reciprocal is a normal f32; below, a subnormal keeps fewer bits.
        let tol = if inv >= f32::MIN_POSITIVE { 1e-6 } else { 1e-3 };
        assert!(
            (f64::from(inv) * std - 1.0).abs() <= tol,
            "{col:?}: inv_std {inv} vs 1/{std}"
        );
        let z: Vec<f64> = col
            .iter()
            .map(|&x| {
                let mut row = [x];
                s.transform(&mut row).unwrap();
                assert!(row[0].is_finite(), "{col:?}: {x} -> {}", row[0]);
                f64::from(row[0])
            })
            .collect();
        let (zm, zs) = reference(&z.iter().map(|&v| v as f32).collect::<Vec<_>>());
        assert!(
            zm.abs() < 1e-3 && (zs - 1.0).abs() < 1e-3,
            "{col:?}: {zm} {zs}"
        );
    }
}

#[test]
fn a_constant_column_standardises_to_0_and_a_subnormal_spread_is_named() {
    let x = [1.0f32, 1e-41, 1.0, 2e-41, 1.0, 1e-41, 1.0, 3e-41];
    let y = [0u8, 1, 0, 1];
    let data = Dataset::new(&x, &y, 2).unwrap();
    let mut s = Standardizer::new(vec![0.0; 2], vec![0.0; 2]).unwrap();
    assert_eq!(
        s.fit(&data, &[0, 1, 2, 3]),
        Err(Error::UnscalableFeature { feature: 1 })
    );
    assert!(Error::UnscalableFeature { feature: 1 }
        .to_string()
        .contains("feature 1"));
    s.fit(&data, &[0, 2]).unwrap();
    assert_eq!(s.scaling().inv_std(), &[1.0, 1.0]);
    let mut row = [1.0f32, 1e-41];
    s.transform(&mut row).unwrap();
    assert_eq!(row, [0.0, 0.0]);
}
