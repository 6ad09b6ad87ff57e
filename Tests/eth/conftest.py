"""Fixtures of the Ethereum scanner tests: the test chain behind its JSON-RPC bridge (one per
session: building it takes a while), the `vigil` binary, and `vigil serve` pointed at the chain.
Every fixture stops what it started."""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def http(method, url, body=None, timeout=120):
    """(status, decoded JSON or text) of one request; never raises on an HTTP status."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


class Chain:
    """The bridge process and what its scenario did (the manifest)."""

    DEFAULTS = {"max_log_range": 0, "fail_next": 0, "error_status": 0, "malformed_next": 0, "hang_next": 0,
                "hang_seconds": 5.0, "block_receipts": True, "batch": True, "missing_receipts": []}

    def __init__(self, url, manifest, process):
        self.url, self.manifest, self.process = url, manifest, process

    def control(self, **options):
        status, answer = http("POST", self.url + "/_control", options)
        assert status == 200, answer
        return answer

    def reset(self):
        self.control(**self.DEFAULTS)
        http("POST", self.url + "/_stats", {})

    def stats(self):
        return http("GET", self.url + "/_stats")[1]


def start_chain(tmp, *extra):
    manifest = tmp / "manifest.json"
    log = open(tmp / "chain.log", "w")
    process = subprocess.Popen([sys.executable, str(HERE / "chain.py"), "--port", "0", "--manifest", str(manifest), *extra],
                               stdout=subprocess.PIPE, stderr=log, text=True)
    line = process.stdout.readline()
    match = re.search(r"listening on (http://\S+)", line)
    if not match:
        process.kill()
        raise RuntimeError(f"the test chain did not start: {line}\n{(tmp / 'chain.log').read_text()}")
    return Chain(match.group(1), json.loads(manifest.read_text()), process)


@pytest.fixture(scope="session")
def chain():
    with tempfile.TemporaryDirectory(prefix="vigil-chain-") as tmp:
        c = start_chain(Path(tmp))
        try:
            yield c
        finally:
            c.process.send_signal(signal.SIGINT)
            try:
                c.process.wait(10)
            except subprocess.TimeoutExpired:
                c.process.kill()


@pytest.fixture
def node(chain):
    """The chain with no faults and zeroed counters."""
    chain.reset()
    yield chain
    chain.reset()


@pytest.fixture(scope="session")
def vigil_bin():
    path = Path(os.environ.get("VIGIL_BIN", REPO / ".build" / "debug" / "vigil"))
    if not path.exists():
        pytest.exit(f"vigil binary not found: {path}", returncode=2)
    return path


def run_vigil(vigil_bin, *args, env=None, timeout=300):
    """A finished `vigil` process (stdout, stderr, returncode)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_ETH_")}
    full_env.update(env or {})
    return subprocess.run([str(vigil_bin), *args], capture_output=True, text=True, timeout=timeout, env=full_env)


class Server:
    def __init__(self, vigil_bin, data_dir, env):
        self.log_path = data_dir.parent / f"{data_dir.name}.log"
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_ETH_")}
        full_env.update(env)
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([str(vigil_bin), "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", str(data_dir)],
                                        stdout=self.log, stderr=subprocess.STDOUT, env=full_env)
        deadline = time.monotonic() + 60
        self.url = None
        while self.url is None:
            assert self.process.poll() is None, self.log_path.read_text()
            assert time.monotonic() < deadline, "vigil serve printed no address"
            match = re.search(r"vigil listening on (http://\S+)", self.log_path.read_text())
            if match:
                self.url = match.group(1).rstrip("/")
            else:
                time.sleep(0.05)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture
def serve(vigil_bin, tmp_path):
    """Starts `vigil serve` on a fresh data directory with the given VIGIL_ETH_* settings."""
    servers = []

    def start(**env):
        server = Server(vigil_bin, tmp_path / f"data{len(servers)}", env)
        servers.append(server)
        return server

    yield start
    for s in servers:
        s.stop()
