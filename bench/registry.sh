#!/usr/bin/env bash
# Registry benchmark: save and load `-latest` of a 100-tree Isolation Forest in a warm registry.
#
#   1. fits Vigil's Isolation Forest (100 trees, the default) on DATA and writes the model file
#   2. runs `vigil models bench` (in-process timings against an open SQLite registry: save = new
#      version committed with synchronous=FULL; load_latest = resolve + read blob + SHA-256 check;
#      load_latest_decoded = the same + decoding the model) and the Python peer
#      bench/registry_peer.py (joblib dump/load of a 100-tree sklearn IsolationForest, one file
#      per version, as LlamaFarm stores models), in turn, ROUNDS times each
#   3. prints every JSON line, then the median of the per-round medians and the ratios peer / Vigil
#
# Usage, from the repository root:  swift build -c release && bench/registry.sh
# Environment: VIGIL (default .build/release/vigil), PY (default python3: a Python with
# the peers installed), DATA (default ../shared/data/adbench/20_letter.npz), ROUNDS (default 5),
# REPEAT (operations per round, default 50), DATABASE_URL (also time PostgreSQL when set).
set -euo pipefail
cd "$(dirname "$0")/.."
VIGIL="${VIGIL:-.build/release/vigil}"
if [ -z "${PY:-}" ]; then
    PY=python3
fi
DATA="${DATA:-../shared/data/adbench/20_letter.npz}"
ROUNDS="${ROUNDS:-5}"
REPEAT="${REPEAT:-50}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$VIGIL" fit --data "$DATA" --out "$work/forest.vigil" >/dev/null
for _ in $(seq "$ROUNDS"); do
    "$VIGIL" models bench --model "$work/forest.vigil" --repeat "$REPEAT" --data-dir "$work/registry" | sed 's/^/vigil-sqlite /'
    if [ -n "${DATABASE_URL:-}" ]; then
        "$VIGIL" models bench --model "$work/forest.vigil" --repeat "$REPEAT" --database-url "$DATABASE_URL" | sed 's/^/vigil-postgres /'
    fi
    "$PY" bench/registry_peer.py --data "$DATA" --repeat "$REPEAT" | sed 's/^/peer-joblib /'
done | tee "$work/lines"

"$PY" - "$work/lines" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    who, _, payload = line.partition(" ")
    rows.setdefault(who, []).append(json.loads(payload))
def med(who, op):
    return statistics.median(r[op]["median_ms"] for r in rows[who]) if who in rows and op in rows[who][0] else None
print("\nmedian of per-round medians (ms):")
for who in rows:
    print(f"  {who:15s} blob {rows[who][0]['blob_bytes']:>9d} B  save {med(who, 'save'):8.3f}  load -latest {med(who, 'load_latest'):8.3f}"
          + (f"  load+decode {med(who, 'load_latest_decoded'):8.3f}" if med(who, 'load_latest_decoded') else ""))
peer = "peer-joblib"
for who in rows:
    if who != peer and peer in rows:
        print(f"  ratio {peer}/{who}: save {med(peer, 'save') / med(who, 'save'):.2f}x, "
              f"load -latest {med(peer, 'load_latest') / med(who, 'load_latest'):.2f}x, "
              f"load+decode vs joblib.load {med(peer, 'load_latest') / med(who, 'load_latest_decoded'):.2f}x")
PY
