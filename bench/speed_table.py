#!/usr/bin/env python3
"""Joins peer and Vigil speed results (written by bench/speed.sh) into a Markdown table.

Inputs:
  --peers FILE  JSON lines from ../shared/bench/peers/peer_detectors.py, one per thread
                setting: {"threads": T, "dataset": {...}, "machine": {"cpus": ..},
                "results": [{"detector": "iforest", "fit_s", "score_s", "roc_auc"}, ...]}
  --vigil FILE  JSON lines {"threads": T, "backend": B, "result": <one line of
                `vigil evaluate --json`: "fit_seconds", "score_seconds", "roc_auc", ...>}
                (optional: without it the Vigil columns stay empty)

Several records for the same (detector, threads) -- repeated, interleaved runs -- are
reduced to their medians, and the speed-up is the median of the per-repeat ratios
(peer and Vigil of the same repeat ran back to back).

Output: detector | threads | peer fit+score s | Vigil fit+score s | speed-up
(peer / Vigil) | ROC AUC peer / Vigil. Plain python3 is enough.

Usage: python3 bench/speed_table.py --peers bench/results/peers_speed_1m.jsonl \
           --vigil bench/results/vigil_speed_1m.jsonl [--markdown-out FILE]
"""

import argparse
import json
import statistics
import sys

# peer_detectors.py name -> Vigil backend name
DETECTORS = [("iforest", "isolation_forest", "IsolationForest (sklearn)"),
             ("ecod", "ecod", "ECOD (PyOD)"),
             ("copod", "copod", "COPOD (PyOD)"),
             ("hbos", "hbos", "HBOS (PyOD)")]


def read_lines(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                out.append(json.loads(line))
    return out


def f3(x):
    if x is None:
        return "–"
    return "%.3f" % x if x < 100 else "%.1f" % x


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--peers", required=True)
    p.add_argument("--vigil")
    p.add_argument("--markdown-out")
    args = p.parse_args(argv)

    peers, meta = {}, {}
    peer_runs, vigil_runs = {}, {}
    for rec in read_lines(args.peers):
        t = int(rec["threads"])
        if not meta or (rec.get("versions") and not meta.get("versions")):
            meta = rec
        for r in rec.get("results", []):
            d = r["detector"]
            if r.get("fit_s") is not None and r.get("score_s") is not None:
                peer_runs.setdefault((d, t), []).append(
                    {"total": r["fit_s"] + r["score_s"], "fit": r["fit_s"], "score": r["score_s"],
                     "auc": r.get("roc_auc"), "rep": rec.get("rep", 0)})
            else:
                notes = []
                for prob in r.get("problems", []):
                    if "timed_out" in prob:
                        notes.append("timed out (%s s)" % prob["timed_out"])
                    else:
                        notes.append(str(prob.get("error", "error")))
                peers[(d, t)] = {"note": "; ".join(notes) or r.get("skipped", "no result")}

    vigil = {}
    if args.vigil:
        for rec in read_lines(args.vigil):
            r = rec.get("result") or {}
            key = (rec["backend"], int(rec["threads"]))
            if r.get("fit_seconds") is not None and r.get("score_seconds") is not None:
                vigil_runs.setdefault(key, []).append(
                    {"total": r["fit_seconds"] + r["score_seconds"], "fit": r["fit_seconds"],
                     "score": r["score_seconds"], "auc": r.get("roc_auc"), "rep": rec.get("rep", 0)})
            else:
                vigil[key] = {"note": r.get("error", "no result")}

    for runs, out in ((peer_runs, peers), (vigil_runs, vigil)):
        for key, rs in runs.items():
            out[key] = {k: statistics.median(r[k] for r in rs) for k in ("total", "fit", "score")}
            out[key]["auc"] = rs[0]["auc"]
            out[key]["n"] = len(rs)
            out[key]["by_rep"] = {r["rep"]: r["total"] for r in rs}

    def speedup(pr, vr):
        pairs = [pr["by_rep"][k] / v for k, v in vr["by_rep"].items() if k in pr["by_rep"] and v > 0]
        return statistics.median(pairs) if pairs else None

    threads = sorted({t for (_, t) in peers} | {t for (_, t) in vigil}, reverse=True)
    lines = []
    ds = meta.get("dataset", {})
    lines.append("Data: %s (%s rows × %s cols, %s anomalies); machine: %s CPUs; peers: %s." % (
        ds.get("csv", "?"), ds.get("rows", "?"), ds.get("cols", "?"), ds.get("anomalies", "?"),
        meta.get("machine", {}).get("cpus", "?"),
        ", ".join("%s %s" % (k, v) for k, v in meta.get("versions", {}).items() if v)))
    lines.append("")
    reps = max([r.get("n", 1) for r in list(peers.values()) + list(vigil.values())] or [1])
    lines.append("Medians of %d interleaved repeats; speed-up = median of the per-repeat ratios." % reps)
    lines.append("")
    lines.append("| detector | threads | peer fit+score s (fit / score) | Vigil fit+score s (fit / score) "
                 "| speed-up (peer / Vigil) | ROC AUC peer / Vigil |")
    lines.append("|---|---:|---:|---:|---:|---|")
    for pd, vb, label in DETECTORS:
        for t in threads:
            pr, vr = peers.get((pd, t), {}), vigil.get((vb, t), {})
            if not pr and not vr:
                continue

            def cell(r):
                if "total" in r:
                    return "%s (%s / %s)" % (f3(r["total"]), f3(r["fit"]), f3(r["score"]))
                return r.get("note", "–")
            ratio = "–"
            if "total" in pr and "total" in vr:
                sp = speedup(pr, vr)
                ratio = "%.1f×" % sp if sp is not None else "–"
            auc = "%s / %s" % ("%.4f" % pr["auc"] if pr.get("auc") is not None else "–",
                               "%.4f" % vr["auc"] if vr.get("auc") is not None else "–")
            lines.append("| %s | %d | %s | %s | %s | %s |" % (label, t, cell(pr), cell(vr), ratio, auc))
    md = "\n".join(lines) + "\n"
    sys.stdout.write(md)
    if args.markdown_out:
        with open(args.markdown_out, "w") as f:
            f.write(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
