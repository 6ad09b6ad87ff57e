"""Peer for the registry benchmark: how long a LlamaFarm-style model store takes to save and load
a fitted 100-tree scikit-learn IsolationForest (joblib file per version in a directory).

Prints one JSON line: {"blob_bytes", "repeat", "save": {median_ms, p90_ms, min_ms}, "load_latest": {...}}.
Usage: python bench/registry_peer.py --data FILE.npz [--repeat 50]
"""
import argparse
import json
import os
import tempfile
import time

import joblib
import numpy as np
from sklearn.ensemble import IsolationForest


def summary(samples):
    s = sorted(samples)
    return {"median_ms": s[len(s) // 2], "p90_ms": s[len(s) * 9 // 10], "min_ms": s[0]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    x = np.load(args.data)["X"]
    model = IsolationForest(n_estimators=100, random_state=42).fit(x)
    with tempfile.TemporaryDirectory() as d:
        save, load = [], []
        stamp = 0
        for i in range(args.repeat + 3):
            path = os.path.join(d, f"bench_{stamp:08d}_isolation_forest.joblib")
            stamp += 1
            t = time.perf_counter()
            joblib.dump(model, path)
            with open(path, "rb") as f:
                os.fsync(f.fileno())
            if i >= 3:
                save.append((time.perf_counter() - t) * 1e3)
        size = os.path.getsize(path)
        for i in range(args.repeat + 3):
            t = time.perf_counter()
            # "-latest": newest file of the name, as LlamaFarm resolves it (sorted directory scan).
            latest = sorted(n for n in os.listdir(d) if n.startswith("bench_"))[-1]
            joblib.load(os.path.join(d, latest))
            if i >= 3:
                load.append((time.perf_counter() - t) * 1e3)
    print(json.dumps({"blob_bytes": size, "repeat": args.repeat, "save": summary(save), "load_latest": summary(load)}))


if __name__ == "__main__":
    main()
