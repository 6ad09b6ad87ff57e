"""Two `vigil serve` replicas on one PostgreSQL registry, behind nginx with deploy/nginx/vigil.conf.

Needs a PostgreSQL server (`VIGIL_TEST_POSTGRES_URL`, as `.ci/postgres` starts one) and nginx on
PATH or in /usr/sbin. Without them the tests are skipped, except under CI (`CI` set), where a
missing one is a failure.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest

from conftest import REPO, VigilServer, vigil_binary

NGINX_CONFIG = REPO / "deploy" / "nginx" / "vigil.conf"


def _requirement(found, what: str):
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required under CI")
    pytest.skip(f"{what} not available")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


class Nginx:
    """nginx in the foreground on a free port, serving deploy/nginx/vigil.conf with the replicas' ports."""

    def __init__(self, root: Path, first: int, second: int):
        binary = _requirement(shutil.which("nginx") or (os.path.exists("/usr/sbin/nginx") and "/usr/sbin/nginx"), "nginx")
        self.port = _free_port()
        config = NGINX_CONFIG.read_text()
        # The example's addresses and port, replaced by this run's.
        config = config.replace("127.0.0.1:14345", f"127.0.0.1:{first}").replace("127.0.0.1:14346", f"127.0.0.1:{second}")
        config = re.sub(r"listen 8080;", f"listen 127.0.0.1:{self.port};", config)
        (root / "vigil.conf").write_text(config)
        for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (root / d).mkdir(exist_ok=True)
        (root / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {root}/access.log;
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    include {root}/vigil.conf;
}}
""")
        self.root = root
        self.process = subprocess.Popen([binary, "-p", str(root), "-c", str(root / "nginx.conf")],
                                        stdout=subprocess.DEVNULL, stderr=open(root / "stderr.log", "wb"))
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 10
        while True:
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("nginx did not start: " + (root / "stderr.log").read_text() + self.errors())
            time.sleep(0.05)

    def errors(self) -> str:
        path = self.root / "error.log"
        return path.read_text() if path.exists() else ""

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture()
def cluster(tmp_path):
    """Replicas A and B on one fresh PostgreSQL schema, and nginx in front of them."""
    base = _requirement(os.environ.get("VIGIL_TEST_POSTGRES_URL"), "VIGIL_TEST_POSTGRES_URL")
    schema = "replicas_" + uuid.uuid4().hex[:12]
    url = base + ("&" if "?" in base else "?") + f"schema={schema}"
    servers = []
    nginx = None
    try:
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            servers.append(VigilServer(vigil_binary(), tmp_path / name, tmp_path / name,
                                       extra_args=["--database-url", url]).start())
        (tmp_path / "nginx").mkdir()
        nginx = Nginx(tmp_path / "nginx", _port(servers[0].base_url), _port(servers[1].base_url))
        yield servers[0], servers[1], nginx
    finally:
        if nginx:
            nginx.stop()
        for s in servers:
            s.stop()


def _rows(n: int, seed: int = 0):
    # A steady cloud around (10, 100) and three far points; deterministic, no numpy needed.
    rows = [[10 + ((i * 7 + seed) % 13) * 0.1, 100 + ((i * 11 + seed) % 17) * 0.5] for i in range(n)]
    return rows


def _point(i: int) -> dict:
    return {"amount": 20 + (i % 7) * 0.3, "fee": 0.5 + (i % 5) * 0.01}


def test_a_fit_through_one_replica_is_served_by_the_other_within_a_second(cluster):
    a, b, _ = cluster
    with a.client() as ca, b.client() as cb:
        fitted = ca.post("/v1/ml/anomaly/fit", json={"model": "shared", "backend": "isolation_forest", "data": _rows(200)})
        assert fitted.status_code == 200, fitted.text
        started = time.monotonic()
        while True:
            scored = cb.post("/v1/ml/anomaly/score", json={"model": "shared", "backend": "isolation_forest",
                                                           "data": [[10.5, 104.0], [500.0, -300.0]]})
            if scored.status_code == 200:
                break
            # LlamaFarm's answer for a model this replica does not know (yet).
            assert scored.status_code == 400 and "not fitted" in scored.text, scored.text
            assert time.monotonic() - started < 1.0, "B did not see A's fit within 1 s"
            time.sleep(0.02)
        seen_after = time.monotonic() - started
        print(f"\nreplica B scored A's fit {seen_after * 1000:.1f} ms after A answered")
        assert seen_after < 1.0
        body = scored.json()
        assert body["data"][1]["is_anomaly"] is True

        # A second version through B replaces what A serves for the bare name, within a second.
        refit = cb.post("/v1/ml/anomaly/fit", json={"model": "shared", "backend": "isolation_forest", "data": _rows(300, seed=3)})
        assert refit.status_code == 200, refit.text
        versions_b = {m["filename"] for m in cb.get("/v1/ml/anomaly/models").json()["data"]}
        started = time.monotonic()
        while True:
            versions_a = {m["filename"] for m in ca.get("/v1/ml/anomaly/models").json()["data"]}
            if versions_a == versions_b:
                break
            assert time.monotonic() - started < 1.0, f"A lists {versions_a}, B {versions_b}"
            time.sleep(0.02)
        assert len(versions_a) == 2, versions_a

        # Deleting every version through A: B no longer knows the model within a second.
        for filename in sorted(versions_a):
            deleted = ca.delete(f"/v1/ml/anomaly/models/{filename}")
            assert deleted.status_code == 200, deleted.text
        started = time.monotonic()
        while True:
            gone = cb.post("/v1/ml/anomaly/score", json={"model": "shared", "backend": "isolation_forest", "data": [[1.0, 2.0]]})
            if gone.status_code == 400 and "not fitted" in gone.text:
                break
            assert gone.status_code == 200, gone.text
            assert time.monotonic() - started < 1.0, "B still scores with a model deleted through A"
            time.sleep(0.02)


def _stream(client: httpx.Client, start: int, count: int, model: str = "payments") -> dict:
    reply = None
    for i in range(start, start + count):
        reply = client.post("/v1/ml/anomaly/stream", json={"model": model, "data": _point(i), "min_samples": 20,
                                                            "retrain_interval": 25, "window_size": 200})
        assert reply.status_code == 200, reply.text
    return reply.json()


def _stream_versions(client: httpx.Client, model: str = "payments") -> set:
    listed = client.get("/v1/ml/anomaly/models").json()["data"]
    return {m["filename"] for m in listed if m["filename"].startswith(model + "_")}


def test_a_replica_killed_mid_stream_is_taken_over_from_its_checkpoint(cluster):
    a, b, nginx = cluster
    with httpx.Client(base_url=nginx.url, timeout=30) as lb, a.client() as ca:
        last = _stream(lb, 0, 60)
        assert last["status"] in ("ready", "retraining"), last
        # Every stream request went to the first replica of the stream upstream (A).
        on_a = ca.get("/v1/ml/anomaly/stream/payments").json()
        assert on_a["total_processed"] == 60, on_a
        # Let A's checkpointer (every 2 s) and its retrains finish, then note what the registry holds.
        deadline = time.monotonic() + 10
        while True:
            time.sleep(0.5)
            versions_before = _stream_versions(ca)
            if len(versions_before) >= last["model_version"] or time.monotonic() > deadline:
                break
        time.sleep(2.5)
        version_before = last["model_version"]
        assert len(versions_before) >= 1

        a.process.send_signal(signal.SIGKILL)
        a.process.wait(timeout=10)

        # The next points reach B through nginx; B resumes from A's checkpoint, ready at once.
        took = time.monotonic()
        after = _stream(lb, 60, 1)
        print(f"\nfirst point after the SIGKILL answered by B in {(time.monotonic() - took) * 1000:.1f} ms")
        assert after["status"] in ("ready", "retraining"), after
        assert after["results"][0]["score"] is not None, after
        assert after["model_version"] >= version_before, (after, version_before)
        with b.client() as cb:
            on_b = cb.get("/v1/ml/anomaly/stream/payments").json()
            assert on_b["total_processed"] == 61, on_b
            more = _stream(lb, 61, 40)
            assert more["model_version"] > version_before, more
            # Every version A saved is still in the registry, and B's retrains added more.
            deadline = time.monotonic() + 10
            while True:
                versions_after = _stream_versions(cb)
                if len(versions_after) > len(versions_before) or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert versions_before <= versions_after, (versions_before, versions_after)
            assert len(versions_after) > len(versions_before)
    assert "no live upstreams" not in nginx.errors()
