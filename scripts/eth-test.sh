#!/usr/bin/env bash
# Tests of the Ethereum scanner against a real EVM: a test chain (eth-tester + py-evm running ERC20
# contracts compiled with vyper, Tests/eth/chain.py) behind a JSON-RPC bridge, scanned by the real
# `vigil eth scan` and `vigil serve`.
#
# usage: scripts/eth-test.sh [pytest arguments...]
#   VENV       virtual environment to create or reuse (default .venv-eth)
#   PYTHON     Python that creates it (default python3)
#   VIGIL_BIN  the binary under test (default .build/debug/vigil; built when it is the default and missing)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="${VENV:-.venv-eth}"
PYTHON="${PYTHON:-python3}"
REQUIREMENTS="Tests/eth/requirements.txt"

if [ -z "${VIGIL_BIN:-}" ]; then
  VIGIL_BIN=".build/debug/vigil"
  if [ ! -x "$VIGIL_BIN" ]; then
    echo "eth: $VIGIL_BIN missing, running swift build" >&2
    swift build --product vigil
  fi
fi
if [ ! -x "$VIGIL_BIN" ]; then
  echo "eth: VIGIL_BIN=$VIGIL_BIN is not an executable" >&2
  exit 2
fi
VIGIL_BIN="$(cd "$(dirname "$VIGIL_BIN")" && pwd)/$(basename "$VIGIL_BIN")"
export VIGIL_BIN

if [ ! -x "$VENV/bin/python" ]; then
  echo "eth: creating $VENV" >&2
  "$PYTHON" -m venv "$VENV"
fi
STAMP="$VENV/.eth-requirements"
if ! cmp -s "$REQUIREMENTS" "$STAMP" 2>/dev/null; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  cp "$REQUIREMENTS" "$STAMP"
fi

echo "eth: testing $VIGIL_BIN" >&2
exec "$VENV/bin/python" -m pytest Tests/eth -p no:cacheprovider "$@"
