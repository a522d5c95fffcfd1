//! What the adapters' training examples share (included with `#[path]`): read a bundled CSV
//! (`examples/data/*.csv`: a header, numeric features, a 0/1 `label` column), split it into
//! stratified train and test sets, standardise, run the training recipe's schedule, and
//! compare BCE with AnyLoss-F1 by hard test F1.

use std::fmt;

/// Features (row-major, `d` per row) and 0/1 labels.
pub struct Split {
    /// Features, row-major.
    pub x: Vec<f32>,
    /// Labels.
    pub y: Vec<u8>,
    /// Features per row.
    pub d: usize,
}

impl Split {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.y.len()
    }
}

/// A seeded xorshift generator: the examples' splits and epoch orders are reproducible.
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (any value).
    pub fn new(seed: u64) -> Self {
        Self((seed ^ 0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// Shuffles `items` in place (Fisher-Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            items.swap(i, (self.0 % (i as u64 + 1)) as usize);
        }
    }
}

/// A CSV that cannot be used, with its position.
#[derive(Debug)]
pub struct DataError(String);

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DataError {}

/// Reads `path`, then splits it: a share `test_share` of each class goes to the test set,
/// chosen by a seeded shuffle; features are standardised with the training set's mean and
/// standard deviation.
pub fn load(path: &str, test_share: f64, seed: u64) -> Result<(Split, Split), DataError> {
    let text = std::fs::read_to_string(path).map_err(|e| DataError(format!("{path}: {e}")))?;
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or_else(|| DataError(format!("{path}: empty file")))?;
    let names: Vec<&str> = header.split(',').map(str::trim).collect();
    let label_col = names
        .iter()
        .position(|&n| n == "label")
        .ok_or_else(|| DataError(format!("{path}:1: no `label` column in the header")))?;
    let d = names.len() - 1;
    let (mut rows, mut labels) = (Vec::new(), Vec::new());
    for (i, line) in lines {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != names.len() {
            return Err(DataError(format!(
                "{path}:{}: {} fields, the header has {}",
                i + 1,
                fields.len(),
                names.len()
            )));
        }
        let mut row = Vec::with_capacity(d);
        for (c, f) in fields.iter().enumerate() {
            let v: f32 = f.parse().map_err(|_| {
                DataError(format!(
                    "{path}:{}: column {} is not a number: {f:?}",
                    i + 1,
                    c + 1
                ))
            })?;
            if !v.is_finite() {
                return Err(DataError(format!(
                    "{path}:{}: column {} is {v}",
                    i + 1,
                    c + 1
                )));
            }
            if c == label_col {
                if v != 0.0 && v != 1.0 {
                    return Err(DataError(format!(
                        "{path}:{}: label {v} is not 0 or 1",
                        i + 1
                    )));
                }
                labels.push(v as u8);
            } else {
                row.push(v);
            }
        }
        rows.push(row);
    }
    if labels.iter().all(|&l| l == 0) || labels.iter().all(|&l| l == 1) {
        return Err(DataError(format!("{path}: both classes are needed")));
    }

    // Seeded shuffle per class, so both sets keep the class ratio.
    let mut rng = Rng::new(seed);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for class in [0u8, 1] {
        let mut idx: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        rng.shuffle(&mut idx);
        let n_test = ((idx.len() as f64) * test_share).round() as usize;
        test.extend_from_slice(&idx[..n_test]);
        train.extend_from_slice(&idx[n_test..]);
    }
    let mut mean = vec![0.0f64; d];
    let mut var = vec![0.0f64; d];
    for &i in &train {
        for (m, &v) in mean.iter_mut().zip(&rows[i]) {
            *m += f64::from(v) / train.len() as f64;
        }
    }
    for &i in &train {
        for ((s, m), &v) in var.iter_mut().zip(&mean).zip(&rows[i]) {
            *s += (f64::from(v) - m).powi(2) / train.len() as f64;
        }
    }
    let take = |set: &[usize]| Split {
        x: set
            .iter()
            .flat_map(|&i| {
                rows[i].iter().enumerate().map(|(c, &v)| {
                    let sd = var[c].sqrt();
                    // A constant column carries nothing: centre it, do not divide by 0.
                    ((f64::from(v) - mean[c]) / if sd > 0.0 { sd } else { 1.0 }) as f32
                })
            })
            .collect(),
        y: set.iter().map(|&i| labels[i]).collect(),
        d,
    };
    Ok((take(&train), take(&test)))
}

/// F1 of hard predictions `score > 0` (logits) against `labels`; 0 when undefined.
pub fn f1_of_logits(logits: &[f32], labels: &[u8]) -> f64 {
    let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
    for (&z, &y) in logits.iter().zip(labels) {
        match (z > 0.0, y == 1) {
            (true, true) => tp += 1.0,
            (true, false) => fp += 1.0,
            (false, true) => fn_ += 1.0,
            (false, false) => {}
        }
    }
    let denom = 2.0 * tp + fp + fn_;
    if denom > 0.0 {
        2.0 * tp / denom
    } else {
        0.0
    }
}

/// Epochs of the recipe (`EVIDENCE.md`).
pub const EPOCHS: usize = 500;
/// Epochs of BCE before AnyLoss-F1 takes over, as a warm start.
pub const WARM_START: usize = 20;
/// Rows per SGD step.
pub const BATCH: usize = 64;

/// One SGD step of the recipe.
pub struct Step {
    /// The rows of the batch ([`BATCH`] of them, fewer at an epoch's end).
    pub rows: Vec<usize>,
    /// AnyLoss-F1 gives the gradient (after [`WARM_START`] epochs of the AnyLoss run), not BCE.
    pub use_metric: bool,
    /// The learning rate: 0.3 for the AnyLoss run, 1 for BCE.
    pub lr: f64,
}

/// The recipe's steps for one model on `rows` training rows: [`EPOCHS`] epochs, each a
/// seeded shuffle cut into batches. `metric_loss`: the AnyLoss-F1 run, else BCE throughout.
pub fn schedule(rows: usize, metric_loss: bool) -> impl Iterator<Item = Step> {
    let mut order: Vec<usize> = (0..rows).collect();
    let mut rng = Rng::new(0x2545_f491_4f6c_dd1d);
    let lr = if metric_loss { 0.3 } else { 1.0 };
    (0..EPOCHS).flat_map(move |epoch| {
        rng.shuffle(&mut order);
        let use_metric = metric_loss && epoch >= WARM_START;
        order
            .chunks(BATCH)
            .map(|rows| Step {
                rows: rows.to_vec(),
                use_metric,
                lr,
            })
            .collect::<Vec<_>>()
    })
}

/// The examples' `main`: loads the CSV named by the first argument (default: the bundled
/// yeast3), holds out 30 % of each class, and prints the test F1 of a model trained with
/// BCE and of one trained with AnyLoss-F1. `fit(train, test, metric_loss)` trains with
/// [`schedule`] and returns the model's logits on `test`.
///
/// # Errors
/// An unusable CSV or the first error of `fit`.
pub fn compare(
    framework: &str,
    mut fit: impl FnMut(&Split, &Split, bool) -> Result<Vec<f32>, Box<dyn std::error::Error>>,
) -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/data/yeast3.csv"
        )
        .to_string()
    });
    let (train_set, test_set) = load(&path, 0.3, 7)?;
    let positives = |s: &Split| s.y.iter().filter(|&&y| y == 1).count();
    println!(
        "{path}: {} train rows ({} positive), {} test rows ({} positive), {} features",
        train_set.rows(),
        positives(&train_set),
        test_set.rows(),
        positives(&test_set),
        train_set.d
    );
    for (name, metric_loss) in [("BCE", false), ("AnyLoss-F1", true)] {
        let start = std::time::Instant::now();
        let logits = fit(&train_set, &test_set, metric_loss)?;
        println!(
            "{framework:<7} {name:<10}  test F1 {:.4}  ({:.1} s)",
            f1_of_logits(&logits, &test_set.y),
            start.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
