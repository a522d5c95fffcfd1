//! The text `anyloss train --help` shows after the flags: worked examples on shipped
//! files, the data format, the defaults and the output.

/// Examples, data, defaults, progress and output of `anyloss train`.
pub(super) const EXAMPLES: &str = "\
Examples:
  # BCE against AnyLoss-F1 and G-mean on an imbalanced set (10% positives), 5-fold CV
  anyloss train --data examples/data/yeast3.csv --compare bce,f1,gmean

  # One loss, JSON of the test and train metrics (means over folds)
  anyloss train --data examples/data/ecoli3.csv --loss f1 --json

  # An MLP with 16 hidden units; the decision threshold tuned for F1 on the training folds
  anyloss train --data examples/data/yeast3.csv --compare bce,f1 --model mlp:16 --tune-threshold

  # A formula loss with a parameter, and the decision threshold 0.3 for training and prediction
  anyloss train --data examples/data/pima.csv --loss 'TP/(TP + gamma*FN + FP)' --param gamma=2 \\
      --threshold 0.3

  # F2 as the hybrid 0.5*BCE + 0.5*(1-F2), Adam, a 25% hold-out; save model and curves
  anyloss train --data examples/data/pima.csv --loss fbeta --beta 2 --mix 0.5 \\
      --optimizer adam --test-fraction 0.25 --save model.json --force --plot curves.svg

  # The same model in the binary device format (what `from_bytes` loads on a device)
  anyloss train --data examples/data/pima.csv --loss f1 --save model.bin --force

Data: a CSV with a header, numeric feature columns and one `label` column of 0/1 (1 = the
class of interest). Features are standardised with the training fold's mean and std.

Defaults (chosen by evidence, see EVIDENCE.md): bce trains to convergence with SGD lr 1,
batch 64, 500 epochs; a metric loss trains 20 epochs of BCE (warm start), then the pure
metric loss 1-M with L=10: SGD lr 0.3, batch 64, 500 epochs in all. Every flag overrides
the recipe of every loss it applies to; --mix, --l and --warm-start apply to metric losses
only. Weights start at zero. With --model mlp:H (or mlp:H1,H2) the head has hidden ReLU
layers, He-initialised from --seed, and the defaults become Adam lr 0.01, batch 64, 300
epochs (a metric loss: 20 of them BCE warm start). Prediction is p >= 0.5, p >= --threshold
(which also centres the metric term's amplifier), or p >= the threshold --tune-threshold
picks on each training part by inner CV.

Progress: the header comes first (above the table, or on stderr with --json), then
progress on stderr while training: a bar on a terminal, else a line per loss and at least
every 5 s. --quiet keeps stderr for errors and warnings.

Output: a table of test and train metrics (mean over folds); with --json
{\"test\":{accuracy,precision,recall,f1,balanced_accuracy,gmean,mcc},\"train\":{...}}, or with
--compare {\"losses\":[{\"loss\",\"objective\",\"recipe\",\"test\",\"train\",
\"test_compared_metrics\"}, ...]}.";
