#!/usr/bin/env python3
"""Vigil vs. PyOD AutoEncoder ROC AUC on the ADBench classical data sets.

For every *.npz, Vigil's autoencoder is fitted and scored on the whole file for seeds
1, 2, 3 (--seeds) with the same number of epochs as the peer run (PyOD's default 10):

  vigil evaluate --data FILE --backend autoencoder --epochs 10 --seed S --json

and the mean AUC is compared with the peer's mean over its seeds 1, 2, 3 (JSON lines
from bench/autoencoder_peers.py). Prints a Markdown table, |Δ| above --threshold
(default 0.03) marked with "⚠", and a summary line. A Vigil run past --timeout-s, or a
data set the peer timed out on, is shown as "timed out".

Usage (from the repository root; plain python3 is enough):
  swift build -c release
  $PY_TORCH bench/autoencoder_peers.py --out bench/out/autoencoder_peers.jsonl
  python3 bench/autoencoder_quality.py --peers bench/out/autoencoder_peers.jsonl \
      --markdown-out bench/results/autoencoder_quality.md
  # ten seeds on a few small sets, where three seeds leave the mean noisy:
  $PY_TORCH bench/autoencoder_peers.py --seeds 1,2,3,4,5,6,7,8,9,10 \
      --datasets 14_glass,39_vertebral,43_WDBC --out bench/out/autoencoder_peers_10.jsonl
  python3 bench/autoencoder_quality.py --seeds 1,2,3,4,5,6,7,8,9,10 \
      --datasets 14_glass,39_vertebral,43_WDBC --peers bench/out/autoencoder_peers_10.jsonl
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from adbench_quality import (DEFAULT_DATA, DEFAULT_VIGIL, collect_files, dataset_name,  # noqa: E402
                             fmt, npz_shape, run_vigil)


def peer_means(path):
    """{dataset: summary record} from the per-dataset lines (those without "seed")."""
    out = {}
    with open(path) as f:
        for line in f:
            if line.strip().startswith("{"):
                r = json.loads(line)
                if "seed" not in r:
                    out[r["dataset"]] = r
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--vigil", default=DEFAULT_VIGIL)
    p.add_argument("--data", nargs="+", default=[DEFAULT_DATA])
    p.add_argument("--peers", default=os.path.join("bench", "out", "autoencoder_peers.jsonl"))
    p.add_argument("--datasets", help="comma list of dataset names")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--seeds", default="1,2,3", help="Vigil seeds (the peer file's seeds should match)")
    p.add_argument("--threshold", type=float, default=0.03)
    p.add_argument("--timeout-s", type=float, default=900.0, help="per vigil run")
    p.add_argument("--vigil-arg", action="append", default=[], help="extra argument for every vigil run")
    p.add_argument("--markdown-out")
    p.add_argument("--vigil-cache", help="JSON lines of Vigil results per data set: reused when present, "
                   "new results appended (lets the table be rebuilt as peer results come in)")
    args = p.parse_args(argv)
    seeds = [int(x) for x in args.seeds.split(",") if x.strip()]

    peers = peer_means(args.peers) if os.path.exists(args.peers) else {}
    cache = {}
    if args.vigil_cache and os.path.exists(args.vigil_cache):
        with open(args.vigil_cache) as fh:
            cache = {r["dataset"]: r for r in (json.loads(l) for l in fh if l.strip().startswith("{"))}
    files = collect_files(args.data)
    if args.datasets:
        wanted = {d.strip() for d in args.datasets.split(",") if d.strip()}
        files = [f for f in files if dataset_name(f) in wanted]
    lines = ["| dataset | rows×cols | Vigil AUC (mean of %d seeds) | PyOD AUC (mean of its seeds) | \\|Δ\\| |" % len(seeds),
             "|---|---:|---:|---:|---:|"]
    deltas, vs, ps, over = [], [], [], []
    for f in files:
        name = dataset_name(f)
        t0 = time.perf_counter()
        aucs, note = list(cache.get(name, {}).get("seeds", [])), None
        for s in seeds[len(aucs):]:
            res, err = run_vigil(args.vigil, f, "autoencoder", s, args.timeout_s,
                                 ["--epochs", str(args.epochs)] + args.vigil_arg)
            r = res.get("autoencoder")
            if err or r is None:
                note = "timed out" if err and err.startswith("timeout") else (err or "no result")
                break
            aucs.append(r["roc_auc"])
        print("%-22s %6.1f s %s" % (name, time.perf_counter() - t0, note or ""), file=sys.stderr)
        v = sum(aucs) / len(aucs) if len(aucs) == len(seeds) else None
        if v is not None and args.vigil_cache and name not in cache:
            with open(args.vigil_cache, "a") as fh:
                fh.write(json.dumps({"dataset": name, "roc_auc": v, "seeds": aucs, "epochs": args.epochs}) + "\n")
        pr = peers.get(name, {})
        pv = pr.get("roc_auc")
        d = abs(v - pv) if v is not None and pv is not None else None
        mark = ""
        if d is not None:
            deltas.append(d)
            vs.append(v)
            ps.append(pv)
            if d > args.threshold:
                mark = " ⚠"
                over.append(name)
        shape = npz_shape(f)
        peer_cell = fmt(pv) if pv is not None else (
            "timed out" if "timed out" in (pr.get("note") or "") else ("no result" if pr else "not run"))
        lines.append("| %s | %s | %s | %s | %s |" % (
            name, "%d×%d" % shape if shape else "?", fmt(v) if v is not None else (note or "–"), peer_cell,
            fmt(d) + mark))
    n = len(deltas)
    lines.append("")
    lines.append("Compared: %d data sets; max |Δ| %s; within %g: %d/%d; mean AUC Vigil %s, PyOD %s%s." % (
        n, fmt(max(deltas) if n else None), args.threshold, sum(1 for d in deltas if d <= args.threshold), n,
        fmt(sum(vs) / n if n else None), fmt(sum(ps) / n if n else None),
        ("; over: " + ", ".join(over)) if over else ""))
    md = "\n".join(lines) + "\n"
    sys.stdout.write(md)
    if args.markdown_out:
        with open(args.markdown_out, "w") as f:
            f.write(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
