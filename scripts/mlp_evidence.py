# Evidence for the MLP defaults of `anyloss train --model mlp:16`: 5-fold stratified CV,
# mean test F1 over the folds, on every bundled dataset; the threshold-tuned BCE MLP is the
# rival. Run from the repository root:
#   python3 scripts/mlp_evidence.py ./target/release/anyloss [seed] [rows, e.g. 0,1,4]
# (the optional third argument runs only those rows of ROWS, 0-based, to split the work).
import json, subprocess, sys
DATA = ["ecoli3","yeast3","abalone19","pima","segment0","breast_cancer","digits_0_vs_rest","anes96_vote"]
BIN = sys.argv[1] if len(sys.argv) > 1 else "anyloss"
SEED = sys.argv[2] if len(sys.argv) > 2 else "0"
MODEL = "mlp:16"

def run(ds, flags):
    args = [BIN, "train", "--data", f"examples/data/{ds}.csv", "--model", MODEL, "--json",
            "--quiet", "--seed", SEED] + flags.split()
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    v = json.loads(out.stdout)
    if "losses" in v:
        return {l["loss"]: l["test"]["f1"] for l in v["losses"]}
    return {"single": v["test"]["f1"]}

ROWS = [
    ("BCE, threshold 0.5", "--compare bce,f1", "bce"),
    ("**AnyLoss-F1 default** (20 BCE warm-start epochs, then 1−F1, L=10; Adam 0.01, batch 64, 300 epochs)", "--compare bce,f1", "f1"),
    ("BCE, `--tune-threshold` (the rival)", "--compare bce,f1 --tune-threshold", "bce"),
    ("AnyLoss-F1 default, `--tune-threshold`", "--compare bce,f1 --tune-threshold", "f1"),
    ("AnyLoss-F1 hybrid r=0.5", "--loss f1 --mix 0.5", "single"),
    ("AnyLoss-F1, no warm start", "--loss f1 --warm-start 0", "single"),
    ("AnyLoss-F1, L=5", "--loss f1 --l 5", "single"),
]
if len(sys.argv) > 3:
    keep = {int(k) for k in sys.argv[3].split(",")}
    ROWS = [r for k, r in enumerate(ROWS) if k in keep]
cache, table = {}, {}
print(f"model {MODEL}, seed {SEED}\n")
print("| recipe | " + " | ".join(DATA) + " | mean |")
print("|---|" + "---|" * (len(DATA) + 1))
for name, flags, key in ROWS:
    vals = []
    for ds in DATA:
        if (ds, flags) not in cache:
            cache[(ds, flags)] = run(ds, flags)
        vals.append(cache[(ds, flags)][key])
    table[name] = vals
    print(f"| {name} | " + " | ".join(f"{v:.3f}" for v in vals) + f" | **{sum(vals)/len(vals):.3f}** |", flush=True)
rival = table.get("BCE, `--tune-threshold` (the rival)")
if rival is None:
    sys.exit(0)
print("\nwins / ties / losses against the threshold-tuned BCE MLP (values rounded to 3 decimals):")
for name, vals in table.items():
    w = sum(round(a, 3) > round(b, 3) for a, b in zip(vals, rival))
    t = sum(round(a, 3) == round(b, 3) for a, b in zip(vals, rival))
    print(f"- {name}: {w} / {t} / {len(DATA) - w - t}")
