#!/usr/bin/env python3
"""Streaming detection over HTTP: events/s through POST /v1/ml/anomaly/stream and the latency of
single-event posts while a background retrain runs. Also home of the fixed-rate (open-loop)
load generator that bench/service_load.sh uses.

  stream_load.py [stream] [--vigil .build/release/vigil] [--cpus 0,1] [--duration 15] ...
      starts `vigil serve` (pinned with taskset to --cpus, temp data dir, free port), then:
      1. events/s: wrk (-t/-c as given, --duration s after --warmup s) posting batches of 1 and
         of 100 events (10 numeric fields) to a warmed-up detector (backend ecod, window 1000,
         retrain_interval 1000, min_samples 50); events/s = req/s x batch size.
      2. retrains: single events at a fixed rate (open loop, --retrain-rate per s for
         --retrain-duration s) to a detector whose window is full, by default once with window
         1,000 / retrain_interval 1,000 and once with window 100,000 / retrain_interval 10,000
         (--retrain-windows); each
         answer's `status` says whether a retrain was running when it was answered
         ("retraining"), so latencies are split into "during a retrain" and "otherwise".
      stops the server with SIGTERM (SIGKILL after 10 s), prints a Markdown table and one JSON
      line (also written to --out if given).

  stream_load.py fixed-rate --url http://127.0.0.1:PORT/PATH [--bodies FILE] --rate 5000
                 --duration 15 [--connections 32]
      sends requests at a fixed rate whatever the answers' pace (POST each line of FILE in turn,
      or GET without --bodies) over keep-alive connections and prints one JSON line of latency
      percentiles. Each request is released on its schedule; if every connection is busy it
      waits for one, and that wait counts in its latency (no coordinated omission). asyncio's
      timers wake at millisecond granularity, so requests leave in small bursts each
      millisecond; the client's lateness against the ideal schedule is reported separately
      (`release_lag_ms`) and is not counted in the latency.

Only loopback addresses are accepted. Every run is bounded in time and stops by itself.
"""

import argparse
import asyncio
import gc
import json
import math
import os
import random
import re
import signal
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


# ------------------------------------------------------------------ open-loop HTTP client


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection with at most one request in flight."""

    def __init__(self, client):
        self.client = client
        self.transport = None
        self.buffer = bytearray()
        self.current = None  # request number in flight
        self.need = None     # total bytes of the response being read, once the header is in
        self.status = 0
        self.header_len = 0
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        self.transport = transport

    def connection_lost(self, exc):
        if not self.closed.done():
            self.closed.set_result(exc)
        self.client.connection_lost(self)

    def send(self, number, payload):
        self.current = number
        self.client.sent[number] = self.client.loop.time()
        self.transport.write(payload)

    def data_received(self, data):
        self.buffer += data
        while self.current is not None:
            if self.need is None:
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = bytes(self.buffer[:end]).decode("latin-1")
                self.status = int(head.split(" ", 2)[1])
                match = re.search(r"(?im)^content-length:\s*(\d+)", head)
                if not match:
                    self.transport.close()  # only sized answers are expected
                    return
                self.header_len = end + 4
                self.need = self.header_len + int(match.group(1))
            if len(self.buffer) < self.need:
                return
            body = bytes(self.buffer[self.header_len:self.need])
            del self.buffer[:self.need]
            self.need = None
            number, self.current = self.current, None
            self.client.answered(self, number, self.status, body)


class OpenLoopClient:
    """Sends `count` requests at `rate` per second on `connections` keep-alive connections."""

    def __init__(self, host, port, payloads, rate, count, connections, keep_bodies=False, drain_s=10.0):
        self.host, self.port = host, port
        self.payloads = payloads
        self.rate, self.count, self.connections = rate, count, connections
        self.keep_bodies = keep_bodies
        self.drain_s = drain_s
        self.intended = [0.0] * count
        self.released = [0.0] * count
        self.sent = [0.0] * count
        self.received = [math.nan] * count
        self.status = [0] * count
        self.bodies = [None] * count if keep_bodies else None
        self.idle = deque()
        self.backlog = deque()
        self.outstanding = 0
        self.lost = 0
        self.done = None
        self.all_released = False
        self.loop = None

    def _payload(self, number):
        return self.payloads[number % len(self.payloads)]

    def answered(self, conn, number, status, body):
        self.received[number] = self.loop.time()
        self.status[number] = status
        if self.keep_bodies:
            self.bodies[number] = body
        self.outstanding -= 1
        if self.backlog:
            nxt = self.backlog.popleft()
            conn.send(nxt, self._payload(nxt))
        else:
            self.idle.append(conn)
        if self.outstanding == 0 and self.all_released and not self.done.done():
            self.done.set_result(None)

    def connection_lost(self, conn):
        if conn.current is not None:
            self.lost += 1
            self.outstanding -= 1
            conn.current = None
        try:
            self.idle.remove(conn)
        except ValueError:
            pass
        if self.outstanding == 0 and self.all_released and not self.done.done():
            self.done.set_result(None)

    def _release(self, number):
        self.released[number] = self.loop.time()
        self.outstanding += 1
        if self.idle:
            self.idle.popleft().send(number, self._payload(number))
        else:
            self.backlog.append(number)

    async def run(self):
        self.loop = asyncio.get_running_loop()
        conns = []
        for _ in range(self.connections):
            _, conn = await self.loop.create_connection(lambda: _Connection(self), self.host, self.port)
            conns.append(conn)
            self.idle.append(conn)
        self.done = self.loop.create_future()
        start = self.loop.time() + 0.05
        k = 0
        while k < self.count:
            now = self.loop.time()
            due = min(self.count, int((now - start) * self.rate) + 1) if now >= start else 0
            while k < due:
                self.intended[k] = start + k / self.rate
                self._release(k)
                k += 1
            if k < self.count:
                await asyncio.sleep(max(0.0, start + k / self.rate - self.loop.time()))
        self.all_released = True
        if self.outstanding > 0:
            try:
                await asyncio.wait_for(asyncio.shield(self.done), timeout=self.drain_s)
            except asyncio.TimeoutError:
                pass
        for conn in conns:
            if conn.transport is not None:
                conn.transport.close()
        elapsed = self.loop.time() - start
        return elapsed


def percentiles_ms(values):
    values = sorted(v for v in values if not math.isnan(v))
    if not values:
        return None

    def pct(p):
        # nearest rank
        return values[min(len(values) - 1, max(0, math.ceil(p / 100 * len(values)) - 1))] * 1000

    return {"n": len(values), "p50": round(pct(50), 3), "p90": round(pct(90), 3), "p99": round(pct(99), 3),
            "p999": round(pct(99.9), 3), "max": round(values[-1] * 1000, 3),
            "mean": round(sum(values) / len(values) * 1000, 3)}


def request_bytes(method, url, body=None):
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (("?" + parts.query) if parts.query else "")
    head = f"{method} {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUser-Agent: vigil-bench\r\n"
    if body is None:
        return (head + "\r\n").encode()
    data = body.encode() if isinstance(body, str) else body
    return (head + f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n").encode() + data


def check_loopback(url):
    host = urllib.parse.urlsplit(url).hostname
    if host not in LOOPBACK and not (host or "").startswith("127."):
        raise SystemExit(f"only loopback URLs are load-tested: {url}")
    return host, urllib.parse.urlsplit(url).port


def fixed_rate(url, bodies, rate, duration, connections, keep_bodies=False):
    """Runs one fixed-rate load; returns (summary dict, client)."""
    host, port = check_loopback(url)
    payloads = [request_bytes("POST", url, b) for b in bodies] if bodies else [request_bytes("GET", url)]
    count = int(rate * duration)
    client = OpenLoopClient(host, port, payloads, rate, count, connections, keep_bodies=keep_bodies)
    gc_was = gc.isenabled()
    gc.disable()
    try:
        elapsed = asyncio.run(asyncio.wait_for(client.run(), timeout=duration + 60))
    finally:
        if gc_was:
            gc.enable()
    answered = [i for i in range(count) if not math.isnan(client.received[i])]
    ok = sum(1 for i in answered if 200 <= client.status[i] < 300)
    latency = [client.received[i] - client.released[i] for i in answered]
    lag = [client.released[i] - client.intended[i] for i in range(count)]
    summary = {
        "target_rate": rate, "duration_s": duration, "connections": connections, "requests": count,
        "answered": len(answered), "ok_2xx": ok, "not_2xx": len(answered) - ok, "unanswered": count - len(answered),
        "achieved_rate": round(len(answered) / elapsed, 1) if elapsed > 0 else None,
        "latency_ms": percentiles_ms(latency),
        "release_lag_ms": percentiles_ms(lag),
    }
    return summary, client


# ------------------------------------------------------------------ the vigil server


class Vigil:
    def __init__(self, binary, cpus, workdir, extra=()):
        self.binary, self.cpus, self.workdir, self.extra = binary, cpus, workdir, list(extra)
        self.proc = None
        self.url = None

    def start(self):
        data = os.path.join(self.workdir, "data")
        os.makedirs(data, exist_ok=True)
        self.log = os.path.join(self.workdir, "vigil.log")
        cmd = [self.binary, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data,
               "--log-level", "warning", *self.extra]
        if self.cpus:
            cmd = ["taskset", "-c", self.cpus, *cmd]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while self.url is None:
            if self.proc.poll() is not None:
                raise RuntimeError("vigil exited: " + open(self.log).read())
            if time.monotonic() > deadline:
                raise RuntimeError("vigil did not start: " + open(self.log).read())
            m = re.search(r"vigil listening on (http://\S+)", open(self.log, errors="replace").read())
            if m:
                self.url = m.group(1).rstrip("/")
            else:
                time.sleep(0.05)
        while True:
            try:
                if get_json(self.url + "/healthz")["status"] == "ok":
                    return self
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("vigil /healthz not answering")
            time.sleep(0.05)

    def peak_rss_mb(self):
        try:
            for line in open(f"/proc/{self.proc.pid}/status"):
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
        except OSError:
            return None

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def get_json(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


def post_json(url, body, timeout=120):
    data = json.dumps(body, separators=(",", ":")).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


def get_text(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


# ------------------------------------------------------------------ data


def make_events(n, seed, cols=10):
    """Transaction-like events, the five column kinds of the peers' generator (no anomalies)."""
    rng = random.Random(seed)
    events = []
    for _ in range(n):
        e = {}
        amount = 0.0
        for j in range(cols):
            kind = j % 5
            if kind == 0:
                amount = rng.lognormvariate(3, 1.2)
                v = amount
            elif kind == 1:
                v = 0.002 * amount * rng.lognormvariate(0, 0.25)
            elif kind == 2:
                v = rng.gauss(50, 10)
            elif kind == 3:
                v = rng.lognormvariate(1, 0.5)
            else:
                v = rng.gauss(0, 1)
            e[f"f{j}"] = float(f"{v:.6g}")
        events.append(e)
    return events


def stream_settings(model, window, interval, min_samples=50):
    return {"model": model, "backend": "ecod", "min_samples": min_samples, "window_size": window,
            "retrain_interval": interval}


def fill(url, model, window, interval, events, batch):
    """Sends `events` in batches; returns the detector's stats once it is ready."""
    for i in range(0, len(events), batch):
        post_json(url + "/v1/ml/anomaly/stream", {**stream_settings(model, window, interval), "data": events[i:i + batch]})
    return wait_ready(url, model)


def wait_ready(url, model, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        stats = get_json(f"{url}/v1/ml/anomaly/stream/{model}")
        if stats["status"] == "ready":
            return stats
        if time.monotonic() > deadline:
            raise RuntimeError(f"detector {model} not ready after {timeout} s: {stats}")
        time.sleep(0.1)


def metric(text, name, model):
    m = re.search(r'^%s\{[^}]*model="%s"[^}]*\} (\S+)$' % (re.escape(name), re.escape(model)), text, re.M)
    return float(m.group(1)) if m else None


# ------------------------------------------------------------------ the stream benchmark


def cpu_seconds(pid):
    """User + system CPU time of process `pid`, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_wrk(args, url, bodies_file, workdir, label, pid=None):
    lua = os.path.join(HERE, "wrk_json.lua")
    base = ["wrk", "-t", str(args.wrk_threads), "-c", str(args.connections), "--timeout", "10s", "-s", lua, url, "--", bodies_file]
    if args.warmup > 0:
        warm = base[:]
        warm[5:5] = ["-d", f"{args.warmup}s"]
        subprocess.run(warm, check=True, stdout=subprocess.DEVNULL, timeout=args.warmup + 60)
    cmd = base[:]
    cmd[5:5] = ["-d", f"{args.duration}s"]
    before = cpu_seconds(pid) if pid else None
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=args.duration + 60).stdout
    server_cpu = cpu_seconds(pid) - before if pid else None
    with open(os.path.join(workdir, f"wrk-{label}.out"), "w") as f:
        f.write(out)
    line = [l for l in out.splitlines() if l.startswith("{")][-1]
    res = json.loads(line)
    if server_cpu is not None:
        res["server_cpu_s"] = round(server_cpu, 2)
    return res


def throughput(args, url, workdir, batch, pid):
    model = f"tput-b{batch}"
    window, interval = 1000, 1000
    warm = make_events(1000, seed=batch)
    before = fill(url, model, window, interval, warm, 100)
    bodies = []
    events = make_events(max(1000, 200 * batch), seed=1000 + batch)
    for i in range(0, len(events), batch):
        chunk = events[i:i + batch]
        bodies.append(json.dumps({**stream_settings(model, window, interval), "data": chunk[0] if batch == 1 else chunk},
                                 separators=(",", ":")))
    path = os.path.join(workdir, f"stream-b{batch}.jsonl")
    with open(path, "w") as f:
        f.write("\n".join(bodies) + "\n")
    res = run_wrk(args, url + "/v1/ml/anomaly/stream", path, workdir, f"b{batch}", pid=pid)
    after = wait_ready(url, model)
    errors = sum(res["errors"].values())
    return {
        "batch": batch, "window_size": window, "retrain_interval": interval,
        "req_per_s": res["req_per_s"], "events_per_s": round(res["req_per_s"] * batch, 1),
        "latency_ms": res["latency_ms"], "errors": res["errors"], "error_count": errors,
        "model_version_before": before["model_version"], "model_version_after": after["model_version"],
        "events_processed": after["total_processed"] - before["total_processed"],
        "server_cpu_us_per_event": round(res["server_cpu_s"] / max(1, res["requests"] * batch) * 1e6, 2),
    }


def retrain_latency(args, url, workdir, window, interval):
    model = f"retrain-w{window}"
    events = make_events(window, seed=window)
    start_stats = fill(url, model, window, interval, events, min(10000, max(100, window // 10)))
    metrics_before = get_text(url + "/metrics")
    count = int(args.retrain_rate * args.retrain_duration)
    singles = make_events(min(count, 20000), seed=window + 1)
    bodies = [json.dumps({**stream_settings(model, window, interval), "data": e}, separators=(",", ":")) for e in singles]
    summary, client = fixed_rate(url + "/v1/ml/anomaly/stream", bodies, args.retrain_rate, args.retrain_duration,
                                 args.retrain_connections, keep_bodies=True)
    during, other = [], []
    versions = set()
    bad = 0
    for i in range(client.count):
        if math.isnan(client.received[i]):
            continue
        if client.status[i] != 200:
            bad += 1
            continue
        answer = json.loads(client.bodies[i])
        versions.add(answer["model_version"])
        lat = client.received[i] - client.released[i]
        (during if answer["status"] == "retraining" else other).append(lat)
    stats = wait_ready(url, model)
    metrics_after = get_text(url + "/metrics")
    n0 = metric(metrics_before, "vigil_stream_retrain_duration_seconds_count", model) or 0
    s0 = metric(metrics_before, "vigil_stream_retrain_duration_seconds_sum", model) or 0
    n1 = metric(metrics_after, "vigil_stream_retrain_duration_seconds_count", model) or 0
    s1 = metric(metrics_after, "vigil_stream_retrain_duration_seconds_sum", model) or 0
    retrains = stats["model_version"] - start_stats["model_version"]
    return {
        "window_size": window, "retrain_interval": interval, "rate": args.retrain_rate,
        "duration_s": args.retrain_duration, "achieved_rate": summary["achieved_rate"],
        "answered": summary["answered"], "not_2xx": bad, "unanswered": summary["unanswered"],
        "retrains": retrains, "retrain_mean_s": round((s1 - s0) / (n1 - n0), 4) if n1 > n0 else None,
        "model_versions_seen": [min(versions), max(versions)] if versions else None,
        "all_ms": summary["latency_ms"], "during_retrain_ms": percentiles_ms(during),
        "otherwise_ms": percentiles_ms(other), "release_lag_ms": summary["release_lag_ms"],
        "final_model_version": stats["model_version"],
    }


def fmt(x, digits=2):
    if x is None:
        return "—"
    if isinstance(x, float) and x >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}" if isinstance(x, float) else f"{x:,}"


def stream_main(args):
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found (apt-get install wrk)")
    binary = os.path.abspath(args.vigil)
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"vigil binary not found: {binary} (swift build -c release)")
    workdir = tempfile.mkdtemp(prefix="vigil-stream-bench-")
    server = Vigil(binary, args.cpus, workdir)

    def on_term(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    result = {"bench": "stream_load", "date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "pinned": args.cpus,
              "wrk": {"threads": args.wrk_threads, "connections": args.connections, "duration_s": args.duration,
                      "warmup_s": args.warmup}}
    try:
        server.start()
        url = server.url
        result["throughput"] = [throughput(args, url, workdir, b, server.proc.pid) for b in (1, 100)]
        pairs = [tuple(int(x) for x in p.split(":")) for p in args.retrain_windows.split(",") if p]
        result["retrain"] = [retrain_latency(args, url, workdir, w, r) for w, r in pairs]
        result["server_peak_rss_mb"] = server.peak_rss_mb()
    finally:
        server.stop()
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"\nstreaming over HTTP (wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s, "
          f"backend ecod, 10 fields per event, server pinned to CPUs {args.cpus or 'all'})\n")
    print("| batch | window | retrain_interval | req/s | events/s | p50 ms | p99 ms | errors | retrains during run | server CPU µs/event |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for t in result["throughput"]:
        lat = t["latency_ms"]
        print(f"| {t['batch']} | {t['window_size']:,} | {t['retrain_interval']:,} | {t['req_per_s']:,.0f} | "
              f"{t['events_per_s']:,.0f} | {float(lat['p50']):.2f} | {float(lat['p99']):.2f} | {t['error_count']} | "
              f"{t['model_version_after'] - t['model_version_before']} | {t['server_cpu_us_per_event']} |")
    print(f"\nsingle events at {args.retrain_rate:,}/s for {args.retrain_duration} s (open loop, "
          f"{args.retrain_connections} connections); latency split by the answer's status\n")
    print("| window | retrain_interval | retrains (mean s) | answered | p50 / p99 / max ms, during a retrain (n) | "
          "p50 / p99 / max ms, otherwise (n) | p99 all ms |")
    print("|---:|---:|---:|---:|---|---|---:|")
    for r in result["retrain"]:
        d, o = r["during_retrain_ms"], r["otherwise_ms"]

        def three(p):
            return f"{p['p50']:.2f} / {p['p99']:.2f} / {p['max']:.2f} ({p['n']:,})" if p else "— (0)"

        print(f"| {r['window_size']:,} | {r['retrain_interval']:,} | {r['retrains']} ({fmt(r['retrain_mean_s'], 3)}) | "
              f"{r['answered']:,} | {three(d)} | {three(o)} | {r['all_ms']['p99']:.2f} |")
    line = json.dumps(result, separators=(",", ":"))
    print("\n" + line)
    if args.out:
        with open(args.out, "w") as f:
            f.write(line + "\n")
    failed = [t for t in result["throughput"] if t["error_count"]] + \
             [r for r in result["retrain"] if r["not_2xx"] or r["unanswered"]]
    return 1 if failed else 0


def fixed_rate_main(args):
    bodies = None
    if args.bodies:
        with open(args.bodies) as f:
            bodies = [l.rstrip("\n") for l in f if l.strip()]
    summary, _ = fixed_rate(args.url, bodies, args.rate, args.duration, args.connections)
    summary["url_path"] = urllib.parse.urlsplit(args.url).path
    print(json.dumps(summary, separators=(",", ":")))
    return 0 if summary["not_2xx"] == 0 and summary["unanswered"] == 0 else 1


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "fixed-rate":
        p = argparse.ArgumentParser(prog="stream_load.py fixed-rate", description="fixed-rate open-loop HTTP load")
        p.add_argument("--url", required=True)
        p.add_argument("--bodies", help="file with one JSON body per line (POST); GET without it")
        p.add_argument("--rate", type=float, default=5000)
        p.add_argument("--duration", type=float, default=15)
        p.add_argument("--connections", type=int, default=32)
        return fixed_rate_main(p.parse_args(argv[1:]))
    if argv and argv[0] == "stream":
        argv = argv[1:]
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--vigil", default=os.path.join(REPO, ".build", "release", "vigil"))
    p.add_argument("--cpus", default="0,1", help="taskset CPU list for the server ('' = no pinning)")
    p.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--wrk-threads", type=int, default=1)
    p.add_argument("--retrain-rate", type=int, default=1000, help="single events per second in the retrain runs")
    p.add_argument("--retrain-duration", type=int, default=30)
    p.add_argument("--retrain-connections", type=int, default=16)
    p.add_argument("--retrain-windows", default="1000:1000,100000:10000",
                   help="window_size:retrain_interval pairs for the retrain runs")
    p.add_argument("--out", help="also write the JSON line here")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (server log, wrk output)")
    return stream_main(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
