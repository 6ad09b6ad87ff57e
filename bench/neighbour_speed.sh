#!/usr/bin/env bash
# Speed of KNN, LOF, MCD (100,000 × 10) and OCSVM (5,000 × 10; Vigil caps it at 20,000 rows)
# against PyOD on the same generated "transactions" CSV (../shared/bench/peers), fit + score on
# the same rows, whole process (read CSV, fit, score), PyOD single-threaded, Vigil on all cores.
#
#   1. writes bench/out/tx_100k.csv (and its first 5,000 rows as bench/out/tx_5k.csv) once
#   2. for each backend, RUNS times in turn: PyOD (bench/neighbour_peer.py) then Vigil
#      (vigil evaluate --backend B), each under /usr/bin/time; prints one line per run:
#      backend, side, wall s, user s, sys s
#
# Usage, from the repository root:  swift build -c release && bench/neighbour_speed.sh
# Environment: VIGIL (default .build/release/vigil), PY (default python3: a Python with
# the peers installed), PEERS_DIR (default ../shared/bench/peers), RUNS (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
VIGIL="${VIGIL:-.build/release/vigil}"
if [ -z "${PY:-}" ]; then
  PY=python3
fi
PEERS_DIR="${PEERS_DIR:-../shared/bench/peers}"
RUNS="${RUNS:-3}"
mkdir -p bench/out
if [ ! -s bench/out/tx_100k.csv ]; then
  "$PY" "$PEERS_DIR/peer_detectors.py" --rows 100000 --cols 10 --seed 0 --out-csv bench/out/tx_100k.csv --write-only >&2
fi
[ -s bench/out/tx_5k.csv ] || head -n 5001 bench/out/tx_100k.csv > bench/out/tx_5k.csv

measure() {  # backend side command...
  local b="$1" side="$2"; shift 2
  /usr/bin/time -f "$b $side wall %e user %U sys %S" "$@" > /dev/null
}
for spec in knn:tx_100k local_outlier_factor:tx_100k mcd:tx_100k one_class_svm:tx_5k; do
  b="${spec%%:*}"; csv="bench/out/${spec#*:}.csv"
  for _ in $(seq "$RUNS"); do
    measure "$b" pyod "$PY" bench/neighbour_peer.py --csv "$csv" --backend "$b"
    measure "$b" vigil "$VIGIL" evaluate --data "$csv" --label label --backend "$b" --seed 0 --json
  done
done
