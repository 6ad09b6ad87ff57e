#!/usr/bin/env bash
# End-to-end tests of `vigil serve`: the real binary on a free loopback port, driven over HTTP
# by pytest + httpx (Tests/e2e).
#
# usage: scripts/e2e.sh [pytest arguments...]
#   VENV       virtual environment to create or reuse (default .venv-e2e)
#   PYTHON     Python that creates it (default python3)
#   VIGIL_BIN  the binary under test (default .build/debug/vigil; built with `swift build`
#              when it is the default and missing)
#   E2E_TESTS, REQUIREMENTS  another pytest folder and its pinned packages (scripts/eth-test.sh)
# e.g.  scripts/e2e.sh -k stream -x
#       VIGIL_BIN=.build/release/vigil scripts/e2e.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="${VENV:-.venv-e2e}"
PYTHON="${PYTHON:-python3}"
E2E_TESTS="${E2E_TESTS:-Tests/e2e}"
REQUIREMENTS="${REQUIREMENTS:-$E2E_TESTS/requirements.txt}"

if [ -z "${VIGIL_BIN:-}" ]; then
  VIGIL_BIN=".build/debug/vigil"
  if [ ! -x "$VIGIL_BIN" ]; then
    echo "e2e: $VIGIL_BIN missing, running swift build" >&2
    swift build --product vigil
  fi
fi
if [ ! -x "$VIGIL_BIN" ]; then
  echo "e2e: VIGIL_BIN=$VIGIL_BIN is not an executable" >&2
  exit 2
fi
VIGIL_BIN="$(cd "$(dirname "$VIGIL_BIN")" && pwd)/$(basename "$VIGIL_BIN")"
export VIGIL_BIN

if [ ! -x "$VENV/bin/python" ]; then
  echo "e2e: creating $VENV" >&2
  "$PYTHON" -m venv "$VENV"
fi
# reinstall only when the requirements changed since the last install
STAMP="$VENV/.e2e-requirements"
if ! cmp -s "$REQUIREMENTS" "$STAMP" 2>/dev/null; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  cp "$REQUIREMENTS" "$STAMP"
fi

echo "e2e: testing $VIGIL_BIN" >&2
exec "$VENV/bin/python" -m pytest "$E2E_TESTS" -p no:cacheprovider "$@"
