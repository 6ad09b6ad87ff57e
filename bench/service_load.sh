#!/usr/bin/env bash
# Load test of Vigil's HTTP service against the FastAPI + scikit-learn peer, in one run.
#
# 1. Starts the release binary (`vigil serve`, pinned with taskset to --cpus, temp data dir,
#    free loopback port) and fits a 100-tree Isolation Forest (backend isolation_forest, seed 42)
#    on the peers' generated data (--rows x --cols, --seed), once with rows of numbers and once
#    with object rows and a schema.
# 2. wrk (same -t/-c for every target, --warmup s then --duration s) against
#      POST /v1/ml/anomaly/score  one-row bodies, model "tx-latest" (numbers)
#      POST /v1/ml/anomaly/score  one-row bodies, model "txo-latest" (objects {"f0": ...})
#      GET  /healthz              Vigil's no-op JSON route: the HTTP stack's ceiling
# 3. Fixed-rate (open-loop) runs at each --rate (req/s; default 5000, the goal's rate, then 2000)
#    against score and against /healthz (bench/stream_load.py fixed-rate: wrk cannot hold a
#    fixed rate and wrk2 is not in Debian).
# 4. Stops Vigil, then runs the peer (../shared/bench/peers/peer_load.sh: FastAPI + uvicorn,
#    1 worker, sklearn IsolationForest(100 trees) on the same data) with the same wrk settings,
#    under the same taskset.
# 5. Prints one Markdown table with the ratios and one JSON line (also saved under --out-dir).
#
# usage: bench/service_load.sh [--python PY] [--vigil BIN] [--cpus 0,1] [--duration 15]
#            [--warmup 3] [--connections 8] [--wrk-threads 1] [--rate 5000[,2500,...]] [--rate-duration 15]
#            [--rate-connections 32] [--rows 100000] [--cols 10] [--seed 0] [--peers DIR]
#            [--out-dir DIR] [--skip-peer]
# PY needs numpy, scikit-learn, fastapi, uvicorn, joblib (see ../shared/bench/peers/README.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PY:-$ROOT/.venv-peers/bin/python}"
VIGIL="$ROOT/.build/release/vigil"
CPUS="0,1"
DURATION=15
WARMUP=3
CONNECTIONS=8
WRK_THREADS=1
RATE=5000,2000
RATE_DURATION=15
RATE_CONNECTIONS=32
ROWS=100000
COLS=10
SEED=0
PEERS="$ROOT/../shared/bench/peers"
OUT_DIR=""
SKIP_PEER=0

while [ $# -gt 0 ]; do
  case "$1" in
    --python) PY="$2"; shift 2 ;;
    --vigil) VIGIL="$2"; shift 2 ;;
    --cpus) CPUS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --wrk-threads) WRK_THREADS="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --rate-duration) RATE_DURATION="$2"; shift 2 ;;
    --rate-connections) RATE_CONNECTIONS="$2"; shift 2 ;;
    --rows) ROWS="$2"; shift 2 ;;
    --cols) COLS="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --peers) PEERS="$2"; shift 2 ;;
    --out-dir) OUT_DIR="$2"; shift 2 ;;
    --skip-peer) SKIP_PEER=1; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

for tool in wrk curl taskset; do
  command -v "$tool" >/dev/null || { echo "$tool not found (apt-get install wrk curl util-linux)" >&2; exit 2; }
done
[ -x "$VIGIL" ] || { echo "vigil binary not found: $VIGIL (swift build -c release)" >&2; exit 2; }
[ -x "$PY" ] || { echo "python not found: $PY (make the peers' venv, or pass --python)" >&2; exit 2; }
[ -f "$PEERS/peer_detectors.py" ] || { echo "peer scripts not found in $PEERS" >&2; exit 2; }
"$PY" -c 'import numpy, sklearn, fastapi, uvicorn, joblib' 2>/dev/null \
  || { echo "$PY lacks numpy/scikit-learn/fastapi/uvicorn/joblib" >&2; exit 2; }

WORKDIR="$(mktemp -d -t vigil-service-bench-XXXXXX)"
[ -n "$OUT_DIR" ] || OUT_DIR="$ROOT/bench/out/service_load-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT_DIR"
VPID=""
stop_vigil() {
  if [ -n "$VPID" ] && kill -0 "$VPID" 2>/dev/null; then
    kill -TERM "$VPID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$VPID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$VPID" 2>/dev/null || true
    wait "$VPID" 2>/dev/null || true
  fi
  VPID=""
}
cleanup() {
  stop_vigil
  rm -rf "$WORKDIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "[service_load] $*" >&2; }

# ---- data: the peers' generator, as fit bodies and one-row score bodies
log "generating $ROWS x $COLS (seed $SEED) and request bodies"
"$PY" - "$PEERS" "$ROWS" "$COLS" "$SEED" "$WORKDIR" <<'EOF'
import json, sys
peers, rows, cols, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
sys.path.insert(0, peers)
import peer_detectors as pdx
X, _, names = pdx.generate(rows, cols, seed)
num = [[float(v) for v in r] for r in X.tolist()]
objs = [dict(zip(names, r)) for r in num]
sep = (",", ":")
with open(f"{out}/fit_numbers.json", "w") as f:
    json.dump({"model": "tx", "backend": "isolation_forest", "data": num}, f, separators=sep)
with open(f"{out}/fit_objects.json", "w") as f:
    json.dump({"model": "txo", "backend": "isolation_forest", "data": objs,
               "schema": {n: "numeric" for n in names}}, f, separators=sep)
# the peer's bodies are its first 1,000 rows (peer_server.py --write-bodies); the same rows here
with open(f"{out}/score_numbers.jsonl", "w") as f:
    for r in num[:1000]:
        f.write(json.dumps({"model": "tx-latest", "data": [r]}, separators=sep) + "\n")
with open(f"{out}/score_objects.jsonl", "w") as f:
    for o in objs[:1000]:
        f.write(json.dumps({"model": "txo-latest", "data": [o]}, separators=sep) + "\n")
EOF

# ---- Vigil
log "starting $VIGIL on CPUs $CPUS"
taskset -c "$CPUS" "$VIGIL" serve --host 127.0.0.1 --port 0 --data-dir "$WORKDIR/data" \
    --max-body-bytes 67108864 --log-level warning >"$WORKDIR/vigil.log" 2>&1 &
VPID=$!
BASE=""
for _ in $(seq 1 600); do
  BASE="$(grep -o 'vigil listening on http://[^ ]*' "$WORKDIR/vigil.log" | head -n 1 | sed 's/vigil listening on //')" || true
  [ -n "$BASE" ] && break
  kill -0 "$VPID" 2>/dev/null || { echo "vigil exited:" >&2; cat "$WORKDIR/vigil.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$BASE" ] || { echo "vigil printed no address" >&2; exit 1; }
case "$BASE" in http://127.*) ;; *) echo "not a loopback address: $BASE" >&2; exit 1 ;; esac
curl -fsS "$BASE/healthz" >/dev/null

for kind in numbers objects; do
  log "fitting isolation_forest on $ROWS rows ($kind)"
  FIT="$(curl -fsS -H 'Content-Type: application/json' --data-binary "@$WORKDIR/fit_$kind.json" "$BASE/v1/ml/anomaly/fit")"
  case "$FIT" in *'"status":"fitted"'*) ;; *) echo "fit failed: $FIT" >&2; exit 1 ;; esac
  echo "$FIT" >"$WORKDIR/fit_$kind.answer.json"
done
CHECK="$(curl -fsS -H 'Content-Type: application/json' --data-binary "$(head -n 1 "$WORKDIR/score_numbers.jsonl")" "$BASE/v1/ml/anomaly/score")"
case "$CHECK" in *'"score":'*) ;; *) echo "unexpected score answer: $CHECK" >&2; exit 1 ;; esac

LUA="$ROOT/bench/wrk_json.lua"
CLK_TCK="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$VPID/stat"; }   # Vigil's user + system time, in ticks
run_wrk() {  # label url [bodies]
  local label="$1" url="$2" bodies="${3:-}"
  log "wrk $label: -t$WRK_THREADS -c$CONNECTIONS ${WARMUP}s warm-up + ${DURATION}s"
  if [ "$WARMUP" -gt 0 ]; then
    timeout $((WARMUP + 60)) wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${WARMUP}s" -s "$LUA" "$url" -- $bodies >/dev/null
  fi
  local before after
  before="$(cpu_ticks)"
  timeout $((DURATION + 60)) wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout 10s -s "$LUA" "$url" -- $bodies \
      >"$OUT_DIR/wrk-$label.out"
  after="$(cpu_ticks)"
  grep '^{' "$OUT_DIR/wrk-$label.out" | tail -n 1 >"$OUT_DIR/wrk-$label.json"
  awk -v t=$((after - before)) -v hz="$CLK_TCK" 'BEGIN {printf "{\"server_cpu_s\":%.2f}\n", t / hz}' >"$OUT_DIR/cpu-$label.json"
}
run_wrk score_numbers "$BASE/v1/ml/anomaly/score" "$WORKDIR/score_numbers.jsonl"
run_wrk score_objects "$BASE/v1/ml/anomaly/score" "$WORKDIR/score_objects.jsonl"
run_wrk noop "$BASE/healthz"

for rate in ${RATE//,/ }; do
  log "fixed rate: $rate req/s for ${RATE_DURATION}s, $RATE_CONNECTIONS connections (score, then /healthz)"
  timeout $((RATE_DURATION + 120)) "$PY" "$ROOT/bench/stream_load.py" fixed-rate --url "$BASE/v1/ml/anomaly/score" \
      --bodies "$WORKDIR/score_numbers.jsonl" --rate "$rate" --duration "$RATE_DURATION" \
      --connections "$RATE_CONNECTIONS" >"$OUT_DIR/fixed-score-$rate.json" || true
  timeout $((RATE_DURATION + 120)) "$PY" "$ROOT/bench/stream_load.py" fixed-rate --url "$BASE/healthz" \
      --rate "$rate" --duration "$RATE_DURATION" --connections "$RATE_CONNECTIONS" >"$OUT_DIR/fixed-noop-$rate.json" || true
done

awk '/^VmHWM:/ {printf "{\"vigil_peak_rss_mb\":%.1f}\n", $2 / 1024}' "/proc/$VPID/status" >"$OUT_DIR/vigil-rss.json" 2>/dev/null || true
cp "$WORKDIR/fit_numbers.answer.json" "$OUT_DIR/fit.json"
stop_vigil

# ---- the peer
if [ "$SKIP_PEER" = 0 ]; then
  log "peer: FastAPI + sklearn (peer_load.sh), same wrk settings, CPUs $CPUS"
  taskset -c "$CPUS" bash "$PEERS/peer_load.sh" --python "$PY" --duration "$DURATION" --connections "$CONNECTIONS" \
      --wrk-threads "$WRK_THREADS" --warmup "$WARMUP" --rows "$ROWS" --cols "$COLS" --seed "$SEED" \
      --workdir "$WORKDIR/peer" >"$OUT_DIR/peer.json"
else
  echo null >"$OUT_DIR/peer.json"
fi

# ---- the table
"$PY" - "$OUT_DIR" "$CPUS" "$DURATION" "$WARMUP" "$CONNECTIONS" "$WRK_THREADS" "$RATE" "$RATE_DURATION" "$RATE_CONNECTIONS" <<'EOF'
import json, os, sys, time
out, cpus, duration, warmup, conns, threads, rates, rate_duration, rate_conns = sys.argv[1:10]
rates = [r for r in rates.split(",") if r]


def load(name):
    try:
        with open(os.path.join(out, name)) as f:
            text = f.read().strip()
    except OSError:
        return None
    return json.loads(text) if text else None


def with_cpu(label):
    r = load(f"wrk-{label}.json")
    cpu = load(f"cpu-{label}.json")
    if r and cpu and r["requests"]:
        r["server_cpu_s"] = cpu["server_cpu_s"]
        r["server_cpu_us_per_request"] = round(cpu["server_cpu_s"] / r["requests"] * 1e6, 1)
    return r


score, objects, noop = with_cpu("score_numbers"), with_cpu("score_objects"), with_cpu("noop")
peer = load("peer.json")
peer_res = peer["result"] if peer else None
fixed = {r: {"score": load(f"fixed-score-{r}.json"), "noop": load(f"fixed-noop-{r}.json")} for r in rates}
rss = load("vigil-rss.json")

ratios = {"score_vs_noop": score["req_per_s"] / noop["req_per_s"],
          "score_objects_vs_noop": objects["req_per_s"] / noop["req_per_s"]}
if peer_res:
    ratios["score_vs_peer"] = score["req_per_s"] / peer_res["req_per_s"]
    ratios["score_objects_vs_peer"] = objects["req_per_s"] / peer_res["req_per_s"]


def row(name, r, ratio):
    l = r["latency_ms"]
    cpu = r.get("server_cpu_us_per_request")
    return (f"| {name} | {r['req_per_s']:,.0f} | {float(l['p50']):.3f} | {float(l['p99']):.3f} | "
            f"{sum(r['errors'].values())} | {cpu if cpu is not None else '—'} | {ratio} |")


def vs(peer_key, noop_key):
    parts = [f"{ratios[peer_key]:,.0f}× peer"] if peer_key in ratios else []
    return ", ".join(parts + [f"{ratios[noop_key]:.0%} of no-op"])


print(f"\nwrk -t{threads} -c{conns}, {warmup} s warm-up + {duration} s per target; Vigil pinned to CPUs {cpus}\n")
print("| target | req/s | p50 ms | p99 ms | errors | server CPU µs/req | ratio |")
print("|---|---:|---:|---:|---:|---:|---|")
print(row("Vigil `POST /v1/ml/anomaly/score` (numbers)", score, vs("score_vs_peer", "score_vs_noop")))
print(row("Vigil `POST /v1/ml/anomaly/score` (objects + schema)", objects, vs("score_objects_vs_peer", "score_objects_vs_noop")))
print(row("Vigil `GET /healthz` (no-op)", noop, "ceiling"))
if peer_res:
    print(row("peer FastAPI + sklearn `POST /score`", peer_res, "1×"))
print(f"\nfixed rate (open loop), {rate_duration} s per run, {rate_conns} connections\n")
print("| target | offered req/s | achieved req/s | p50 ms | p99 ms | p99.9 ms | max ms | not 2xx / unanswered | client release lag p99 ms |")
print("|---|---:|---:|---:|---:|---:|---:|---|---:|")
for r in rates:
    for name in ("score", "noop"):
        f = fixed[r][name]
        label = "score (numbers)" if name == "score" else "/healthz"
        if not f:
            print(f"| {label} | {r} | failed | | | | | | |")
            continue
        l = f["latency_ms"]
        print(f"| {label} | {int(float(r)):,} | {f['achieved_rate']:,.0f} | {l['p50']:.3f} | {l['p99']:.3f} | {l['p999']:.3f} | "
              f"{l['max']:.3f} | {f['not_2xx']} / {f['unanswered']} | {f['release_lag_ms']['p99']:.3f} |")

main_rate = rates[0] if rates else None
main = fixed.get(main_rate, {}).get("score") if main_rate else None
goals = {
    "req_per_s_vs_peer_ge_100x": (ratios["score_vs_peer"] >= 100) if "score_vs_peer" in ratios else None,
    "score_vs_noop_ge_70pct": ratios["score_vs_noop"] >= 0.70,
    f"p99_lt_2ms_at_{main_rate}_per_s": (main["latency_ms"]["p99"] < 2.0 and main["achieved_rate"] >= 0.98 * float(main_rate)
                                         and main["not_2xx"] == 0 and main["unanswered"] == 0) if main else None,
}
print("\ngoals:", ", ".join(f"{k}: {'met' if v else ('not met' if v is not None else 'not measured')}" for k, v in goals.items()))
result = {"bench": "service_load", "date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "pinned": cpus,
          "loadavg": open("/proc/loadavg").read().split()[:3],
          "wrk": {"threads": int(threads), "connections": int(conns), "duration_s": int(duration), "warmup_s": int(warmup)},
          "vigil": {"score_numbers": score, "score_objects": objects, "noop": noop, **(rss or {})},
          "fixed_rate": fixed, "peer": peer, "ratios": {k: round(v, 3) for k, v in ratios.items()}, "goals": goals}
line = json.dumps(result, separators=(",", ":"))
with open(os.path.join(out, "result.json"), "w") as f:
    f.write(line + "\n")
print("\n" + line)
print(f"\n(outputs in {out})", file=sys.stderr)
EOF
