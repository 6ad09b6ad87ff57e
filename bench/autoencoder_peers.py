#!/usr/bin/env python3
"""PyOD AutoEncoder (PyTorch, CPU) peer for Vigil's `autoencoder` backend.

Quality mode (default): for each ADBench *.npz (X, y), PyOD `AutoEncoder(epoch_num=E,
random_state=s, verbose=0)` with its other defaults (hidden [64, 32], batch norm, dropout
0.2, Adam lr 1e-3 weight decay 1e-5, batch 32, preprocessing) is fitted on all rows and
ROC AUC of `decision_scores_` against y is computed, for seeds s = 1, 2, 3 (--seeds). One JSON line
per (dataset, seed) plus one per dataset with the mean:
  {"dataset": "14_glass", "backend": "autoencoder", "seed": 1, "roc_auc": 0.61, "seconds": 1.2}
  {"dataset": "14_glass", "backend": "autoencoder", "rows": 214, "cols": 7,
   "roc_auc": 0.60, "seeds": [...], "seconds": 3.6}
A run that fails or passes --timeout-s gets "roc_auc": null and a "note".

Speed mode (--speed FILE.csv|.npz): fits PyOD's AutoEncoder for --epochs-a and --epochs-b
epochs and prints per-epoch training seconds = (t_b - t_a) / (b - a), which cancels the
fixed costs (loading, standardising, scoring the training rows).

torch runs with --threads intra-op threads (default 1; the Vigil side gets the same count).

Usage (from the repository root, with a venv holding torch + pyod):
  $PY_TORCH bench/autoencoder_peers.py --out bench/results/autoencoder_peers.jsonl
  $PY_TORCH bench/autoencoder_peers.py --datasets 14_glass,29_Pima
  $PY_TORCH bench/autoencoder_peers.py --speed bench/out/tx_100k.csv --threads 2
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from adbench_peers import DEFAULT_DIR, collect_files, dataset_name  # noqa: E402

SEEDS = [1, 2, 3]


def set_threads(n):
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = str(n)
    import torch
    torch.set_num_threads(n)


def load(path):
    import numpy as np
    if path.endswith(".csv"):
        with open(path) as f:
            header = f.readline().strip().split(",")
        data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
        keep = [i for i, h in enumerate(header) if h != "label"]
        return np.ascontiguousarray(data[:, keep]), None
    with np.load(path) as z:
        X = np.ascontiguousarray(z["X"], dtype=np.float64)
        y = np.asarray(z["y"]).astype(np.int64).ravel()
    return X, y


def fit(X, epochs, seed):
    from pyod.models.auto_encoder import AutoEncoder  # imported before any timing starts
    m = AutoEncoder(epoch_num=epochs, random_state=seed, verbose=0)
    m.fit(X)
    return m


def worker(path, seeds, epochs, threads):
    """Fits one file for every seed in this process (torch is imported and warmed up once)."""
    import numpy as np
    from sklearn.metrics import roc_auc_score
    set_threads(threads)
    X, y = load(path)
    fit(X[:64], 1, 0)  # absorbs torch's one-off start-up (see speed())
    for seed in seeds:
        t0 = time.perf_counter()
        m = fit(X, epochs, seed)
        seconds = time.perf_counter() - t0
        auc = float(roc_auc_score(y, np.asarray(m.decision_scores_, dtype=np.float64)))
        print(json.dumps({"dataset": dataset_name(path), "backend": "autoencoder", "seed": seed,
                          "rows": int(X.shape[0]), "cols": int(X.shape[1]),
                          "roc_auc": round(auc, 6), "seconds": round(seconds, 3)}), flush=True)


def run_child(path, args):
    """Runs the seeds of one file in a child process; returns the per-seed records (a record
    with "roc_auc": None and a "note" for the seeds that failed or ran past the time limit)."""
    seeds = args.seed_list
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", ",".join(map(str, seeds)),
           "--epochs", str(args.epochs), "--threads", str(args.threads), path]
    note = None
    try:
        cp = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout_s * len(seeds))
        stdout = cp.stdout
        if cp.returncode != 0:
            note = "failed: exit %d: %s" % (cp.returncode, " ".join(cp.stderr.strip().splitlines()[-3:])[-300:])
    except subprocess.TimeoutExpired as e:
        stdout = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        note = "timed out: over %g s" % (args.timeout_s * len(seeds))
    done = {r["seed"]: r for r in (json.loads(l) for l in stdout.splitlines() if l.startswith("{"))}
    return [done.get(s) or {"seed": s, "roc_auc": None, "note": note or "no result"} for s in seeds]


def speed(args):
    set_threads(args.threads)
    X, _ = load(args.speed)
    # torch's first fit in a process pays a one-off start-up (seconds to a minute on a busy
    # machine): a 1-epoch fit on 64 rows absorbs it before anything is timed.
    fit(X[:64], 1, 0)
    times, cpu = {}, {}
    for e in (args.epochs_a, args.epochs_b):
        t0, c0 = time.perf_counter(), time.process_time()
        fit(X, e, 0)
        times[e], cpu[e] = time.perf_counter() - t0, time.process_time() - c0
    span = args.epochs_b - args.epochs_a
    print(json.dumps({"file": args.speed, "rows": int(X.shape[0]), "cols": int(X.shape[1]),
                      "threads": args.threads, "fit_seconds": {str(k): round(v, 3) for k, v in times.items()},
                      "seconds_per_epoch": round((times[args.epochs_b] - times[args.epochs_a]) / span, 4),
                      "cpu_seconds_per_epoch": round((cpu[args.epochs_b] - cpu[args.epochs_a]) / span, 4)}),
          flush=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("paths", nargs="*", help="folders with *.npz, or .npz files (default: %s)" % DEFAULT_DIR)
    p.add_argument("--out", help="also write the JSON lines to this file")
    p.add_argument("--datasets", help="comma list of dataset names (e.g. 14_glass,29_Pima)")
    p.add_argument("--epochs", type=int, default=10, help="epoch_num (PyOD's default 10)")
    p.add_argument("--seeds", default=",".join(map(str, SEEDS)), help="random_state values (default 1,2,3)")
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1)")
    p.add_argument("--timeout-s", type=float, default=900.0, help="per seed; a file gets 3 times this (default 900)")
    p.add_argument("--speed", help="CSV/.npz file: print per-epoch training seconds instead")
    p.add_argument("--epochs-a", type=int, default=1)
    p.add_argument("--epochs-b", type=int, default=4)
    p.add_argument("--worker", help=argparse.SUPPRESS)  # internal: comma list of seeds, one file
    args = p.parse_args(argv)
    args.seed_list = [int(x) for x in args.seeds.split(",") if x.strip()]

    if args.worker is not None:
        worker(args.paths[0], [int(x) for x in args.worker.split(",")], args.epochs, args.threads)
        return 0
    if args.speed:
        speed(args)
        return 0

    # Files named one by one run in the order given (e.g. smallest first); folders in ADBench order.
    given_files = args.paths and not any(os.path.isdir(x) for x in args.paths)
    files = list(args.paths) if given_files else collect_files(args.paths or [DEFAULT_DIR])
    if args.datasets:
        wanted = {d.strip() for d in args.datasets.split(",") if d.strip()}
        files = [f for f in files if dataset_name(f) in wanted]
    if not files:
        raise SystemExit("no .npz files")
    out = open(args.out, "w") if args.out else None

    def emit(record):
        line = json.dumps(record)
        print(line, flush=True)
        if out:
            out.write(line + "\n")
            out.flush()
    try:
        for f in files:
            aucs, seconds, summary = [], 0.0, {"dataset": dataset_name(f), "backend": "autoencoder"}
            for r in run_child(f, args):
                r = dict({"dataset": dataset_name(f), "backend": "autoencoder"}, **r)
                emit(r)
                if r.get("roc_auc") is None:
                    summary["note"] = r.get("note")
                    break
                aucs.append(r["roc_auc"])
                seconds += r["seconds"]
                summary["rows"], summary["cols"] = r["rows"], r["cols"]
            summary["roc_auc"] = round(sum(aucs) / len(aucs), 6) if len(aucs) == len(args.seed_list) else None
            summary["seeds"] = aucs
            summary["seconds"] = round(seconds, 3)
            emit(summary)
    finally:
        if out:
            out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
