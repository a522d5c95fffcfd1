# Paper check with any head: defaults, 5-fold stratified CV: BCE vs AnyLoss-M, each scored on
# its own metric M. Run from the repository root:
#   python3 scripts/paper_check.py ./target/release/anyloss [seed] [model, e.g. mlp:16]
import json, subprocess, sys
DATA = ["ecoli3","yeast3","abalone19","pima","segment0","breast_cancer","digits_0_vs_rest","anes96_vote"]
BIN = sys.argv[1] if len(sys.argv) > 1 else "anyloss"
seed = sys.argv[2] if len(sys.argv) > 2 else "0"
model = sys.argv[3] if len(sys.argv) > 3 else "linear"
METRICS = [("f1", "F1"), ("fbeta", "F2"), ("gmean", "G-mean"), ("balanced_accuracy", "bal. acc.")]
print(f"model {model}, seed {seed}\n")
print("| dataset (positives) | " + " | ".join(f"{t}: BCE → AnyLoss" for _, t in METRICS) + " |")
print("|---|" + "---|" * len(METRICS))
manifest = {m["name"]: m for m in json.load(open("examples/data/MANIFEST.json"))}
wins = {m: [0, 0, 0] for m, _ in METRICS}
sums = {m: [0.0, 0.0] for m, _ in METRICS}
for ds in DATA:
    out = subprocess.run([BIN, "train", "--data", f"examples/data/{ds}.csv", "--compare",
        "bce,f1,fbeta,gmean,balanced_accuracy", "--beta", "2", "--json", "--quiet", "--seed", seed,
        "--model", model], capture_output=True, text=True, check=True)
    losses = {l["loss"]: l["test_compared_metrics"] for l in json.loads(out.stdout)["losses"]}
    cells = []
    for m, _ in METRICS:
        b, a = losses["bce"][m], losses[m][m]
        sums[m][0] += b; sums[m][1] += a
        wins[m][0 if round(a, 3) > round(b, 3) else 1 if round(a, 3) == round(b, 3) else 2] += 1
        cells.append(f"{b:.3f} → {'**' if a > b else ''}{a:.3f}{'**' if a > b else ''}")
    print(f"| {ds} ({manifest[ds]['pos_rate']*100:.1f}%) | " + " | ".join(cells) + " |", flush=True)
n = len(DATA)
print("| **mean** | " + " | ".join(f"{sums[m][0]/n:.3f} → {sums[m][1]/n:.3f}" for m, _ in METRICS) + " |")
print("| **AnyLoss wins / ties / losses** | " + " | ".join(" / ".join(map(str, wins[m])) for m, _ in METRICS) + " |")
