#!/usr/bin/env python3
"""Speed of Vigil's PCA, CBLOF, LODA and suod beside PyOD 3.6 on one labelled CSV.

Fit + score on the same rows, both sides on the same data in the same run, interleaved:
for each repeat and each backend, PyOD runs in a fresh child process, then Vigil.

  PyOD  pca    PCA().fit(X); decision_function(X)
        cblof  CBLOF(random_state=0)
        loda   LODA(random_state=0)
        suod   SUOD(base_estimators=[IForest(random_state=0), HBOS(), COPOD()], n_jobs=1)
               (LlamaFarm's default members; needs the `suod` package — without it a PyOD
               loop over the same three members, z-scored and averaged, stands in, marked so)
  Vigil  vigil evaluate --data CSV --label label --backend B --seed 0 --json
         (fit_seconds + score_seconds; its suod uses the default members)

Timings exclude reading the CSV on both sides. Threads: PyOD and NumPy/BLAS as installed
(all cores unless OMP_NUM_THREADS etc. are set), Vigil with all cores (--threads 0); with
--threads 1 both sides are limited to one thread. Prints one JSON line per (backend, repeat)
and a Markdown table of medians: backend | PyOD s | Vigil s | speed-up | ROC AUC both.

Usage (from the repository root):
  $PY ../shared/bench/peers/peer_detectors.py --rows 100000 --cols 10 \\
      --seed 0 --out-csv bench/out/tx_100k.csv --write-only
  swift build -c release
  PY=$PY   # any Python with pyod 3.6 (+ suod for the SUOD peer)
  $PY bench/detectors_speed.py --csv bench/out/tx_100k.csv --repeat 3 \\
      --out bench/results/detectors_speed_100k.jsonl
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKENDS = ["pca", "cblof", "loda", "suod"]


def peer_worker(backend, csv, label):
    """Runs one PyOD fit + score in this process and prints one JSON line."""
    import numpy as np
    from sklearn.metrics import roc_auc_score
    with open(csv) as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(csv, delimiter=",", skiprows=1)
    li = header.index(label)
    y = data[:, li].astype(int)
    X = np.ascontiguousarray(np.delete(data, li, axis=1))
    note = None
    from pyod.models.pca import PCA
    from pyod.models.cblof import CBLOF
    from pyod.models.loda import LODA
    from pyod.models.iforest import IForest
    from pyod.models.hbos import HBOS
    from pyod.models.copod import COPOD
    try:
        from pyod.models.suod import SUOD
        import suod  # noqa: F401  (PyOD's SUOD needs it at construction)
    except ImportError:
        SUOD = None
    members = [IForest(random_state=0), HBOS(), COPOD()]
    # Imports and data loading are done; only fit + score are timed.
    t0 = time.perf_counter()
    if backend == "pca":
        m = PCA().fit(X)
        s = m.decision_function(X)
    elif backend == "cblof":
        m = CBLOF(random_state=0).fit(X)
        s = m.decision_function(X)
    elif backend == "loda":
        m = LODA(random_state=0).fit(X)
        s = m.decision_function(X)
    elif backend == "suod" and SUOD is not None:
        m = SUOD(base_estimators=members, combination="average", n_jobs=1, verbose=False).fit(X)
        s = m.decision_function(X)
    elif backend == "suod":
        note = "suod package missing: PyOD members fitted one after another, z-scored, averaged"
        zs = []
        for d in members:
            d.fit(X)
            t = d.decision_function(X)
            zs.append((t - d.decision_scores_.mean()) / d.decision_scores_.std())
        s = np.mean(zs, axis=0)
    else:
        raise SystemExit("unknown backend %r" % backend)
    seconds = time.perf_counter() - t0
    out = {"side": "pyod", "backend": backend, "seconds": round(seconds, 4),
           "roc_auc": round(float(roc_auc_score(y, s)), 6)}
    if note:
        out["note"] = note
    print(json.dumps(out), flush=True)


def run_json(side, backend, cmd, timeout_s):
    """Runs `cmd`; returns its last JSON line, or a result with seconds None and a note."""
    try:
        cp = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return {"side": side, "backend": backend, "seconds": None, "note": "over %g s" % timeout_s}
    lines = [l for l in cp.stdout.splitlines() if l.startswith("{")]
    if cp.returncode != 0 or not lines:
        return {"side": side, "backend": backend, "seconds": None, "note": cp.stderr.strip()[-300:]}
    return json.loads(lines[-1])


def run_peer(py, backend, csv, label, timeout_s):
    cmd = [py, os.path.abspath(__file__), "--worker", backend, "--csv", csv, "--label", label]
    return run_json("pyod", backend, cmd, timeout_s)


def run_vigil(vigil, backend, csv, label, threads, timeout_s):
    cmd = [vigil, "evaluate", "--data", csv, "--label", label, "--backend", backend, "--seed", "0",
           "--json", "--threads", str(threads)]
    r = run_json("vigil", backend, cmd, timeout_s)
    if r.get("fit_seconds") is None:
        return r
    return {"side": "vigil", "backend": backend, "seconds": round(r["fit_seconds"] + r["score_seconds"], 4),
            "fit_seconds": r["fit_seconds"], "score_seconds": r["score_seconds"], "roc_auc": round(r["roc_auc"], 6)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--csv", default=os.path.join(REPO_ROOT, "bench", "out", "tx_100k.csv"))
    p.add_argument("--label", default="label")
    p.add_argument("--vigil", default=os.path.join(REPO_ROOT, ".build", "release", "vigil"))
    p.add_argument("--backends", default=",".join(BACKENDS))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--threads", type=int, default=0, help="0 = all cores on both sides; 1 = one thread each")
    p.add_argument("--timeout-s", type=float, default=900.0)
    p.add_argument("--out", help="also write the JSON lines here")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        peer_worker(args.worker, args.csv, args.label)
        return 0
    if args.threads == 1:
        for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
            os.environ[v] = "1"
    backends = [b for b in args.backends.split(",") if b]
    lines = []
    out = open(args.out, "w") if args.out else None
    for rep in range(args.repeat):
        for b in backends:
            for r in (run_peer(sys.executable, b, args.csv, args.label, args.timeout_s),
                      run_vigil(args.vigil, b, args.csv, args.label, args.threads, args.timeout_s)):
                r.update({"repeat": rep, "threads": args.threads or os.cpu_count()})
                lines.append(r)
                print(json.dumps(r), file=sys.stderr, flush=True)
                if out:
                    out.write(json.dumps(r) + "\n")
                    out.flush()
    if out:
        out.close()
    print("| backend | PyOD fit+score s (median) | Vigil fit+score s (median) | speed-up | ROC AUC PyOD | ROC AUC Vigil |")
    print("|---|---:|---:|---:|---:|---:|")
    for b in backends:
        def med(side, key="seconds"):
            xs = [r[key] for r in lines if r["backend"] == b and r["side"] == side and r.get(key) is not None]
            return statistics.median(xs) if xs else None
        ps, vs = med("pyod"), med("vigil")
        ratio = "%.1f×" % (ps / vs) if ps and vs else "–"
        fmt = lambda x, nd=3: "–" if x is None else "%.*f" % (nd, x)
        print("| %s | %s | %s | %s | %s | %s |" % (b, fmt(ps), fmt(vs), ratio, fmt(med("pyod", "roc_auc"), 4),
                                                  fmt(med("vigil", "roc_auc"), 4)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
