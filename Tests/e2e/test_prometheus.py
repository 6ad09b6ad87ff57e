"""A real Prometheus scraping `vigil serve`, with the shipped alert rules and dashboard queries.

Prometheus (Debian's package) scrapes the server with a viewer token, as
deploy/prometheus/prometheus.yml does; the test then asks Prometheus for a Vigil metric, checks
that every rule in deploy/prometheus/vigil-rules.yml loaded and evaluates without error, and runs
every query of deploy/grafana/vigil-dashboard.json. Without a `prometheus` binary the test is
skipped, except under CI (`CI` set), where that is a failure.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from conftest import REPO, VigilServer, vigil_binary

SECRET = "prometheus-scrape-test-secret-0123456789abcdef"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(what: str, check, timeout: float = 30.0, every: float = 0.25):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


def _query(prom: str, expr: str) -> dict:
    reply = httpx.get(prom + "/api/v1/query", params={"query": expr}, timeout=10)
    assert reply.status_code == 200, f"{expr}: {reply.text}"
    body = reply.json()
    assert body["status"] == "success", f"{expr}: {body}"
    return body["data"]


def test_prometheus_scrapes_vigil_and_the_shipped_rules_and_dashboard_evaluate(tmp_path, monkeypatch):
    binary = shutil.which("prometheus")
    if not binary:
        if os.environ.get("CI"):
            pytest.fail("prometheus is required under CI")
        pytest.skip("prometheus not installed")

    # The server requires tokens: /metrics needs the viewer role.
    monkeypatch.setenv("VIGIL_JWT_SECRET", SECRET)
    (tmp_path / "data").mkdir()
    server = VigilServer(vigil_binary(), tmp_path / "data", tmp_path).start()
    prometheus = None
    try:
        def token(role: str) -> str:
            minted = subprocess.run([str(vigil_binary()), "token", "--role", role, "--ttl", "1h", "--subject", "prometheus"],
                                    capture_output=True, text=True, check=True)
            return minted.stdout.strip()

        viewer, admin = token("viewer"), token("admin")
        assert httpx.get(server.base_url + "/metrics").status_code == 401
        (tmp_path / "vigil.token").write_text(viewer)

        # Some traffic, so the scoring metrics exist.
        headers = {"Authorization": f"Bearer {admin}"}
        rows = [[10 + (i % 13) * 0.1, 100 + (i % 17) * 0.5] for i in range(120)]
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as c:
            fitted = c.post("/v1/ml/anomaly/fit", json={"model": "watched", "data": rows})
            assert fitted.status_code == 200, fitted.text
            for _ in range(5):
                scored = c.post("/v1/ml/anomaly/score", json={"model": "watched", "data": rows[:10] + [[900.0, -50.0]]})
                assert scored.status_code == 200, scored.text

        # The shipped configuration, with this run's target, token and a 1 s scrape interval.
        port = _free_port()
        config = (REPO / "deploy" / "prometheus" / "prometheus.yml").read_text()
        config = config.replace("scrape_interval: 15s", "scrape_interval: 1s").replace("evaluation_interval: 15s", "evaluation_interval: 1s")
        config = config.replace("/etc/prometheus/vigil.token", str(tmp_path / "vigil.token"))
        config = config.replace('["127.0.0.1:14345", "127.0.0.1:14346"]', f'["{server.base_url.split("//")[1]}"]')
        shutil.copy(REPO / "deploy" / "prometheus" / "vigil-rules.yml", tmp_path / "vigil-rules.yml")
        (tmp_path / "prometheus.yml").write_text(config)
        log = open(tmp_path / "prometheus.log", "wb")
        prometheus = subprocess.Popen([binary, f"--config.file={tmp_path / 'prometheus.yml'}",
                                       f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}"],
                                      stdout=log, stderr=subprocess.STDOUT)
        prom = f"http://127.0.0.1:{port}"

        def ready():
            try:
                return httpx.get(prom + "/-/ready", timeout=2).status_code == 200
            except httpx.TransportError:
                assert prometheus.poll() is None, (tmp_path / "prometheus.log").read_text()
                return False

        _wait("Prometheus to start", ready)
        # The scrape succeeds with the token, and a Vigil metric arrives.
        up = _wait("the target to be up", lambda: [r for r in _query(prom, 'up{job="vigil"}')["result"] if r["value"][1] == "1"])
        assert len(up) == 1
        scores = _wait("vigil_scores_total", lambda: _query(prom, 'vigil_scores_total{model="watched"}')["result"])
        assert float(scores[0]["value"][1]) == 55.0
        flagged = _query(prom, 'vigil_anomalies_total{model="watched"}')["result"]
        assert float(flagged[0]["value"][1]) >= 5.0

        # Every rule loaded and evaluates cleanly.
        def rules_evaluated():
            groups = httpx.get(prom + "/api/v1/rules", timeout=5).json()["data"]["groups"]
            rules = [r for g in groups for r in g["rules"]]
            return rules if rules and all(r.get("lastEvaluation", "").startswith("20") for r in rules) else None

        rules = _wait("the rules to be evaluated", rules_evaluated)
        assert len(rules) == 10
        assert [r["name"] for r in rules if r["health"] != "ok"] == [], [(r["name"], r.get("lastError")) for r in rules]

        # Every dashboard query is valid PromQL over the exported names.
        dashboard = json.loads((REPO / "deploy" / "grafana" / "vigil-dashboard.json").read_text())
        exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
        assert len(exprs) >= 8
        for expr in exprs:
            _query(prom, expr.replace("$__rate_interval", "1m").replace("$instance", ".*"))
        # The panels built on scoring metrics see data.
        scored_rate = _wait("a scoring rate", lambda: _query(prom, 'sum by (model) (increase(vigil_scores_total[1m]))')["result"])
        assert scored_rate[0]["metric"]["model"] == "watched"
    finally:
        if prometheus is not None and prometheus.poll() is None:
            prometheus.send_signal(signal.SIGTERM)
            try:
                prometheus.wait(timeout=10)
            except subprocess.TimeoutExpired:
                prometheus.kill()
        server.stop()
