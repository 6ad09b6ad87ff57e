#!/usr/bin/env bash
# Every test of the project: the Swift suites, TreeSHAP against the shap package, then the real
# binary driven over HTTP (the end-to-end flows in Tests/e2e, schemathesis against /openapi.json,
# and the Ethereum scanner against a real EVM test chain in Tests/eth). The Python tools go into
# virtual environments from PyPI on first use. Run from anywhere: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# The served OpenAPI document is the one scripts/openapi.py writes.
python3 scripts/openapi.py --check
swift build --build-tests
swift test --skip-build

export VIGIL_BIN="$PWD/.build/debug/vigil"
bash scripts/treeshap-check.sh
bash scripts/schemathesis.sh
bash scripts/e2e.sh
bash scripts/eth-test.sh
