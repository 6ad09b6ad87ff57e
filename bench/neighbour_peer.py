#!/usr/bin/env python3
"""One PyOD peer of the neighbour, kernel and covariance detectors, fitted and scored on a CSV.

Reads a CSV with a header (features, plus a `label` column that is left out), fits the PyOD
detector on all rows and scores the same rows with decision_function (the same two steps as
`vigil evaluate`: fit, then score), single-threaded. Prints one JSON line:
  {"backend", "rows", "cols", "fit_seconds", "score_seconds", "roc_auc"}

  knn                   KNN(n_neighbors=5, method='largest')
  local_outlier_factor  LOF(n_neighbors=20)
  one_class_svm         OCSVM(kernel='rbf', gamma='auto', nu=0.1)
  mcd                   MCD(random_state=0)

Usage: python bench/neighbour_peer.py --csv bench/out/tx_100k.csv --backend knn [--rows N]
(--rows keeps the first N rows, for one_class_svm which Vigil caps at 20,000 rows).
"""
import argparse
import json
import os
import sys
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--csv", required=True)
    p.add_argument("--backend", required=True, choices=["knn", "local_outlier_factor", "one_class_svm", "mcd"])
    p.add_argument("--rows", type=int, default=0)
    a = p.parse_args()
    import numpy as np
    from sklearn.metrics import roc_auc_score
    data = np.genfromtxt(a.csv, delimiter=",", names=True)
    names = [n for n in data.dtype.names if n != "label"]
    X = np.column_stack([data[n] for n in names]).astype(np.float64)
    y = data["label"].astype(int)
    if a.rows:
        X, y = X[:a.rows], y[:a.rows]
    if a.backend == "knn":
        from pyod.models.knn import KNN
        m = KNN(n_neighbors=5, method="largest", n_jobs=1)
    elif a.backend == "local_outlier_factor":
        from pyod.models.lof import LOF
        m = LOF(n_neighbors=20, n_jobs=1)
    elif a.backend == "one_class_svm":
        from pyod.models.ocsvm import OCSVM
        m = OCSVM(kernel="rbf", gamma="auto", nu=0.1)
    else:
        from pyod.models.mcd import MCD
        m = MCD(random_state=0)
    t0 = time.perf_counter()
    m.fit(X)
    t1 = time.perf_counter()
    s = m.decision_function(X)
    t2 = time.perf_counter()
    print(json.dumps({"backend": a.backend, "rows": int(X.shape[0]), "cols": int(X.shape[1]),
                      "fit_seconds": round(t1 - t0, 3), "score_seconds": round(t2 - t1, 3),
                      "roc_auc": round(float(roc_auc_score(y, m.decision_scores_)), 6)}))


if __name__ == "__main__":
    sys.exit(main())
