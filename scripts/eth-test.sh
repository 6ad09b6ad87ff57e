#!/usr/bin/env bash
# Tests of the Ethereum scanner against a real EVM: a test chain (eth-tester + py-evm running ERC20
# contracts compiled with vyper, Tests/eth/chain.py) behind a JSON-RPC bridge, scanned by the real
# `vigil eth scan` and `vigil serve`. The pytest run is scripts/e2e.sh's, on Tests/eth with its own
# virtual environment (default .venv-eth, packages pinned in Tests/eth/requirements.txt).
#
# usage: scripts/eth-test.sh [pytest arguments...]     (VENV, PYTHON, VIGIL_BIN as for e2e.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV="${VENV:-.venv-eth}" E2E_TESTS=Tests/eth REQUIREMENTS=Tests/eth/requirements.txt exec bash scripts/e2e.sh "$@"
