#!/usr/bin/env python3
"""ADBench peer AUCs: scikit-learn IsolationForest and PyOD ECOD / COPOD / HBOS.

Protocol ("fit and score on the whole file", unsupervised): for each ADBench
*.npz (arrays X, y), X is cast to float64 and every detector is fitted on all
rows and scores the same rows; ROC AUC (sklearn roc_auc_score) against y.

  isolation_forest  sklearn IsolationForest(n_estimators=100, max_samples='auto',
                    random_state=s, n_jobs=1), score = -score_samples(X), for
                    s = 1, 2, 3; "roc_auc" is the mean, "seeds" the three AUCs
  ecod, copod       PyOD ECOD() / COPOD() defaults (n_jobs=1), decision_scores_
  hbos              PyOD HBOS() defaults, decision_scores_

  Neighbour, kernel and covariance detectors (PyOD defaults, decision_scores_):
  knn               PyOD KNN(n_neighbors=5, method='largest')
  knn_mean          PyOD KNN(n_neighbors=5, method='mean')
  knn_median        PyOD KNN(n_neighbors=5, method='median')
  local_outlier_factor  PyOD LOF(n_neighbors=20)
  one_class_svm     PyOD OCSVM(kernel='rbf', gamma='auto', nu=0.1): nu = the
                    service's default contamination, as LlamaFarm passes it
  mcd               PyOD MCD(random_state=s) for s = 1, 2, 3 (mean, as for
                    isolation_forest)

Prints one JSON line per (dataset, backend):
  {"dataset": "14_glass", "backend": "ecod", "rows": 214, "cols": 7,
   "roc_auc": 0.61, "seconds": 0.01}          (+ "seeds": [...] for isolation_forest)
A backend that fails or passes --timeout-s gets "roc_auc": null and a "note".

Everything runs single-threaded. Each (dataset, backend) runs in a child process
of this script so that a slow one can be stopped after --timeout-s.

Usage (from the repository root, with the peers' Python):
  $PY bench/adbench_peers.py \
      --out bench/results/adbench_peers.jsonl           # all *.npz in ../shared/data/adbench
  python bench/adbench_peers.py DIR_OR_FILE.npz ...     # other folders / files
  python bench/adbench_peers.py --datasets 14_glass,29_Pima --backends ecod,hbos
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import time

# single-threaded numerics; must be set before numpy is imported
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "NUMEXPR_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

BACKENDS = ["isolation_forest", "ecod", "copod", "hbos"]
IF_SEEDS = [1, 2, 3]

# --- neighbour, kernel and covariance detectors -------------------------------
NEIGHBOUR_BACKENDS = ["knn", "knn_mean", "knn_median", "local_outlier_factor", "one_class_svm", "mcd"]
BACKENDS += NEIGHBOUR_BACKENDS


def neighbour_scores(backend, X, seed):
    """Training scores (decision_scores_) of one neighbour/kernel/covariance peer."""
    if backend.startswith("knn"):
        from pyod.models.knn import KNN
        method = {"knn": "largest", "knn_mean": "mean", "knn_median": "median"}[backend]
        m = KNN(n_neighbors=5, method=method, n_jobs=1)
    elif backend == "local_outlier_factor":
        from pyod.models.lof import LOF
        m = LOF(n_neighbors=20, n_jobs=1)
    elif backend == "one_class_svm":
        from pyod.models.ocsvm import OCSVM
        m = OCSVM(kernel="rbf", gamma="auto", nu=0.1)
    elif backend == "mcd":
        from pyod.models.mcd import MCD
        m = MCD(random_state=seed)
    else:
        raise SystemExit("unknown backend %r" % backend)
    m.fit(X)
    return m.decision_scores_
# ------------------------------------------------------------------------------
# --- more detectors: PCA, CBLOF, LODA and the SUOD ensemble (PyOD 3.6 defaults) ---
#   pca    PyOD PCA() (standardization=True, weighted=True), decision_scores_
#   cblof  PyOD CBLOF(random_state=s) (n_clusters=8, alpha 0.9, beta 5), s = 1, 2, 3, mean
#   loda   PyOD LODA(random_state=s) (n_bins 10, n_random_cuts 100), s = 1, 2, 3
#   suod   PyOD SUOD(base_estimators=[IForest, HBOS, COPOD], combination="average", n_jobs=1),
#          LlamaFarm's default members; IForest random_state=s, s = 1, 2, 3, mean
MORE_BACKENDS = ["pca", "cblof", "loda", "suod"]
MORE_SEEDED = {"cblof", "loda", "suod"}
BACKENDS = BACKENDS + MORE_BACKENDS


def more_detector(backend, seed):
    """One fitted-to-be PyOD model for the block above (seed used by the random ones)."""
    import numpy as np
    if backend == "pca":
        from pyod.models.pca import PCA
        return PCA()
    if backend == "cblof":
        from pyod.models.cblof import CBLOF
        return CBLOF(random_state=seed)
    if backend == "loda":
        from pyod.models.loda import LODA
        return LODA(random_state=seed)
    if backend == "suod":
        from pyod.models.suod import SUOD
        from pyod.models.iforest import IForest
        from pyod.models.hbos import HBOS
        from pyod.models.copod import COPOD
        np.random.seed(seed)
        return SUOD(base_estimators=[IForest(random_state=seed), HBOS(), COPOD()],
                    combination="average", n_jobs=1, verbose=False)
    raise SystemExit("unknown backend %r" % backend)


def evaluate_more(X, y, backend, out):
    """Fills out["roc_auc"] (and "seeds") for a backend of the block above."""
    import numpy as np
    from sklearn.metrics import roc_auc_score
    seeds = IF_SEEDS if backend in MORE_SEEDED else [IF_SEEDS[0]]
    aucs = []
    for s in seeds:
        m = more_detector(backend, s)
        m.fit(X)
        aucs.append(float(roc_auc_score(y, np.asarray(m.decision_scores_, dtype=np.float64))))
    out["roc_auc"] = round(float(np.mean(aucs)), 6)
    if backend in MORE_SEEDED:
        out["seeds"] = [round(a, 6) for a in aucs]
# --- end of the block for more detectors ---
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DIR = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "data", "adbench"))


def dataset_name(path):
    base = os.path.basename(path)
    return base[:-4] if base.endswith(".npz") else base


def load(path):
    import numpy as np
    with np.load(path) as z:
        X = np.ascontiguousarray(z["X"], dtype=np.float64)
        y = np.asarray(z["y"]).astype(np.int64).ravel()
    return X, y


def evaluate(path, backend):
    """Runs one backend on one file in this process; returns the result dict."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    X, y = load(path)
    out = {"dataset": dataset_name(path), "backend": backend,
           "rows": int(X.shape[0]), "cols": int(X.shape[1])}
    t0 = time.perf_counter()
    if backend == "isolation_forest":
        from sklearn.ensemble import IsolationForest
        aucs = []
        for s in IF_SEEDS:
            m = IsolationForest(n_estimators=100, max_samples="auto", random_state=s, n_jobs=1)
            m.fit(X)
            aucs.append(float(roc_auc_score(y, -m.score_samples(X))))
        out["roc_auc"] = round(float(np.mean(aucs)), 6)
        out["seeds"] = [round(a, 6) for a in aucs]
    elif backend in NEIGHBOUR_BACKENDS:
        seeds = IF_SEEDS if backend == "mcd" else [None]
        aucs = [float(roc_auc_score(y, np.asarray(neighbour_scores(backend, X, s), dtype=np.float64)))
                for s in seeds]
        out["roc_auc"] = round(float(np.mean(aucs)), 6)
        if backend == "mcd":
            out["seeds"] = [round(a, 6) for a in aucs]
    elif backend in MORE_BACKENDS:
        evaluate_more(X, y, backend, out)
    else:
        if backend == "ecod":
            from pyod.models.ecod import ECOD
            m = ECOD(n_jobs=1)
        elif backend == "copod":
            from pyod.models.copod import COPOD
            m = COPOD(n_jobs=1)
        elif backend == "hbos":
            from pyod.models.hbos import HBOS
            m = HBOS()
        else:
            raise SystemExit("unknown backend %r (known: %s)" % (backend, ",".join(BACKENDS)))
        m.fit(X)
        out["roc_auc"] = round(float(roc_auc_score(y, np.asarray(m.decision_scores_, dtype=np.float64))), 6)
    out["seconds"] = round(time.perf_counter() - t0, 3)
    return out


def run_child(path, backend, timeout_s):
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", backend, path]
    try:
        cp = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return {"roc_auc": None, "note": "skipped: over %g s" % timeout_s}
    lines = [l for l in cp.stdout.splitlines() if l.startswith("{")]
    if cp.returncode != 0 or not lines:
        tail = " ".join(cp.stderr.strip().splitlines()[-3:])[-300:]
        return {"roc_auc": None, "note": "failed: exit %d: %s" % (cp.returncode, tail)}
    return json.loads(lines[-1])


def collect_files(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += glob.glob(os.path.join(p, "*.npz"))
        else:
            files.append(p)

    def key(f):  # ADBench files start with their number: 1_ALOI, 4_breastw, ...
        head = dataset_name(f).split("_", 1)[0]
        return (int(head) if head.isdigit() else 10 ** 9, dataset_name(f))
    return sorted(set(files), key=key)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("paths", nargs="*", help="folders with *.npz, or .npz files (default: %s)" % DEFAULT_DIR)
    p.add_argument("--out", help="also write the JSON lines to this file")
    p.add_argument("--datasets", help="comma list of dataset names (e.g. 14_glass,29_Pima)")
    p.add_argument("--backends", default=",".join(BACKENDS), help="comma list from %s" % ",".join(BACKENDS))
    p.add_argument("--timeout-s", type=float, default=600.0,
                   help="per (dataset, backend); a slower one is skipped with a note (default 600)")
    p.add_argument("--worker", help=argparse.SUPPRESS)  # internal: one backend, one file
    args = p.parse_args(argv)

    if args.worker:
        print(json.dumps(evaluate(args.paths[0], args.worker)), flush=True)
        return 0

    files = collect_files(args.paths or [DEFAULT_DIR])
    if args.datasets:
        wanted = {d.strip() for d in args.datasets.split(",") if d.strip()}
        files = [f for f in files if dataset_name(f) in wanted]
        missing = wanted - {dataset_name(f) for f in files}
        if missing:
            print("warning: not found: %s" % ",".join(sorted(missing)), file=sys.stderr)
    if not files:
        raise SystemExit("no .npz files")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    for b in backends:
        if b not in BACKENDS:
            raise SystemExit("unknown backend %r (known: %s)" % (b, ",".join(BACKENDS)))

    out = open(args.out, "w") if args.out else None
    try:
        for f in files:
            for b in backends:
                r = run_child(f, b, args.timeout_s)
                if "dataset" not in r:  # failed or timed out: fill in what we know
                    r = dict({"dataset": dataset_name(f), "backend": b}, **r)
                line = json.dumps(r)
                print(line, flush=True)
                if out:
                    out.write(line + "\n")
                    out.flush()
    finally:
        if out:
            out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
