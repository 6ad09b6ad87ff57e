#!/usr/bin/env python3
"""Speed of per-event rolling features: `vigil features` against a polars reference.

The job, per event: append the event to its entity's history and compute that event's features
(rolling mean/std/min/max over 5, 10 and 20 events, lags 1, 2, 3) for one numeric column, with
100,000 entities. Vigil streams a CSV through its `EntityWindow` on one core (`taskset -c 0`) and
reports the time spent in append + features (`--timing`); the polars reference does the same job
the way a polars buffer does: per entity a DataFrame, `pl.concat` to append, the rolling
expressions over it and the last row. Rounds alternate Vigil and polars; medians are printed.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install polars numpy
    swift build -c release
    /tmp/venv/bin/python bench/rolling_speed.py --vigil .build/release/vigil
"""
import argparse
import os
import re
import statistics
import subprocess
import time

import numpy as np
import polars as pl

WINDOWS = [5, 10, 20]
LAGS = [1, 2, 3]


def make_events(path, events, entities, seed):
    rng = np.random.default_rng(seed)
    users = rng.integers(0, entities, events)
    amount = np.round(rng.lognormal(4.0, 1.2, events), 2)
    with open(path, "w") as f:
        f.write("user_id,amount\n")
        f.writelines(f"u{u},{a}\n" for u, a in zip(users, amount))
    return users, amount


def vigil_round(vigil, path, out):
    command = ["taskset", "-c", "0", vigil, "features", "--data", path, "--entity", "user_id",
               "--columns", "amount", "--windows", ",".join(map(str, WINDOWS)), "--stats", "mean,std,min,max",
               "--lags", ",".join(map(str, LAGS)), "--out", out, "--timing"]
    started = time.perf_counter()
    run = subprocess.run(command, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - started
    match = re.search(r"features: (\d+) events, .* ([0-9.]+) s wall .* ([0-9.]+) s CPU", run.stderr)
    events, seconds, cpu = int(match.group(1)), float(match.group(2)), float(match.group(3))
    return events / seconds, events / cpu, events / wall


def polars_round(users, amount, events):
    exprs = []
    for w in WINDOWS:
        exprs += [pl.col("amount").rolling_mean(w, min_samples=1).alias(f"amount_rolling_mean_{w}"),
                  pl.col("amount").rolling_std(w, min_samples=1).fill_null(0).alias(f"amount_rolling_std_{w}"),
                  pl.col("amount").rolling_min(w, min_samples=1).alias(f"amount_rolling_min_{w}"),
                  pl.col("amount").rolling_max(w, min_samples=1).alias(f"amount_rolling_max_{w}")]
    exprs += [pl.col("amount").shift(k).fill_null(0).alias(f"amount_lag_{k}") for k in LAGS]
    keep = max(WINDOWS + LAGS) + 1
    frames = {}
    last = None
    started, cpu_started = time.perf_counter(), time.thread_time()
    for i in range(events):
        u = int(users[i])
        row = pl.DataFrame({"amount": [float(amount[i])]})
        frame = frames.get(u)
        frame = row if frame is None else pl.concat([frame, row]).tail(keep)
        frames[u] = frame
        last = frame.select(exprs).tail(1)
    seconds, cpu = time.perf_counter() - started, time.thread_time() - cpu_started
    assert last is not None and last.width == len(exprs)
    return events / seconds, events / cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vigil", default=".build/release/vigil")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--polars-events", type=int, default=5_000, help="events per polars round (it is slow)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", default="bench/out")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    path = os.path.join(args.dir, "speed_events.csv")
    users, amount = make_events(path, args.events, args.entities, 11)
    vigil, vigil_cpu, vigil_process, polars, polars_cpu = [], [], [], [], []
    for _ in range(args.rounds):
        rate, cpu_rate, process_rate = vigil_round(args.vigil, path, os.path.join(args.dir, "speed_vigil.csv"))
        vigil.append(rate)
        vigil_cpu.append(cpu_rate)
        vigil_process.append(process_rate)
        rate, cpu_rate = polars_round(users, amount, args.polars_events)
        polars.append(rate)
        polars_cpu.append(cpu_rate)

    def line(name, rates):
        return (f"{name:<52} median {statistics.median(rates):>12,.0f} events/s "
                f"(min {min(rates):,.0f}, max {max(rates):,.0f})")

    print(f"events {args.events}, entities {args.entities}, windows {WINDOWS}, 4 stats, lags {LAGS}, "
          f"rounds {args.rounds}, polars {args.polars_events} events per round")
    print(line("vigil append+features, one core, wall", vigil))
    print(line("vigil append+features, one core, thread CPU", vigil_cpu))
    print(line("vigil whole process (CSV read, features, CSV write)", vigil_process))
    print(line("polars append+features, wall", polars))
    print(line("polars append+features, thread CPU", polars_cpu))
    for name, a, b in (("wall", vigil, polars), ("CPU", vigil_cpu, polars_cpu)):
        ratios = [x / y for x, y in zip(a, b)]
        print(f"ratio vigil/polars ({name}) per round: {', '.join(f'{r:,.0f}x' for r in ratios)}; "
              f"median {statistics.median(ratios):,.0f}x")

if __name__ == "__main__":
    main()
