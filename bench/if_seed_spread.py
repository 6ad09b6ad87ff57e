#!/usr/bin/env python3
"""Isolation Forest: Vigil vs scikit-learn over many seeds on ADBench files.

Vigil emulates scikit-learn's random draws, so for every seed both sides grow the same trees:
the per-seed ROC AUCs must be equal (the last column, the largest per-seed |difference|, ≈ 0),
and so are the means and spreads.

Usage (repository root, peers' Python with scikit-learn):
  $PY bench/if_seed_spread.py --vigil .build/release/vigil \
      --seeds 20 44_Wilt 15_Hepatitis 41_Waveform
Prints one line per data set: mean and std over seeds of each side, the difference of the means,
its standard error and the largest per-seed |difference|.
"""
import argparse
import json
import subprocess

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", default=".build/release/vigil")
    ap.add_argument("--data-dir", default="../shared/data/adbench")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("datasets", nargs="+")
    args = ap.parse_args()
    seeds = range(1, args.seeds + 1)
    print("| dataset | sklearn mean ± sd | Vigil mean ± sd | Δ mean | std. error of Δ | max per-seed \\|Δ\\| |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in args.datasets:
        path = f"{args.data_dir}/{name}.npz"
        d = np.load(path)
        X, y = d["X"].astype(float), d["y"]
        sk = np.array([roc_auc_score(y, -IsolationForest(random_state=s).fit(X).score_samples(X)) for s in seeds])
        vg = []
        for s in seeds:
            out = subprocess.run([args.vigil, "evaluate", "--data", path, "--backend", "isolation_forest",
                                  "--seed", str(s), "--json"], capture_output=True, text=True, check=True).stdout
            vg.append(json.loads(out)["roc_auc"])
        vg = np.array(vg)
        se = np.sqrt(sk.var() / len(sk) + vg.var() / len(vg))
        print(f"| {name} | {sk.mean():.4f} ± {sk.std():.4f} | {vg.mean():.4f} ± {vg.std():.4f} | "
              f"{vg.mean() - sk.mean():+.4f} | {se:.4f} | {np.abs(vg - sk).max():.1e} |", flush=True)


if __name__ == "__main__":
    main()
