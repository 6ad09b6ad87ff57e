"""Fixtures for the end-to-end tests: the real `vigil` binary on a free loopback port.

`VIGIL_BIN` names the binary (default `.build/debug/vigil` from the repository root). Each
server gets `--port 0` and a data directory; the address it prints ("vigil listening on
http://HOST:PORT ...") is parsed from its output, then `/healthz` is awaited. A server is
stopped with SIGTERM and killed if it has not exited after 10 s; fixtures always stop what
they started and remove their directories.
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"vigil listening on (https?://[^\s]+)")
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 10


def vigil_binary() -> Path:
    path = Path(os.environ.get("VIGIL_BIN", REPO / ".build" / "debug" / "vigil"))
    if not path.is_absolute():
        path = REPO / path
    if not path.exists():
        pytest.exit(f"vigil binary not found: {path} (build it with `swift build` or set VIGIL_BIN)", returncode=2)
    return path


class VigilServer:
    """One `vigil serve` process on a data directory; can be stopped and started again."""

    def __init__(self, binary: Path, data_dir: Path, log_dir: Path, extra_args=(), verify=True):
        self.binary = binary
        # What httpx checks the server's certificate with (a CA file for a TLS server).
        self.verify = verify
        self.data_dir = data_dir
        self.log_dir = log_dir
        self.extra_args = list(extra_args)
        self.process = None
        self.base_url = None
        self.starts = 0
        self.log_path = None
        self.last_exit_code = None
        self.previous_log = ""

    def start(self) -> "VigilServer":
        assert self.process is None, "server already running"
        self.starts += 1
        self.log_path = self.log_dir / f"vigil-{self.starts}.log"
        log = open(self.log_path, "wb")
        try:
            # A server on PostgreSQL (--database-url) keeps no data directory.
            store = [] if "--database-url" in self.extra_args else ["--data-dir", str(self.data_dir)]
            self.process = subprocess.Popen(
                [str(self.binary), "serve", "--host", "127.0.0.1", "--port", "0", *store, *self.extra_args],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        finally:
            log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        try:
            while self.base_url is None:
                if self.process.poll() is not None:
                    raise RuntimeError(f"vigil exited with {self.process.returncode} before listening:\n{self.log()}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"vigil printed no address within {START_TIMEOUT_S} s:\n{self.log()}")
                match = LISTENING.search(self.log())
                if match:
                    self.base_url = match.group(1).rstrip("/")
                else:
                    time.sleep(0.05)
            while True:
                try:
                    if httpx.get(self.base_url + "/healthz", timeout=2, verify=self.verify).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"/healthz not answering within {START_TIMEOUT_S} s:\n{self.log()}")
                time.sleep(0.05)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after 10 s. Returns the exit code (None if it was not running)."""
        process, self.process, self.base_url = self.process, None, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT_S)
        self.last_exit_code = process.returncode
        return process.returncode

    def restart(self) -> "VigilServer":
        self.stop()
        self.previous_log = self.log()
        return self.start()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except (OSError, AttributeError):
            return ""

    def client(self, timeout: float = 30.0) -> httpx.Client:
        assert self.base_url, "server not running"
        return httpx.Client(base_url=self.base_url, timeout=timeout, verify=self.verify)


def _server(tmp_root: Path, name: str, extra_args=()):
    data_dir = tmp_root / f"{name}-data"
    data_dir.mkdir()
    return VigilServer(vigil_binary(), data_dir, tmp_root, extra_args)


@pytest.fixture(scope="module")
def workdir():
    path = Path(tempfile.mkdtemp(prefix="vigil-e2e-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def vigil(workdir):
    """The main server; tests that restart it get the same data directory back."""
    server = _server(workdir, "main").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def small_vigil(workdir):
    """A second server with small limits, for the 413 answers."""
    server = _server(workdir, "small", ["--max-body-bytes", "4096", "--max-rows", "10"]).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def state():
    """What earlier flows leave for later ones (the restart test reads it)."""
    return {}
