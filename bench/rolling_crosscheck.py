#!/usr/bin/env python3
"""Cross-check `vigil features` against polars on a synthetic event stream.

Generates N events for E entities (ISO 8601 times, an `amount` column and an `items` column with
about 5% empty cells), runs `vigil features` over it, computes the same features with polars
(per-entity `rolling_*` with min_samples=1, `shift`, `rolling_*_by` over the time column) and
prints the largest absolute and relative difference per feature family. Exit status 1 when a
relative difference reaches 1e-9.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install polars numpy
    swift build -c release
    /tmp/venv/bin/python bench/rolling_crosscheck.py --vigil .build/release/vigil
"""
import argparse
import os
import re
import subprocess
import sys
import time

import numpy as np
import polars as pl

WINDOWS = [5, 10, 20]
LAGS = [1, 2, 3]
SPANS = ["1h", "24h"]
COLUMNS = ["amount", "items"]


def make_events(path, events, entities, seed):
    rng = np.random.default_rng(seed)
    users = rng.integers(0, entities, events)
    # Strictly increasing whole seconds: 1-3 s apart, so every entity sees gaps on both sides
    # of 1 h and 24 h.
    seconds = 1_709_251_200 + np.cumsum(rng.integers(1, 4, events))
    iso = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
    amount = np.round(rng.lognormal(4.0, 1.2, events), 2)
    items = rng.integers(1, 11, events).astype(object)
    items[rng.random(events) < 0.05] = ""
    with open(path, "w") as f:
        f.write("user_id,ts,amount,items\n")
        for u, t, a, n in zip(users, iso, amount, items):
            f.write(f"u{u},{t}Z,{a},{n}\n")


def polars_features(path):
    df = pl.read_csv(path, schema_overrides={"user_id": pl.String, "ts": pl.String, "amount": pl.Float64,
                                             "items": pl.Float64})
    df = df.with_columns(pl.col("ts").str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_unit="us"), pl.lit(1.0).alias("_one"))
    exprs = []
    for c in COLUMNS:
        for w in WINDOWS:
            col = pl.col(c)
            exprs += [
                col.rolling_mean(w, min_samples=1).over("user_id").fill_null(0).alias(f"{c}_rolling_mean_{w}"),
                col.rolling_std(w, min_samples=1).over("user_id").fill_null(0).alias(f"{c}_rolling_std_{w}"),
                col.rolling_min(w, min_samples=1).over("user_id").fill_null(0).alias(f"{c}_rolling_min_{w}"),
                col.rolling_max(w, min_samples=1).over("user_id").fill_null(0).alias(f"{c}_rolling_max_{w}"),
            ]
        for k in LAGS:
            exprs.append(pl.col(c).shift(k).over("user_id").fill_null(0).alias(f"{c}_lag_{k}"))
        for s in SPANS:
            exprs += [
                pl.col(c).rolling_sum_by("ts", s).over("user_id").fill_null(0).alias(f"{c}_sum_{s}"),
                pl.col(c).rolling_mean_by("ts", s).over("user_id").fill_null(0).alias(f"{c}_mean_{s}"),
            ]
    for s in SPANS:
        exprs.append(pl.col("_one").rolling_sum_by("ts", s).over("user_id").alias(f"count_{s}"))
    exprs.append((pl.col("ts") - pl.col("ts").shift(1)).over("user_id").dt.total_seconds().fill_null(0)
                 .cast(pl.Float64).alias("seconds_since_last"))
    return df.select(exprs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vigil", default=".build/release/vigil")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--entities", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", default="bench/out")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    events_path = os.path.join(args.dir, "crosscheck_events.csv")
    vigil_path = os.path.join(args.dir, "crosscheck_vigil.csv")
    make_events(events_path, args.events, args.entities, args.seed)

    started = time.perf_counter()
    subprocess.run([args.vigil, "features", "--data", events_path, "--entity", "user_id", "--timestamp", "ts",
                    "--columns", ",".join(COLUMNS), "--windows", ",".join(map(str, WINDOWS)),
                    "--lags", ",".join(map(str, LAGS)), "--time-windows", ",".join(SPANS), "--out", vigil_path],
                   check=True)
    vigil_seconds = time.perf_counter() - started
    started = time.perf_counter()
    expected = polars_features(events_path)
    polars_seconds = time.perf_counter() - started

    got = pl.read_csv(vigil_path, infer_schema_length=0)
    feature_columns = got.columns[4:]
    if feature_columns != expected.columns:
        print("column names or order differ:\n vigil ", feature_columns, "\n polars", expected.columns)
        return 1
    worst_relative = 0.0
    families = {}
    for name in feature_columns:
        a = got[name].cast(pl.Float64).to_numpy()
        b = expected[name].to_numpy()
        diff = np.abs(a - b)
        scale = np.maximum(np.abs(a), np.abs(b))
        # Relative to the larger magnitude; values within 1e-12 of zero on both sides compare absolutely.
        relative = np.where(scale > 1e-12, diff / np.where(scale > 0, scale, 1), diff)
        family = name.split("_", 1)[1] if name.startswith(tuple(COLUMNS)) else name
        family = re.sub(r"_\d+[a-z]?$", "", family)
        f = families.setdefault(family, [0.0, 0.0])
        f[0] = max(f[0], float(diff.max()))
        f[1] = max(f[1], float(relative.max()))
        worst_relative = max(worst_relative, float(relative.max()))
    print(f"events {args.events}, entities {args.entities}, features {len(feature_columns)}, "
          f"values compared {args.events * len(feature_columns)}")
    print(f"{'feature family':<24} {'max abs diff':>14} {'max rel diff':>14}")
    for family, (d, r) in sorted(families.items()):
        print(f"{family:<24} {d:14.3e} {r:14.3e}")
    print(f"max relative difference {worst_relative:.3e} ({'OK' if worst_relative < 1e-9 else 'FAIL'} at 1e-9)")
    print(f"vigil features (whole process, CSV in and out) {vigil_seconds:.3f} s; polars expressions {polars_seconds:.3f} s")
    return 0 if worst_relative < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
