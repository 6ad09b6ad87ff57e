#!/usr/bin/env bash
# Fuzzes a running `vigil serve` against its own OpenAPI document (GET /openapi.json) with
# schemathesis: every documented operation gets generated valid requests, and every answer must
# be no 5xx, a documented status, a documented content type and match the documented schema.
#
#   bash scripts/schemathesis.sh            # after `swift build`; exits non-zero on any failure
#
# Environment:
#   VIGIL_BIN      the binary to serve (default .build/debug/vigil)
#   VENV           virtual environment for schemathesis (default .venv-schemathesis; made if missing)
#   FUZZ_EXAMPLES  most generated cases per operation (default 60)
#   FUZZ_MIN_CASES fail when fewer cases than this ran in total (default 1000)
#   FUZZ_SEED      schemathesis seed (default: a fixed one, so a CI failure can be replayed)
#   FUZZ_EXCLUDE_PATH_REGEX   operations whose path matches are skipped (default: none), e.g.
#                  '^/(metrics|v1/ml/anomaly/stream)' on a build without those routes
#   FUZZ_TIMEOUT   seconds the whole schemathesis run may take (default 900)
#   FUZZ_REPORT_DIR  keep the run's output, JUnit report and server log there (default: not kept)
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
SPEC_VALIDATOR_VERSION=0.9.0
VIGIL_BIN=${VIGIL_BIN:-.build/debug/vigil}
VENV=${VENV:-.venv-schemathesis}
FUZZ_EXAMPLES=${FUZZ_EXAMPLES:-60}
FUZZ_MIN_CASES=${FUZZ_MIN_CASES:-1000}
FUZZ_SEED=${FUZZ_SEED:-20260101}
FUZZ_EXCLUDE_PATH_REGEX=${FUZZ_EXCLUDE_PATH_REGEX:-}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-900}

absolute() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
VIGIL_BIN=$(absolute "$VIGIL_BIN")
VENV=$(absolute "$VENV")

if [ ! -x "$VIGIL_BIN" ]; then
    echo "no vigil binary at $VIGIL_BIN: run swift build first (or set VIGIL_BIN)" >&2
    exit 2
fi

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "version $SCHEMATHESIS_VERSION\$" \
    || [ ! -x "$VENV/bin/openapi-spec-validator" ]; then
    echo "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        "schemathesis==$SCHEMATHESIS_VERSION" "openapi-spec-validator==$SPEC_VALIDATOR_VERSION"
fi
PY="$VENV/bin/python"

work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-fuzz.XXXXXX")
REPORT_DIR=$(absolute "${FUZZ_REPORT_DIR:-$work/report}")
mkdir -p "$REPORT_DIR"
server_pid=""
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=""
    rm -rf "$work"
}
trap stop_server EXIT
trap 'exit 130' INT TERM

# A fresh registry on a free loopback port; the server prints the address once it listens.
"$VIGIL_BIN" serve --host 127.0.0.1 --port 0 --data-dir "$work/data" >"$REPORT_DIR/server.log" 2>&1 &
server_pid=$!
base=""
for _ in $(seq 1 300); do
    base=$(grep -o -m1 'http://127\.0\.0\.1:[0-9]*' "$REPORT_DIR/server.log" || true)
    [ -n "$base" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "vigil serve exited before listening:" >&2
        cat "$REPORT_DIR/server.log" >&2
        exit 1
    fi
    sleep 0.1
done
if [ -z "$base" ]; then
    echo "vigil serve printed no address within 30 s" >&2
    exit 1
fi
"$PY" - "$base" <<'PYEOF'
import sys, time, urllib.request
base = sys.argv[1]
for _ in range(100):
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.1)
sys.exit(f"{base}/healthz did not answer 200 within 10 s")
PYEOF
echo "vigil serving at $base (pid $server_pid)"

# The served document must be valid OpenAPI before it is used to fuzz.
"$PY" -c 'import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1]).read())' \
    "$base/openapi.json" >"$work/openapi.json"
"$VENV/bin/openapi-spec-validator" "$work/openapi.json"

filters=()
if [ -n "$FUZZ_EXCLUDE_PATH_REGEX" ]; then
    filters=(--exclude-path-regex "$FUZZ_EXCLUDE_PATH_REGEX")
    echo "skipping paths matching $FUZZ_EXCLUDE_PATH_REGEX"
fi

# POST /anomaly_detection/ answers its documented 503 when no Ethereum node is configured, as here.
cat >"$work/schemathesis.toml" <<'TOMLEOF'
[[operations]]
include-path = "/anomaly_detection/"
checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "503"]
TOMLEOF

# From the temporary folder, so that schemathesis' own cache of failures stays out of the checkout.
status=0
(cd "$work" && timeout --signal=INT --kill-after=30 "$FUZZ_TIMEOUT" \
    "$VENV/bin/schemathesis" --config-file "$work/schemathesis.toml" run "$base/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --mode positive \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "$FUZZ_EXAMPLES" \
    --seed "$FUZZ_SEED" \
    --generation-database none \
    --workers 2 \
    --request-timeout 300 \
    --no-color \
    --report junit --report-junit-path "$REPORT_DIR/junit.xml" \
    "${filters[@]}") 2>&1 | tee "$REPORT_DIR/schemathesis.txt" || status=$?

if [ "$status" -eq 124 ]; then
    echo "schemathesis did not finish within $FUZZ_TIMEOUT s" >&2
fi
if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "vigil serve died during the run; the end of its log:" >&2
    tail -n 50 "$REPORT_DIR/server.log" >&2
    status=1
fi

# Its summary says "Test cases:" then "  N generated, ...".
cases=$(grep -A1 '^Test cases:' "$REPORT_DIR/schemathesis.txt" | grep -o -m1 '[0-9]\+ generated' | grep -o '[0-9]\+' || echo 0)
echo "test cases generated: $cases (at least $FUZZ_MIN_CASES required)"
if [ "$cases" -lt "$FUZZ_MIN_CASES" ]; then
    echo "too few test cases: raise FUZZ_EXAMPLES" >&2
    [ "$status" -eq 0 ] && status=1
fi
if [ "$status" -ne 0 ] && grep -q ' error ' "$REPORT_DIR/server.log"; then
    echo "errors the server logged:" >&2
    grep ' error ' "$REPORT_DIR/server.log" | tail -n 20 >&2
fi
exit "$status"
