#!/usr/bin/env python3
"""Vigil vs. scikit-learn / PyOD ROC AUC on the ADBench classical data sets.

For every *.npz it runs the Vigil CLI with the same "fit and score on the whole
file" protocol as bench/adbench_peers.py:

  vigil evaluate --data FILE --backend all --seed 1 --json
  vigil evaluate --data FILE --backend isolation_forest --seed 2 --json
  vigil evaluate --data FILE --backend isolation_forest --seed 3 --json

(and the same for cblof, loda and suod: the backends in SEEDED depend on the seed and
their AUC is the mean over the seeds; the others come from the seed-1 run). Each run prints one JSON line per
backend: {"backend", "rows", "cols", "roc_auc", "average_precision",
"fit_seconds", "score_seconds"}. The script then reads the peer results (JSON
lines from bench/adbench_peers.py) and prints a Markdown table

  dataset | rows×cols | per backend: Vigil AUC, peer AUC, |Δ|

where a |Δ| above --threshold (default 0.01) is marked with "⚠", followed by one
summary line per backend (max |Δ|, how many within the threshold, mean AUC of
both sides over the data sets that both have).

Usage (from the repository root; plain python3 is enough, no numpy needed):
  swift build -c release
  python3 bench/adbench_quality.py                       # .build/release/vigil, ../shared/data/adbench
  python3 bench/adbench_quality.py --vigil PATH/vigil --markdown-out bench/results/adbench_quality.md \
      --raw-out bench/results/adbench_vigil.jsonl
  python3 bench/adbench_quality.py --datasets 14_glass,29_Pima --data DIR_OR_FILES...
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import time

BACKENDS = ["isolation_forest", "ecod", "copod", "hbos"]
SHORT = {"isolation_forest": "IF", "ecod": "ECOD", "copod": "COPOD", "hbos": "HBOS"}
# Backends whose result depends on the seed: AUC = mean over --seeds.
SEEDED = ["isolation_forest"]

# --- neighbour, kernel and covariance detectors -------------------------------
# Peers from `adbench_peers.py --backends knn,local_outlier_factor,one_class_svm,mcd`
# (written to bench/results/adbench_peers_neighbours.jsonl); mcd is seeded like isolation_forest.
# A backend Vigil refuses on a file (one_class_svm above 20,000 rows, mcd above 200 features)
# shows as missing with its reason under "over".
BACKENDS += ["knn", "local_outlier_factor", "one_class_svm", "mcd"]
SHORT.update({"knn": "KNN", "local_outlier_factor": "LOF", "one_class_svm": "OCSVM", "mcd": "MCD"})
SEEDED += ["mcd"]
DEFAULT_PEER_FILES = ["adbench_peers.jsonl", "adbench_peers_neighbours.jsonl", "adbench_peers_more.jsonl"]
# ------------------------------------------------------------------------------
# --- more detectors: PCA, CBLOF, LODA, suod (peers in bench/results/adbench_peers_more.jsonl) ---
BACKENDS += ["pca", "cblof", "loda", "suod"]
SHORT.update({"pca": "PCA", "cblof": "CBLOF", "loda": "LODA", "suod": "SUOD"})
SEEDED += ["cblof", "loda", "suod"]
# --- end of the block for more detectors ---
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "data", "adbench"))
DEFAULT_VIGIL = os.path.join(REPO_ROOT, ".build", "release", "vigil")


def dataset_name(path):
    base = os.path.basename(path)
    return base[:-4] if base.endswith(".npz") else base


def collect_files(paths):
    files = []
    for p in paths:
        files += glob.glob(os.path.join(p, "*.npz")) if os.path.isdir(p) else [p]

    def key(f):
        head = dataset_name(f).split("_", 1)[0]
        return (int(head) if head.isdigit() else 10 ** 9, dataset_name(f))
    return sorted(set(files), key=key)


def npz_shape(path):
    """(rows, cols) of X in an .npz, read from the .npy header without numpy; None if unreadable."""
    import ast
    import zipfile
    try:
        with zipfile.ZipFile(path) as z, z.open("X.npy") as f:
            magic = f.read(8)
            if magic[:6] != b"\x93NUMPY":
                return None
            n = int.from_bytes(f.read(2 if magic[6] == 1 else 4), "little")
            shape = ast.literal_eval(f.read(n).decode("latin1"))["shape"]
            return (shape[0], shape[1] if len(shape) > 1 else 1)
    except Exception:
        return None


def run_vigil(vigil, path, backend, seed, timeout_s, extra):
    """Returns ({backend: result dict}, error string or None)."""
    cmd = [vigil, "evaluate", "--data", path, "--backend", backend, "--seed", str(seed), "--json"] + extra
    try:
        cp = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return {}, "timeout after %g s" % timeout_s
    except OSError as e:
        return {}, "cannot run %s: %s" % (vigil, e)
    results = {}
    for line in cp.stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if "backend" in obj and "error" in obj:
            results[obj["backend"]] = {"refused": obj["error"]}
        elif "backend" in obj:
            results[obj["backend"]] = obj
    if cp.returncode != 0:
        tail = " ".join(cp.stderr.strip().splitlines()[-2:])[-200:]
        return results, "exit %d: %s" % (cp.returncode, tail)
    if not results:
        return results, "no JSON lines in output"
    return results, None


def vigil_results(vigil, path, seeds, backends, timeout_s, extra):
    """Returns ({backend: {"roc_auc", "seeds", "average_precision", "seconds"}}, [errors])."""
    errors = []
    if set(backends) >= set(BACKENDS):
        first, err = run_vigil(vigil, path, "all", seeds[0], timeout_s, extra)
        if err:
            errors.append("seed %d: %s" % (seeds[0], err))
    else:  # a subset: one run per backend
        first = {}
        for b in backends:
            rs, err = run_vigil(vigil, path, b, seeds[0], timeout_s, extra)
            first.update(rs)
            if err:
                errors.append("%s seed %d: %s" % (b, seeds[0], err))
    out = {}
    for b in backends:
        r = first.get(b)
        if r is not None and "refused" in r:
            errors.append("%s refused: %s" % (SHORT.get(b, b), r["refused"]))
            continue
        if r is None or r.get("roc_auc") is None:
            continue
        out[b] = {"roc_auc": r["roc_auc"], "average_precision": r.get("average_precision"),
                  "seconds": round((r.get("fit_seconds") or 0) + (r.get("score_seconds") or 0), 4),
                  "rows": r.get("rows"), "cols": r.get("cols")}
    for seeded in SEEDED:
        if seeded not in backends or seeded not in out:
            continue
        aucs = [out[seeded]["roc_auc"]]
        for s in seeds[1:]:
            rs, err = run_vigil(vigil, path, seeded, s, timeout_s, extra)
            r = rs.get(seeded)
            if err or r is None or r.get("roc_auc") is None:
                errors.append("%s seed %d: %s" % (seeded, s, err or "no result"))
                continue
            aucs.append(r["roc_auc"])
        out[seeded]["seeds"] = aucs
        out[seeded]["roc_auc"] = sum(aucs) / len(aucs)
    return out, errors


def read_peers(paths):
    peers = {}
    for path in paths:
        if os.path.exists(path):
            peers.update(read_peer_file(path))
    return peers


def read_peer_file(path):
    peers = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                r = json.loads(line)
                peers[(r["dataset"], r["backend"])] = r
    return peers


def fmt(x, nd=4):
    return "–" if x is None else ("%.*f" % (nd, x))


def build_markdown(rows, backends, threshold, seeds, vigil):
    lines = []
    head = ["dataset", "rows×cols"]
    for b in backends:
        head += ["%s Vigil" % SHORT[b], "%s peer" % SHORT[b], "%s \\|Δ\\|" % SHORT[b]]
    head.append("over %g" % threshold)
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join(["---", "---:"] + ["---:"] * (3 * len(backends)) + ["---"]) + "|")
    stats = {b: {"deltas": [], "v": [], "p": [], "missing": 0} for b in backends}
    for row in rows:
        cells = [row["dataset"], row["shape"]]
        over = []
        for b in backends:
            v, p = row["vigil"].get(b), row["peer"].get(b)
            d = abs(v - p) if v is not None and p is not None else None
            mark = ""
            if d is None:
                stats[b]["missing"] += 1
            else:
                stats[b]["deltas"].append(d)
                stats[b]["v"].append(v)
                stats[b]["p"].append(p)
                if d > threshold:
                    mark = " ⚠"
                    over.append(SHORT[b])
            cells += [fmt(v), fmt(p), fmt(d) + mark]
        if row["errors"]:
            over.append("errors: " + "; ".join(row["errors"]).replace("|", "/"))
        cells.append(", ".join(over))
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("Protocol: fit and score on the whole file; Vigil %s = mean over seeds %s; "
                 "peers: sklearn IsolationForest (seeds 1,2,3, mean), PyOD ECOD/COPOD/HBOS/PCA defaults, "
                 "PyOD KNN/LOF/OCSVM(nu=0.1), PyOD MCD/CBLOF/LODA/SUOD (random_state 1,2,3, mean). "
                 "⚠ marks |Δ| > %g." % ("/".join(b for b in SEEDED if b in backends), ",".join(map(str, seeds)), threshold))
    lines.append("")
    lines.append("| backend | data sets compared | max \\|Δ\\| | within %g | mean AUC Vigil | mean AUC peer | missing |" % threshold)
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    for b in backends:
        s = stats[b]
        n = len(s["deltas"])
        within = sum(1 for d in s["deltas"] if d <= threshold)
        lines.append("| %s | %d | %s | %d/%d | %s | %s | %d |" % (
            b, n, fmt(max(s["deltas"]) if n else None), within, n,
            fmt(sum(s["v"]) / n if n else None), fmt(sum(s["p"]) / n if n else None), s["missing"]))
    return "\n".join(lines) + "\n", stats


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("vigil_pos", nargs="?", metavar="VIGIL", help="vigil binary (same as --vigil)")
    p.add_argument("--vigil", default=None, help="vigil binary (default %s)" % DEFAULT_VIGIL)
    p.add_argument("--data", nargs="+", default=[DEFAULT_DATA], help="folders with *.npz or .npz files")
    p.add_argument("--peers", action="append", default=None,
                   help="peer JSON lines from adbench_peers.py (repeatable; default: %s in bench/results)"
                   % ", ".join(DEFAULT_PEER_FILES))
    p.add_argument("--datasets", help="comma list of dataset names")
    p.add_argument("--backends", default=",".join(BACKENDS))
    p.add_argument("--seeds", default="1,2,3", help="isolation_forest seeds (first one also for the others)")
    p.add_argument("--threshold", type=float, default=0.01)
    p.add_argument("--timeout-s", type=float, default=1800.0, help="per vigil run")
    p.add_argument("--vigil-arg", action="append", default=[],
                   help="extra argument passed to every vigil run (repeatable), e.g. --vigil-arg=--threads --vigil-arg=1")
    p.add_argument("--markdown-out", help="also write the Markdown to this file")
    p.add_argument("--raw-out", help="write the Vigil results per (dataset, backend) as JSON lines")
    p.add_argument("--from-raw", help="build the table from a --raw-out file of an earlier run instead of running vigil "
                   "(e.g. after the peer results were completed)")
    args = p.parse_args(argv)

    vigil = args.vigil or args.vigil_pos or DEFAULT_VIGIL
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    for b in backends:
        if b not in BACKENDS:
            raise SystemExit("unknown backend %r (known: %s)" % (b, ",".join(BACKENDS)))
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    peers = read_peers(args.peers or [os.path.join(REPO_ROOT, "bench", "results", f) for f in DEFAULT_PEER_FILES])
    files = collect_files(args.data)
    if args.datasets:
        wanted = {d.strip() for d in args.datasets.split(",") if d.strip()}
        files = [f for f in files if dataset_name(f) in wanted]
    if not files:
        raise SystemExit("no .npz files")

    if args.from_raw:
        saved = {}
        with open(args.from_raw) as f:
            for line in f:
                if line.strip().startswith("{"):
                    r = json.loads(line)
                    saved.setdefault(r["dataset"], {})[r.get("backend")] = r
        rows = []
        for f in files:
            name = dataset_name(f)
            if name not in saved:
                continue
            shape = npz_shape(f)
            row = {"dataset": name, "shape": "%d×%d" % shape if shape else "?",
                   "errors": saved[name].get(None, {}).get("errors", []), "vigil": {}, "peer": {}}
            for b in backends:
                v = saved[name].get(b)
                row["vigil"][b] = v.get("roc_auc") if v else None
                pr = peers.get((name, b))
                row["peer"][b] = pr.get("roc_auc") if pr else None
            rows.append(row)
        md, _ = build_markdown(rows, backends, args.threshold, seeds, vigil)
        sys.stdout.write(md)
        if args.markdown_out:
            with open(args.markdown_out, "w") as f:
                f.write(md)
        return 0

    rows = []
    raw = open(args.raw_out, "w") if args.raw_out else None
    try:
        for f in files:
            name = dataset_name(f)
            t0 = time.perf_counter()
            vres, errors = vigil_results(vigil, f, seeds, backends, args.timeout_s, args.vigil_arg)
            print("%-22s %6.1f s%s" % (name, time.perf_counter() - t0,
                                       ("  " + "; ".join(errors)) if errors else ""), file=sys.stderr)
            shape = None
            for src in list(vres.values()) + [peers.get((name, b)) or {} for b in backends]:
                if src.get("rows") is not None and src.get("cols") is not None:
                    shape = "%d×%d" % (src["rows"], src["cols"])
                    break
            if shape is None and npz_shape(f):
                shape = "%d×%d" % npz_shape(f)
            row = {"dataset": name, "shape": shape or "?", "errors": errors, "vigil": {}, "peer": {}}
            for b in backends:
                row["vigil"][b] = vres[b]["roc_auc"] if b in vres else None
                pr = peers.get((name, b))
                row["peer"][b] = pr.get("roc_auc") if pr else None
                if raw and b in vres:
                    raw.write(json.dumps(dict({"dataset": name, "backend": b}, **vres[b])) + "\n")
            if raw and errors:
                raw.write(json.dumps({"dataset": name, "errors": errors}) + "\n")
            rows.append(row)
    finally:
        if raw:
            raw.close()

    md, _ = build_markdown(rows, backends, args.threshold, seeds, vigil)
    sys.stdout.write(md)
    if args.markdown_out:
        with open(args.markdown_out, "w") as f:
            f.write(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
