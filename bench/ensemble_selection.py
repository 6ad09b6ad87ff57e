#!/usr/bin/env python3
"""Chooses the suod ensemble's default members by mean ROC AUC on the ADBench sets.

For every *.npz and every candidate backend (default: every backend `vigil fit --help`
lists, except suod itself), Vigil fits the backend with its default parameters on the
whole file and scores the same rows ("fit and score on the whole file", as
bench/adbench_quality.py):

  vigil fit   --data FILE --backend B --seed S --out bench/out/ensemble/M.vigil
  vigil score --model bench/out/ensemble/M.vigil --data FILE --format csv   (raw_score column)

Each backend's raw scores are z-scored with their own mean and population std (what the
ensemble does with its members' training scores), then every subset of two or more
candidates is combined by mean, max and aom (2 buckets) and scored with ROC AUC against y.
The script prints the single backends' mean AUC, the best candidate sets, and the winner,
and writes every (set, combination) with its mean and per-data-set AUCs as JSON lines.

A set's AUC here uses each member's seed-S scores; `vigil evaluate --backend suod` seeds
member i with a seed derived from S, so the real ensemble differs slightly for the random
members (IsolationForest, CBLOF, LODA). bench/adbench_quality.py measures the real one.

Usage (from the repository root; needs numpy and scikit-learn, e.g. the peers' venv):
  swift build -c release
  $PY bench/ensemble_selection.py \\
      --out bench/results/ensemble_selection.jsonl
  ... --backends isolation_forest,ecod,hbos,pca --datasets 14_glass,29_Pima --max-size 4
Scores are cached in bench/out/ensemble/ (git-ignored); --fresh recomputes them.
"""

import argparse
import glob
import itertools
import json
import os
import re
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "data", "adbench"))
DEFAULT_VIGIL = os.path.join(REPO_ROOT, ".build", "release", "vigil")
CACHE = os.path.join(REPO_ROOT, "bench", "out", "ensemble")


def dataset_name(path):
    return os.path.basename(path)[:-4]


def vigil_backends(vigil):
    """Backend names from `vigil fit --help` ("Detector: a, b, c.")."""
    text = subprocess.run([vigil, "fit", "--help"], capture_output=True, text=True).stdout
    m = re.search(r"Detector: ([a-z_, ]+)", " ".join(text.split()))
    if not m:
        raise SystemExit("cannot read the backend list from `%s fit --help`" % vigil)
    return [b.strip() for b in m.group(1).split(",") if b.strip() and b.strip() != "suod"]


def raw_scores(vigil, path, backend, seed, timeout_s, fresh):
    """Raw training scores of `backend` on `path` (cached as .json); None on failure."""
    import numpy as np
    os.makedirs(CACHE, exist_ok=True)
    stem = os.path.join(CACHE, "%s__%s__%d" % (dataset_name(path), backend, seed))
    if os.path.exists(stem + ".json") and not fresh:
        with open(stem + ".json") as f:
            return np.asarray(json.load(f), dtype=np.float64)
    try:
        fit = subprocess.run([vigil, "fit", "--data", path, "--backend", backend, "--seed", str(seed),
                              "--out", stem + ".vigil"], capture_output=True, text=True, timeout=timeout_s)
        if fit.returncode != 0:
            print("  %s %s: fit failed: %s" % (dataset_name(path), backend, fit.stderr.strip()[-200:]), file=sys.stderr)
            return None
        score = subprocess.run([vigil, "score", "--model", stem + ".vigil", "--data", path, "--format", "csv"],
                               capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        print("  %s %s: over %g s, left out" % (dataset_name(path), backend, timeout_s), file=sys.stderr)
        return None
    if score.returncode != 0:
        print("  %s %s: score failed: %s" % (dataset_name(path), backend, score.stderr.strip()[-200:]), file=sys.stderr)
        return None
    lines = score.stdout.strip().splitlines()
    column = lines[0].split(",").index("raw_score")
    values = [float(l.split(",")[column]) for l in lines[1:]]
    with open(stem + ".json", "w") as f:
        json.dump(values, f)
    os.remove(stem + ".vigil")
    return np.asarray(values, dtype=np.float64)


def zscore(s):
    import numpy as np
    sd = float(np.std(s))
    return (s - float(np.mean(s))) / (sd if sd > 0 and np.isfinite(sd) else 1.0)


def combine(zs, how):
    import numpy as np
    m = np.vstack(zs)  # members × rows
    if how == "mean":
        return m.mean(axis=0)
    if how == "max":
        return m.max(axis=0)
    buckets = min(2, m.shape[0])  # aom: consecutive groups, maxima averaged
    k = m.shape[0]
    return np.mean([m[b * k // buckets:(b + 1) * k // buckets].max(axis=0) for b in range(buckets)], axis=0)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--vigil", default=DEFAULT_VIGIL)
    p.add_argument("--data", default=DEFAULT_DATA, help="folder with *.npz")
    p.add_argument("--datasets", help="comma list of data set names (default: all)")
    p.add_argument("--backends", help="comma list of candidate members (default: all but suod)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--min-size", type=int, default=2)
    p.add_argument("--max-size", type=int, default=0, help="largest set (default: all candidates)")
    p.add_argument("--timeout-s", type=float, default=600.0, help="per vigil run")
    p.add_argument("--fresh", action="store_true", help="recompute cached scores")
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--out", help="write every (set, combination) result as JSON lines")
    args = p.parse_args(argv)

    import numpy as np
    from sklearn.metrics import roc_auc_score

    backends = args.backends.split(",") if args.backends else vigil_backends(args.vigil)
    files = sorted(glob.glob(os.path.join(args.data, "*.npz")), key=lambda f: int(dataset_name(f).split("_")[0]))
    if args.datasets:
        wanted = set(args.datasets.split(","))
        files = [f for f in files if dataset_name(f) in wanted]
    scores, labels = {}, {}
    for f in files:
        name = dataset_name(f)
        with np.load(f) as z:
            labels[name] = np.asarray(z["y"]).astype(int).ravel()
        for b in backends:
            s = raw_scores(args.vigil, f, b, args.seed, args.timeout_s, args.fresh)
            if s is not None and np.all(np.isfinite(s)):
                scores[(name, b)] = zscore(s)
        print("%-22s done" % name, file=sys.stderr)
    # Only data sets every candidate finished on are compared, so every set sees the same data.
    names = [dataset_name(f) for f in files if all((dataset_name(f), b) in scores for b in backends)]
    left_out = [dataset_name(f) for f in files if dataset_name(f) not in names]
    if left_out:
        print("left out (a candidate failed or timed out): %s" % ", ".join(left_out), file=sys.stderr)

    def auc(name, z):
        return float(roc_auc_score(labels[name], z))

    singles = {b: float(np.mean([auc(n, scores[(n, b)]) for n in names])) for b in backends}
    results = []
    top = args.max_size or len(backends)
    for size in range(args.min_size, top + 1):
        for members in itertools.combinations(backends, size):
            for how in ("mean", "max", "aom"):
                per = [auc(n, combine([scores[(n, b)] for b in members], how)) for n in names]
                results.append({"members": list(members), "combination": how,
                                "mean_roc_auc": round(float(np.mean(per)), 6),
                                "per_dataset": dict(zip(names, [round(a, 6) for a in per]))})
    results.sort(key=lambda r: -r["mean_roc_auc"])
    print("data sets: %d; candidates: %s" % (len(names), ", ".join(backends)))
    print("\nsingle backends, mean ROC AUC:")
    for b, a in sorted(singles.items(), key=lambda kv: -kv[1]):
        print("  %-18s %.4f" % (b, a))
    print("\nbest sets (of %d set × combination pairs):" % len(results))
    for r in results[:args.top]:
        print("  %.4f  %-5s %s" % (r["mean_roc_auc"], r["combination"], "+".join(r["members"])))
    best = results[0]
    print("\nchosen: %s, %s, mean ROC AUC %.4f (best single: %s %.4f)" % (
        "+".join(best["members"]), best["combination"], best["mean_roc_auc"],
        max(singles, key=singles.get), max(singles.values())))
    if args.out:
        with open(args.out, "w") as f:
            f.write(json.dumps({"singles": singles, "datasets": names, "seed": args.seed}) + "\n")
            for r in results:
                f.write(json.dumps(r) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
