#!/usr/bin/env bash
# Autoencoder training speed per epoch on the 100,000 x 10 generated set: Vigil vs. PyOD's
# AutoEncoder on torch (CPU), same data, same thread count, runs interleaved.
#
# Per-epoch seconds = (fit time with EPOCHS_B epochs - fit time with EPOCHS_A epochs) / (B - A),
# which cancels loading, standardising and scoring the training rows on both sides.
#   Vigil: vigil fit --data CSV --label label --backend autoencoder --epochs E --threads T
#          (the fit time is the "in X s" of its output line)
#   PyOD:  bench/autoencoder_peers.py --speed CSV --threads T --epochs-a A --epochs-b B
# Prints one line per round with both per-epoch times (wall and CPU = user + sys) and the ratios
# PyOD / Vigil; on a busy machine the CPU figures are the steadier ones.
#
# Usage, from the repository root:
#   swift build -c release
#   $PY ../shared/bench/peers/peer_detectors.py --rows 100000 --cols 10 \
#       --seed 0 --out-csv bench/out/tx_100k.csv --write-only
#   bench/autoencoder_speed.sh
# Environment: VIGIL (default .build/release/vigil), PY (default python3; needs
# torch and pyod), CSV (default bench/out/tx_100k.csv), THREADS (default 1), ROUNDS (default 3),
# EPOCHS_A (default 1), EPOCHS_B (default 3).
set -euo pipefail

cd "$(dirname "$0")/.."
VIGIL="${VIGIL:-.build/release/vigil}"
PY="${PY:-python3}"
CSV="${CSV:-bench/out/tx_100k.csv}"
THREADS="${THREADS:-1}"
ROUNDS="${ROUNDS:-3}"
A="${EPOCHS_A:-1}"
B="${EPOCHS_B:-3}"

# Prints "WALL CPU": the fit's own wall time and the process's user + sys seconds.
vigil_fit_seconds() {
    local log=/tmp/vigil-ae-speed.time
    /usr/bin/time -o "$log" -f "%U %S" "$VIGIL" fit --data "$CSV" --label label --backend autoencoder \
        --epochs "$1" --threads "$THREADS" --seed 0 --out /tmp/vigil-ae-speed.vigil \
        | sed -n 's/.* in \([0-9.]*\) s;.*/\1/p' | tr '\n' ' '
    awk '{print $1 + $2}' "$log"
}

for round in $(seq 1 "$ROUNDS"); do
    read -r va_wall va_cpu <<<"$(vigil_fit_seconds "$A")"
    read -r vb_wall vb_cpu <<<"$(vigil_fit_seconds "$B")"
    peer=$("$PY" bench/autoencoder_peers.py --speed "$CSV" --threads "$THREADS" --epochs-a "$A" --epochs-b "$B")
    python3 - "$va_wall" "$vb_wall" "$va_cpu" "$vb_cpu" "$A" "$B" "$round" "$THREADS" "$peer" <<'PY'
import json, sys
va, vb, ca, cb, a, b = map(float, sys.argv[1:7])
peer = json.loads(sys.argv[9])
wall, cpu = (vb - va) / (b - a), (cb - ca) / (b - a)
pw, pc = peer["seconds_per_epoch"], peer["cpu_seconds_per_epoch"]
print("round %s threads %s: wall s/epoch Vigil %.3f PyOD %.3f (PyOD/Vigil %.1fx); "
      "CPU s/epoch Vigil %.3f PyOD %.3f (%.1fx)" % (sys.argv[7], sys.argv[8], wall, pw, pw / wall, cpu, pc, pc / cpu))
PY
done
rm -f /tmp/vigil-ae-speed.time
rm -f /tmp/vigil-ae-speed.vigil
