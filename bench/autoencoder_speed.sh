#!/usr/bin/env bash
# Autoencoder training speed per epoch on the 100,000 x 10 generated set: Vigil vs. PyOD's
# AutoEncoder on torch (CPU), same data, same thread count, runs interleaved.
#
# Per-epoch seconds = (fit time with EPOCHS_B epochs - fit time with EPOCHS_A epochs) / (B - A),
# which cancels loading, standardising and scoring the training rows on both sides.
#   Vigil: vigil fit --data CSV --label label --backend autoencoder --epochs E --threads T
#          (the fit time is the "in X s" of its output line)
#   PyOD:  bench/autoencoder_peers.py --speed CSV --threads T --epochs-a A --epochs-b B
# Prints one line per round with both per-epoch times and the ratio PyOD / Vigil.
#
# Usage, from the repository root:
#   swift build -c release
#   /work/.venv-peers/bin/python ../shared/bench/peers/peer_detectors.py --rows 100000 --cols 10 \
#       --seed 0 --out-csv bench/out/tx_100k.csv --write-only
#   bench/autoencoder_speed.sh
# Environment: VIGIL (default .build/release/vigil), PY (default /work/.venv-ae/bin/python; needs
# torch and pyod), CSV (default bench/out/tx_100k.csv), THREADS (default 1), ROUNDS (default 3),
# EPOCHS_A (default 1), EPOCHS_B (default 3).
set -euo pipefail

cd "$(dirname "$0")/.."
VIGIL="${VIGIL:-.build/release/vigil}"
PY="${PY:-/work/.venv-ae/bin/python}"
CSV="${CSV:-bench/out/tx_100k.csv}"
THREADS="${THREADS:-1}"
ROUNDS="${ROUNDS:-3}"
A="${EPOCHS_A:-1}"
B="${EPOCHS_B:-3}"

vigil_fit_seconds() {
    "$VIGIL" fit --data "$CSV" --label label --backend autoencoder --epochs "$1" --threads "$THREADS" \
        --seed 0 --out /tmp/vigil-ae-speed.vigil | sed -n 's/.* in \([0-9.]*\) s;.*/\1/p'
}

for round in $(seq 1 "$ROUNDS"); do
    va=$(vigil_fit_seconds "$A")
    vb=$(vigil_fit_seconds "$B")
    vigil_epoch=$(python3 -c "print(round(($vb - $va) / ($B - $A), 4))")
    peer_epoch=$("$PY" bench/autoencoder_peers.py --speed "$CSV" --threads "$THREADS" \
        --epochs-a "$A" --epochs-b "$B" | python3 -c "import json,sys; print(json.loads(sys.stdin.read())['seconds_per_epoch'])")
    ratio=$(python3 -c "print(round($peer_epoch / $vigil_epoch, 1))")
    echo "round $round threads $THREADS: Vigil $vigil_epoch s/epoch, PyOD $peer_epoch s/epoch, PyOD/Vigil ${ratio}x"
done
rm -f /tmp/vigil-ae-speed.vigil
