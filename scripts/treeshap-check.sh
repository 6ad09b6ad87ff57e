#!/usr/bin/env bash
# Compares Vigil's TreeSHAP with the `shap` package (PyPI) on small scikit-learn tree models
# (gradient boosting, random forest, one tree): SHAP values, expected value and predictions must
# agree within 1e-6. shap and scikit-learn go into a virtual environment on first use.
#
# usage: scripts/treeshap-check.sh [check.py arguments...]
#   VENV       virtual environment to create or reuse (default .venv-shap)
#   PYTHON     Python that creates it (default python3)
#   VIGIL_BIN  the binary under test (default .build/debug/vigil, built when missing)
# e.g.  scripts/treeshap-check.sh --write-fixture Tests/VigilCoreTests/Fixtures/treeshap-gradient-boosting.json
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="${VENV:-.venv-shap}"
PYTHON="${PYTHON:-python3}"
REQUIREMENTS="scripts/treeshap/requirements.txt"

if [ -z "${VIGIL_BIN:-}" ]; then
  VIGIL_BIN=".build/debug/vigil"
  [ -x "$VIGIL_BIN" ] || swift build --product vigil
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "treeshap-check: creating $VENV" >&2
  "$PYTHON" -m venv "$VENV"
fi
STAMP="$VENV/.treeshap-requirements"
if ! cmp -s "$REQUIREMENTS" "$STAMP"; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  cp "$REQUIREMENTS" "$STAMP"
fi

exec "$VENV/bin/python" scripts/treeshap/check.py "$VIGIL_BIN" "$@"
