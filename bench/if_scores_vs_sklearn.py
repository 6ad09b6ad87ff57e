#!/usr/bin/env python3
"""Isolation Forest per-row scores: Vigil against scikit-learn with the same seed.

Fits sklearn.ensemble.IsolationForest(random_state=SEED) on the feature columns of a CSV (all
columns but --label), computes -score_samples(X), then runs

  vigil fit --data CSV --label LABEL --backend isolation_forest --seed SEED --normalization raw
  vigil score --model M --data CSV --format json

and prints the largest relative difference of the raw scores, the share of bit-identical rows and
both ROC AUCs.

Usage (repository root, peers' Python):
  swift build -c release
  $PY bench/if_scores_vs_sklearn.py bench/out/tx_1m.csv --seed 0
"""
import argparse
import json
import os
import subprocess
import tempfile

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--label", default="label")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--vigil", default=".build/release/vigil")
    args = ap.parse_args()

    with open(args.csv) as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(args.csv, delimiter=",", skiprows=1)
    label_col = header.index(args.label)
    y = data[:, label_col]
    x = np.delete(data, label_col, axis=1)
    theirs = -IsolationForest(random_state=args.seed).fit(x).score_samples(x)

    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "m.vigil")
        subprocess.run([args.vigil, "fit", "--data", args.csv, "--label", args.label, "--backend",
                        "isolation_forest", "--seed", str(args.seed), "--normalization", "raw",
                        "--out", model], check=True, capture_output=True)
        out = subprocess.run([args.vigil, "score", "--model", model, "--data", args.csv, "--format", "json"],
                             check=True, capture_output=True, text=True).stdout
    ours = np.array([json.loads(line)["raw_score"] for line in out.splitlines() if line.strip()])
    rel = np.abs(ours - theirs) / theirs
    print(json.dumps({"rows": int(len(ours)), "max_relative_difference": float(rel.max()),
                      "bit_identical_share": float(np.mean(ours == theirs)),
                      "roc_auc_vigil": roc_auc_score(y, ours), "roc_auc_sklearn": roc_auc_score(y, theirs)}))


if __name__ == "__main__":
    main()
