#!/usr/bin/env bash
# Speed benchmark, 1,000,000 x 10 "transactions" (../shared/bench/peers): Vigil vs.
# sklearn IsolationForest and PyOD ECOD / COPOD / HBOS, fit + score on the same rows,
# with all cores (nproc) and with 1 thread.
#
#   1. writes bench/out/tx_1m.csv once (peer_detectors.py --write-only; bench/out is git-ignored)
#   2. peers: peer_detectors.py --csv ... --detectors iforest,ecod,copod,hbos --threads T
#      -> one JSON line per T in $PEERS_OUT
#   3. Vigil: vigil evaluate --data ... --label label --backend B --seed 0 --json --threads T
#      -> one JSON line per (B, T) in $VIGIL_OUT, as {"threads": T, "backend": B, "result": {...}}
#   4. bench/speed_table.py joins both into a Markdown table
#      (detector | threads | peer fit+score s | Vigil fit+score s | speed-up | ROC AUC both)
#
# Usage, from the repository root:
#   swift build -c release
#   bench/speed.sh            # all steps
#   bench/speed.sh peers      # only steps 1-2 (the peers take ~1-2 min per thread setting)
#   bench/speed.sh vigil      # only steps 1, 3, 4 (reuses the saved peer results)
#   bench/speed.sh table      # only step 4
# Environment: VIGIL (default .build/release/vigil), PY (default /work/.venv-peers/bin/python
# if present, else python3), PEERS_DIR (default ../shared/bench/peers), CSV (default
# bench/out/tx_1m.csv), THREADS (default "$(nproc) 1"), PEERS_OUT (default
# bench/results/peers_speed_1m.jsonl), VIGIL_OUT (default bench/results/vigil_speed_1m.jsonl),
# MD_OUT (optional: also write the table there), TIMEOUT_S (per peer run, default 600).
# Run it on an otherwise idle machine: the timings are wall-clock.
set -euo pipefail

cd "$(dirname "$0")/.."
mode="${1:-all}"
case "$mode" in all|peers|vigil|table) ;; *) echo "usage: $0 [all|peers|vigil|table]" >&2; exit 2 ;; esac

VIGIL="${VIGIL:-.build/release/vigil}"
if [ -z "${PY:-}" ]; then
  if [ -x /work/.venv-peers/bin/python ]; then PY=/work/.venv-peers/bin/python; else PY=python3; fi
fi
PEERS_DIR="${PEERS_DIR:-../shared/bench/peers}"
CSV="${CSV:-bench/out/tx_1m.csv}"
NPROC="$(nproc)"
THREADS="${THREADS:-$NPROC 1}"
[ "$NPROC" = 1 ] && [ "$THREADS" = "1 1" ] && THREADS=1
PEERS_OUT="${PEERS_OUT:-bench/results/peers_speed_1m.jsonl}"
VIGIL_OUT="${VIGIL_OUT:-bench/results/vigil_speed_1m.jsonl}"
TIMEOUT_S="${TIMEOUT_S:-600}"
DETECTORS="iforest ecod copod hbos"

echo "# nproc=$NPROC threads=[$THREADS] csv=$CSV" >&2

if [ "$mode" != table ] && [ ! -s "$CSV" ]; then
  mkdir -p "$(dirname "$CSV")"
  echo "# writing $CSV" >&2
  "$PY" "$PEERS_DIR/peer_detectors.py" --rows 1000000 --cols 10 --seed 0 --out-csv "$CSV" --write-only >&2
fi

if [ "$mode" = all ] || [ "$mode" = peers ]; then
  mkdir -p "$(dirname "$PEERS_OUT")"
  : > "$PEERS_OUT"
  for t in $THREADS; do
    echo "# peers, threads=$t" >&2
    "$PY" "$PEERS_DIR/peer_detectors.py" --csv "$CSV" --seed 0 \
      --detectors "$(echo $DETECTORS | tr ' ' ,)" --threads "$t" --timeout-s "$TIMEOUT_S" \
      | grep '^{' >> "$PEERS_OUT"
  done
fi

if [ "$mode" = all ] || [ "$mode" = vigil ]; then
  [ -x "$VIGIL" ] || { echo "no vigil binary at $VIGIL (swift build -c release, or set VIGIL)" >&2; exit 1; }
  mkdir -p "$(dirname "$VIGIL_OUT")"
  : > "$VIGIL_OUT"
  for t in $THREADS; do
    for d in $DETECTORS; do
      b="$d"; [ "$d" = iforest ] && b=isolation_forest
      echo "# vigil $b, threads=$t" >&2
      line="$("$VIGIL" evaluate --data "$CSV" --label label --backend "$b" --seed 0 --json --threads "$t" \
              | grep '^{' | tail -n 1 || true)"
      [ -n "$line" ] || line='{"error": "no JSON output"}'
      printf '{"threads": %d, "backend": "%s", "result": %s}\n' "$t" "$b" "$line" >> "$VIGIL_OUT"
    done
  done
fi

args=(--peers "$PEERS_OUT")
[ -s "$VIGIL_OUT" ] && args+=(--vigil "$VIGIL_OUT")
[ -n "${MD_OUT:-}" ] && args+=(--markdown-out "$MD_OUT")
"$PY" bench/speed_table.py "${args[@]}"
