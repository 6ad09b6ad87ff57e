#!/usr/bin/env bash
# Soak test of `vigil serve`: a bounded load at a share of measured capacity for a long time,
# checking that no request fails and that memory stays flat.
#
# 1. Starts the release binary (temp data dir, free loopback port, taskset --cpus) and fits a
#    100-tree Isolation Forest on the peers' generated data (--rows x --cols), as service_load.sh.
# 2. Capacity: wrk closed-loop (-c --connections, --probe seconds) on POST /v1/ml/anomaly/score
#    with one-row bodies.
# 3. Soak: wrk for --duration seconds with each connection pausing before each request, the pause
#    chosen so that the load is about --share (default 0.8) of the capacity; wrk's delay() is a
#    per-connection pause, so the rate is bounded, not exact (a 10 s calibration run corrects the
#    pause for the answer time): the achieved rate is reported.
#    The server's RSS is sampled every --every seconds from /proc.
# 4. Prints a JSON summary: capacity, target and achieved req/s, latency percentiles, errors
#    (socket errors and non-2xx answers), and the RSS samples with their spread after warm-up.
#    Exits non-zero when a request failed or RSS grew more than --max-growth MiB after the first
#    minute.
#
# usage: bench/soak.sh [--vigil BIN] [--cpus 0] [--duration 600] [--probe 15] [--share 0.8]
#            [--connections 64] [--every 10] [--max-growth 32] [--rows 20000] [--cols 10] [--out FILE]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PY:-python3}"
VIGIL="$ROOT/.build/release/vigil"
CPUS="0"
DURATION=600
PROBE=15
SHARE=0.8
CONNECTIONS=64
EVERY=10
MAX_GROWTH=32
ROWS=20000
COLS=10
OUT=""
PEERS="$ROOT/../shared/bench/peers"

while [ $# -gt 0 ]; do
  case "$1" in
    --vigil) VIGIL="$2"; shift 2 ;;
    --cpus) CPUS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --probe) PROBE="$2"; shift 2 ;;
    --share) SHARE="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --every) EVERY="$2"; shift 2 ;;
    --max-growth) MAX_GROWTH="$2"; shift 2 ;;
    --rows) ROWS="$2"; shift 2 ;;
    --cols) COLS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
for tool in wrk curl taskset; do
  command -v "$tool" >/dev/null || { echo "$tool not found (apt-get install wrk curl util-linux)" >&2; exit 2; }
done
[ -x "$VIGIL" ] || { echo "vigil binary not found: $VIGIL (swift build -c release)" >&2; exit 2; }

WORKDIR="$(mktemp -d -t vigil-soak-XXXXXX)"
VPID=""
cleanup() {
  if [ -n "$VPID" ] && kill -0 "$VPID" 2>/dev/null; then
    kill -TERM "$VPID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$VPID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$VPID" 2>/dev/null || true
  fi
  [ -n "${SAMPLER:-}" ] && kill "$SAMPLER" 2>/dev/null || true
  rm -rf "$WORKDIR"
}
trap cleanup EXIT
log() { echo "[soak] $*" >&2; }

# Rows like the peers' generator makes, without needing numpy: a seeded Gaussian cloud.
"$PY" - "$ROWS" "$COLS" "$WORKDIR" <<'PYEOF'
import json, random, sys
rows, cols, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(0)
data = [[round(rng.gauss(0, 1), 6) for _ in range(cols)] for _ in range(rows)]
with open(f"{out}/fit.json", "w") as f:
    json.dump({"model": "soak", "backend": "isolation_forest", "data": data}, f, separators=(",", ":"))
with open(f"{out}/score.jsonl", "w") as f:
    for r in data[:1000]:
        f.write(json.dumps({"model": "soak-latest", "data": [r]}, separators=(",", ":")) + "\n")
PYEOF

taskset -c "$CPUS" "$VIGIL" serve --host 127.0.0.1 --port 0 --data-dir "$WORKDIR/data" --log-level warning \
    >"$WORKDIR/vigil.log" 2>&1 &
VPID=$!
BASE=""
for _ in $(seq 1 600); do
  BASE="$(grep -o 'vigil listening on http://[^ ]*' "$WORKDIR/vigil.log" | head -n 1 | sed 's/vigil listening on //')" || true
  [ -n "$BASE" ] && break
  kill -0 "$VPID" 2>/dev/null || { cat "$WORKDIR/vigil.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$BASE" ] || { echo "vigil printed no address" >&2; exit 1; }
case "$BASE" in http://127.*) ;; *) echo "not a loopback address: $BASE" >&2; exit 1 ;; esac
curl -fsS -H 'Content-Type: application/json' --data-binary "@$WORKDIR/fit.json" "$BASE/v1/ml/anomaly/fit" >/dev/null

LUA="$ROOT/bench/wrk_json.lua"
URL="$BASE/v1/ml/anomaly/score"
log "capacity probe: $CONNECTIONS connections, ${PROBE}s"
wrk -t1 -c"$CONNECTIONS" -d"${PROBE}s" -s "$LUA" "$URL" -- "$WORKDIR/score.jsonl" | tail -n 1 >"$WORKDIR/probe.json"
CAPACITY="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["req_per_s"])' "$WORKDIR/probe.json")"
# Each connection pauses PAUSE ms before each request: CONNECTIONS * 1000 / PAUSE ≈ SHARE * CAPACITY.
PAUSE="$("$PY" -c 'import sys; c,s,n=float(sys.argv[1]),float(sys.argv[2]),int(sys.argv[3]); print(max(1, round(n*1000/(c*s))))' "$CAPACITY" "$SHARE" "$CONNECTIONS")"
# The answer time adds to the pause: a 10 s calibration run measures it and the pause is corrected.
wrk -t1 -c"$CONNECTIONS" -d10s -s "$LUA" "$URL" -- "$WORKDIR/score.jsonl" "$PAUSE" | tail -n 1 >"$WORKDIR/calibrate.json"
PAUSE="$("$PY" -c '
import json, sys
got = json.load(open(sys.argv[1]))["req_per_s"]
c, s, n, p = float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
answer_ms = max(0.0, n * 1000 / got - p)
print(max(1, round(n * 1000 / (c * s) - answer_ms)))' "$WORKDIR/calibrate.json" "$CAPACITY" "$SHARE" "$CONNECTIONS" "$PAUSE")"
log "capacity $CAPACITY req/s; soak ${DURATION}s at ~$SHARE of it ($CONNECTIONS connections, ${PAUSE} ms pause each)"

(
  start=$(date +%s)
  while kill -0 "$VPID" 2>/dev/null; do
    echo "$(( $(date +%s) - start )) $(awk '/VmRSS/ {print $2}' "/proc/$VPID/status")" >>"$WORKDIR/rss.txt"
    sleep "$EVERY"
  done
) &
SAMPLER=$!
wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -s "$LUA" "$URL" -- "$WORKDIR/score.jsonl" "$PAUSE" \
  | tail -n 1 >"$WORKDIR/soak.json"
kill "$SAMPLER" 2>/dev/null || true
SAMPLER=""

"$PY" - "$WORKDIR" "$CAPACITY" "$SHARE" "$PAUSE" "$CONNECTIONS" "$MAX_GROWTH" "${OUT:-}" <<'PYEOF'
import json, sys
work, capacity, share, pause, conns, max_growth, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), sys.argv[7]
soak = json.load(open(f"{work}/soak.json"))
samples = [tuple(map(int, l.split())) for l in open(f"{work}/rss.txt") if len(l.split()) == 2]
after = [kb for t, kb in samples if t >= 60] or [kb for _, kb in samples]
growth_mb = (max(after) - min(after)) / 1024 if after else 0.0
trend_mb = (after[-1] - after[0]) / 1024 if after else 0.0
errors = sum(soak["errors"].values())
summary = {
    "capacity_req_per_s": capacity, "target_req_per_s": round(capacity * share, 1), "pause_ms": pause, "connections": conns,
    "achieved_req_per_s": soak["req_per_s"], "requests": soak["requests"], "duration_s": soak["duration_s"],
    "latency_ms": soak["latency_ms"], "errors": soak["errors"],
    "rss_mb": {"first": samples[0][1] / 1024 if samples else None, "last": samples[-1][1] / 1024 if samples else None,
               "spread_after_1min": round(growth_mb, 2), "last_minus_first_after_1min": round(trend_mb, 2),
               "samples": [[t, round(kb / 1024, 1)] for t, kb in samples]},
}
text = json.dumps(summary)
print(text)
if out:
    open(out, "w").write(text + "\n")
if errors:
    sys.exit(f"soak: {errors} failed requests")
if trend_mb > max_growth:
    sys.exit(f"soak: RSS grew {trend_mb:.1f} MiB after the first minute (limit {max_growth})")
PYEOF
