#!/usr/bin/env python3
"""CBLOF and LODA: Vigil vs PyOD 3.6 over many seeds on ADBench files.

Both sides draw from independent random streams (Vigil's k-means++ and projections are not
NumPy's), so one seed's ROC AUC differs by seed noise; over enough seeds the means must agree
within their standard error. Protocol as bench/adbench_peers.py (fit and score on the whole file).

Usage (repository root, peers' Python with PyOD):
  $PY bench/seed_spread_more.py --backend loda --seeds 10 15_Hepatitis 40_vowels
Prints a Markdown row per data set: PyOD mean ± sd, Vigil mean ± sd, Δ of the means, its
standard error √(sd_p²/n + sd_v²/n).
"""
import argparse
import json
import subprocess
import warnings

import numpy as np
from sklearn.metrics import roc_auc_score


def pyod_auc(backend, X, y, seed):
    if backend == "cblof":
        from pyod.models.cblof import CBLOF
        model = CBLOF(random_state=seed)
    else:
        from pyod.models.loda import LODA
        model = LODA(random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model.fit(X)
        except ValueError:  # CBLOF: "Could not form valid cluster separation"
            return None
    return float(roc_auc_score(y, model.decision_scores_))


def vigil_auc(vigil, backend, path, seed):
    out = subprocess.run([vigil, "evaluate", "--data", path, "--backend", backend, "--seed", str(seed), "--json"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])["roc_auc"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", default=".build/release/vigil")
    ap.add_argument("--data-dir", default="../shared/data/adbench")
    ap.add_argument("--backend", choices=["cblof", "loda"], required=True)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("datasets", nargs="+")
    args = ap.parse_args()
    seeds = range(1, args.seeds + 1)
    print("| %s dataset | PyOD mean ± sd | Vigil mean ± sd | Δ mean | std. error of Δ |" % args.backend)
    print("|---|---:|---:|---:|---:|")
    for name in args.datasets:
        path = "%s/%s.npz" % (args.data_dir, name)
        with np.load(path) as z:
            X = np.asarray(z["X"], dtype=np.float64)
            y = np.asarray(z["y"]).astype(int).ravel()
        p = np.array([a for a in (pyod_auc(args.backend, X, y, s) for s in seeds) if a is not None])
        v = np.array([vigil_auc(args.vigil, args.backend, path, s) for s in seeds])
        se = np.sqrt(p.var(ddof=1) / len(p) + v.var(ddof=1) / len(v)) if len(p) > 1 else float("nan")
        print("| %s | %.4f ± %.4f (%d) | %.4f ± %.4f | %+.4f | %.4f |" % (
            name, p.mean() if len(p) else float("nan"), p.std(ddof=1) if len(p) > 1 else 0, len(p),
            v.mean(), v.std(ddof=1), v.mean() - (p.mean() if len(p) else float("nan")), se), flush=True)


if __name__ == "__main__":
    main()
