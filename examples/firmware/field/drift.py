#!/usr/bin/env python3
"""The field scenario's data: the bundled yeast3 split in two, the device's half drifted.

    python3 drift.py ../../data/yeast3.csv OUTDIR

Rows are taken in file order, data row i (0-based) going to
  - host.csv   when i % 4 is 0 or 2: the host's training half, as measured;
  - stream.csv when i % 4 is 1: the device's stream, drifted;
  - test.csv   when i % 4 is 3: the device's held-out part, drifted.
The interleaving keeps each class's share in every part (yeast3's rows are not sorted by
label). The drift is a miscalibrated sensor on the device: the features named in DRIFT
read GAIN * x + OFFSET. Values are written with 6 significant digits, so the host and
the device (which embeds the CSVs) parse the same f32s. Standard library only.
"""

import csv
import sys
from pathlib import Path

# The drifted features (a sensor with 20 % too much gain and an offset of +0.05 on the
# features' [0, 1] scale).
DRIFT = ("Mcg", "Alm")
GAIN = 1.2
OFFSET = 0.05

PARTS = {"host.csv": (0, 2), "stream.csv": (1,), "test.csv": (3,)}


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    with source.open(newline="") as f:
        rows = list(csv.reader(f))
    header, data = rows[0], rows[1:]
    missing = [name for name in DRIFT + ("label",) if name not in header]
    if missing:
        print(f"{source}: line 1: no column {', '.join(missing)}", file=sys.stderr)
        return 1
    drifted = [header.index(name) for name in DRIFT]
    out.mkdir(parents=True, exist_ok=True)
    for name, residues in PARTS.items():
        with (out / name).open("w", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(header)
            for i, row in enumerate(data):
                if i % 4 not in residues:
                    continue
                if name != "host.csv":
                    row = list(row)
                    for j in drifted:
                        row[j] = f"{GAIN * float(row[j]) + OFFSET:.6g}"
                writer.writerow(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
