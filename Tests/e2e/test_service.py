"""End-to-end tests of `vigil serve`: the real binary over HTTP, driven with httpx.

The flows follow LlamaFarm's documented ones (reference §4–§6): batch fit → score → detect
with `-latest`, a streaming detector from cold start through background retrains, feature
buffers with rolling features, a restart on the same data directory, and bad input over the
wire. Tests run in file order; the restart test uses what the batch and stream flows left.
"""

import json
import math
import random
import re
import statistics
import time

import httpx
import pytest

ANOMALY = "/v1/ml/anomaly"
POLARS = "/v1/ml/polars"
POLL_TIMEOUT_S = 60


# ---------------------------------------------------------------- data


def numeric_rows(n=300, seed=11):
    """Three features around (50, 10, 0): the 'normal' training data."""
    rng = random.Random(seed)
    return [[round(rng.gauss(50, 5), 4), round(rng.gauss(10, 2), 4), round(rng.gauss(0, 1), 4)] for _ in range(n)]


def transaction_rows(n=300, seed=12):
    rng = random.Random(seed)
    return [
        {
            "amount": round(rng.gauss(100, 15), 2),
            "fee": round(rng.gauss(1.0, 0.1), 3),
            "merchant": rng.choice(["grocery", "fuel", "online"]),
            "card_present": rng.choice([True, False]),
        }
        for _ in range(n)
    ]


TX_SCHEMA = {"amount": "numeric", "fee": "numeric", "merchant": "label", "card_present": "binary"}

NORMAL_A = [50.0, 10.0, 0.0]
NORMAL_B = [51.0, 9.5, 0.3]
EXTREME_A = [500.0, 90.0, 40.0]
EXTREME_B = [-300.0, -60.0, -35.0]


# ---------------------------------------------------------------- helpers


def ok(response: httpx.Response) -> dict:
    assert response.status_code == 200, f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
    return response.json()


def fit(client, **body) -> dict:
    answer = ok(client.post(f"{ANOMALY}/fit", json=body))
    assert answer["object"] == "fit_result"
    assert answer["status"] == "fitted"
    return answer


def detail_string(response: httpx.Response) -> str:
    body = response.json()
    assert isinstance(body.get("detail"), str) and body["detail"], body
    return body["detail"]


def detail_list(response: httpx.Response) -> list:
    body = response.json()
    assert isinstance(body.get("detail"), list) and body["detail"], body
    for issue in body["detail"]:
        assert {"type", "loc", "msg"} <= issue.keys(), issue
        assert issue["loc"][0] == "body", issue
    return body["detail"]


def poll(client, path, predicate, timeout=POLL_TIMEOUT_S, interval=0.1):
    """GET `path` until `predicate(json)` holds; fails after `timeout` seconds with the last answer."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = ok(client.get(path))
        if predicate(last):
            return last
        time.sleep(interval)
    pytest.fail(f"GET {path}: condition not met within {timeout} s; last answer {last}")


def metric_value(text: str, name: str, **labels) -> float | None:
    """The value of one series in Prometheus text, or None when absent."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and line.split(" ")[0] != name:
            continue
        series, _, value = line.rpartition(" ")
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', series))
        if series.split("{")[0] == name and all(found.get(k) == v for k, v in labels.items()):
            return float(value)
    return None


def stream_body(model, data, **settings):
    body = {"model": model, "data": data, "backend": "ecod", "min_samples": 50, "retrain_interval": 50}
    body.update(settings)
    return body


STREAM_STATS_KEYS = {
    "model_id", "backend", "status", "model_version", "samples_collected", "total_processed",
    "samples_since_retrain", "min_samples", "retrain_interval", "window_size", "threshold", "is_ready",
}


# ---------------------------------------------------------------- (a) batch: fit, score, detect


def test_health_and_backends(vigil):
    with vigil.client() as c:
        assert ok(c.get("/healthz")) == {"status": "ok"}
        assert ok(c.get("/readyz"))
        backends = ok(c.get(f"{ANOMALY}/backends"))
        names = [b["backend"] for b in backends["data"]]
        assert names[:3] == ["isolation_forest", "local_outlier_factor", "one_class_svm"]
        assert {"ecod", "hbos", "copod", "knn", "autoencoder"} <= set(names)
        assert backends["total"] == len(backends["data"])
        iforest = backends["data"][0]
        assert iforest["name"] == "Isolation Forest" and iforest["is_legacy"] is True


def test_batch_fit_score_detect(vigil, state):
    rows = numeric_rows()
    with vigil.client() as c:
        fitted = fit(c, model="sensor", backend="isolation_forest", data=rows, contamination=0.05)
        version = fitted["model"]
        assert re.fullmatch(r"sensor_\d{8}_\d{6}(_\d+)?", version), version
        assert fitted["versioned_name"] == version and fitted["base_name"] == "sensor"
        assert fitted["overwrite"] is False and fitted["encoder"] is None
        assert fitted["samples_fitted"] == len(rows)
        params = fitted["model_params"]
        assert params["backend"] == "isolation_forest" and params["input_dim"] == 3
        assert params["contamination"] == 0.05
        threshold = params["threshold"]
        assert 0 < threshold < 1

        probe = [NORMAL_A, EXTREME_A, NORMAL_B, EXTREME_B]
        scored = ok(c.post(f"{ANOMALY}/score", json={"model": "sensor-latest", "data": probe}))
        assert scored["object"] == "list"
        assert scored["model"] == version and scored["backend"] == "isolation_forest"
        assert scored["total_count"] == 4
        items = scored["data"]
        assert [i["index"] for i in items] == [0, 1, 2, 3]
        for item in items:
            assert 0 < item["score"] < 1 and item["raw_score"] > 0
            assert item["is_anomaly"] == (item["score"] > threshold)
        assert [i["is_anomaly"] for i in items] == [False, True, False, True]
        assert items[1]["score"] > 0.8 and items[3]["score"] > 0.8, items
        assert items[0]["score"] < threshold and items[2]["score"] < threshold
        # the learned threshold flags about `contamination` of the training rows
        train_scores = ok(c.post(f"{ANOMALY}/score", json={"model": "sensor-latest", "data": rows}))
        rate = train_scores["summary"]["anomaly_rate"]
        assert 0.02 <= rate <= 0.08, rate
        summary = scored["summary"]
        assert summary == {"total_points": 4, "anomaly_count": 2, "anomaly_rate": 0.5, "threshold": threshold}

        # the version's exact name and the plain base name score the same
        for name in (version, "sensor"):
            again = ok(c.post(f"{ANOMALY}/score", json={"model": name, "data": probe}))
            assert again["data"] == items

        # a request threshold overrides the learned one for that call
        strict = ok(c.post(f"{ANOMALY}/score", json={"model": "sensor-latest", "data": probe, "threshold": 0.999}))
        assert [i["is_anomaly"] for i in strict["data"]] == [s["score"] > 0.999 for s in items]
        assert strict["summary"]["threshold"] == 0.999

        # detect returns only the flagged rows, with their request positions and no is_anomaly
        detected = ok(c.post(f"{ANOMALY}/detect", json={"model": "sensor-latest", "data": probe}))
        assert detected["object"] == "list" and detected["model"] == version
        assert [d["index"] for d in detected["data"]] == [1, 3]
        assert detected["total_count"] == 2
        assert detected["summary"] == {"anomalies_detected": 2, "threshold": threshold}
        for d in detected["data"]:
            assert "is_anomaly" not in d
            assert d["score"] == items[d["index"]]["score"] and d["raw_score"] == items[d["index"]]["raw_score"]
        nothing = ok(c.post(f"{ANOMALY}/detect", json={"model": "sensor-latest", "data": [NORMAL_A, NORMAL_B]}))
        assert nothing["data"] == [] and nothing["total_count"] == 0

        # models are seeded: the same data under another name gives the same scores
        twin = fit(c, model="sensor-twin", data=rows, contamination=0.05)
        assert twin["model_params"]["threshold"] == threshold
        twin_scores = ok(c.post(f"{ANOMALY}/score", json={"model": "sensor-twin-latest", "data": probe}))
        assert [i["score"] for i in twin_scores["data"]] == [i["score"] for i in items]

        # normalization is part of the model's identity
        wrong = c.post(f"{ANOMALY}/score", json={"model": "sensor-latest", "data": probe, "normalization": "zscore"})
        assert wrong.status_code == 400 and detail_string(wrong).startswith("Model not fitted")

    state["sensor"] = {"version": version, "threshold": threshold, "probe": probe, "scores": items}


def test_batch_object_rows_with_schema(vigil, state):
    rows = transaction_rows()
    with vigil.client() as c:
        fitted = fit(c, model="card-tx", data=rows, schema=TX_SCHEMA)
        version = fitted["model"]
        assert fitted["encoder"]["schema"] == TX_SCHEMA
        # LlamaFarm lists the schema keys in request order; Vigil lists them sorted (the column order)
        assert sorted(fitted["encoder"]["features"]) == sorted(TX_SCHEMA)
        assert fitted["model_params"]["input_dim"] == 4
        threshold = fitted["model_params"]["threshold"]
        probe = [
            {"amount": 101.5, "fee": 1.02, "merchant": "grocery", "card_present": True},
            {"amount": 250000.0, "fee": 45.0, "merchant": "offshore-casino", "card_present": False},
            {"amount": 95.0, "fee": 0.97, "merchant": "fuel", "card_present": "yes", "ignored": "field"},
        ]
        scored = ok(c.post(f"{ANOMALY}/score", json={"model": "card-tx-latest", "data": probe}))
        assert scored["model"] == version
        flags = [i["is_anomaly"] for i in scored["data"]]
        assert flags == [False, True, False], scored["data"]
        assert scored["data"][1]["score"] > 0.7 > max(scored["data"][0]["score"], scored["data"][2]["score"])
        detected = ok(c.post(f"{ANOMALY}/detect", json={"model": "card-tx-latest", "data": probe}))
        assert [d["index"] for d in detected["data"]] == [1]
        assert detected["summary"]["threshold"] == threshold

        # object rows need a schema at fit
        no_schema = c.post(f"{ANOMALY}/fit", json={"model": "card-tx-bad", "data": rows[:20]})
        assert no_schema.status_code == 400
        assert detail_string(no_schema).startswith("Schema is required when fitting with dict-based data")

        loaded = ok(c.post(f"{ANOMALY}/load", json={"model": "card-tx-latest"}))
        assert loaded["object"] == "load_result" and loaded["status"] == "loaded"
        assert loaded["model"] == version and loaded["encoder_loaded"] is True
        assert loaded["filename"] == f"{version}_isolation_forest.vigil"
    state["card_tx"] = {"version": version, "probe": probe, "scores": scored["data"]}


def test_models_load_delete(vigil, state):
    sensor = state.get("sensor") or pytest.skip("batch flow did not run")
    with vigil.client() as c:
        models = ok(c.get(f"{ANOMALY}/models"))
        assert models["object"] == "list" and models["total"] == len(models["data"])
        by_name = {m["name"]: m for m in models["data"]}
        entry = by_name[sensor["version"]]
        assert entry["filename"] == f"{sensor['version']}_isolation_forest.vigil"
        assert entry["base_name"] == "sensor" and entry["backend"] == "isolation_forest"
        assert entry["is_versioned"] is True and entry["size_bytes"] > 0
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ?", entry["created"]), entry["created"]
        created = [m["created"] for m in models["data"]]
        assert created == sorted(created, reverse=True), "models are listed newest first"

        loaded = ok(c.post(f"{ANOMALY}/load", json={"model": "sensor-latest"}))
        assert loaded == {
            **loaded,
            "object": "load_result", "model": sensor["version"], "backend": "isolation_forest",
            "normalization": "standardization", "filename": entry["filename"], "is_fitted": True,
            "threshold": sensor["threshold"], "encoder_loaded": False, "status": "loaded",
        }
        saved = ok(c.post(f"{ANOMALY}/save", json={"model": "sensor-latest"}))
        assert saved["object"] == "save_result" and saved["status"] == "saved"
        assert saved["filename"] == entry["filename"]

        # a model fitted, deleted by file name, then gone
        scratch = fit(c, model="scratch", data=numeric_rows(60, seed=3))["model"]
        filename = f"{scratch}_isolation_forest.vigil"
        assert any(m["filename"] == filename for m in ok(c.get(f"{ANOMALY}/models"))["data"])
        deleted = ok(c.delete(f"{ANOMALY}/models/{filename}"))
        assert deleted == {"object": "delete_result", "filename": filename, "deleted": True}
        assert all(m["filename"] != filename for m in ok(c.get(f"{ANOMALY}/models"))["data"])
        for name in ("scratch-latest", scratch):
            gone = c.post(f"{ANOMALY}/score", json={"model": name, "data": [NORMAL_A]})
            assert gone.status_code in (400, 404), gone.text
            detail_string(gone)
        again = c.delete(f"{ANOMALY}/models/{filename}")
        assert again.status_code == 404 and filename in detail_string(again)
        # the other models are untouched
        still = ok(c.post(f"{ANOMALY}/score", json={"model": "sensor-latest", "data": sensor["probe"]}))
        assert still["data"] == sensor["scores"]


# ---------------------------------------------------------------- (b) streaming


STREAM_ID = "e2e-stream"
STREAM_EVENTS = 200


def stream_event(rng):
    return {"temperature": round(rng.gauss(20, 0.5), 3), "humidity": round(rng.gauss(45, 2), 3), "site": "north"}


def test_stream_cold_start_retrain_and_flag(vigil, state):
    rng = random.Random(5)
    flagged_normal = 0
    scored_normal = 0
    with vigil.client() as c:
        for i in range(STREAM_EVENTS):
            answer = ok(c.post(f"{ANOMALY}/stream", json=stream_body(STREAM_ID, stream_event(rng))))
            assert answer["object"] == "streaming_result" and answer["model"] == STREAM_ID
            assert answer["threshold"] == 0.5
            assert len(answer["results"]) == 1
            result = answer["results"][0]
            assert result["index"] == 0
            seen = i + 1
            if seen < 50:
                assert answer["status"] == "collecting", answer
                assert answer["model_version"] == 0
                assert answer["samples_collected"] == seen
                assert answer["samples_until_ready"] == 50 - seen
                assert result["samples_until_ready"] == 50 - seen
                assert result["score"] is None and result["raw_score"] is None and result["is_anomaly"] is None
            elif seen == 50:
                # the point that completes the cold start fits the first model and is not scored
                assert answer["status"] == "ready", answer
                assert answer["model_version"] == 1
                assert answer["samples_until_ready"] == 0 and result["samples_until_ready"] == 0
                assert result["score"] is None
            else:
                assert answer["status"] in ("ready", "retraining"), answer
                assert answer["model_version"] >= 1
                assert answer["samples_collected"] == seen
                assert 0 <= result["score"] <= 1 and isinstance(result["raw_score"], float)
                assert result["is_anomaly"] == (result["score"] > 0.5)
                scored_normal += 1
                flagged_normal += result["is_anomaly"]
        # normal events: about `contamination` (0.1) of them flagged, far from all
        assert scored_normal == STREAM_EVENTS - 50
        assert flagged_normal / scored_normal < 0.3, (flagged_normal, scored_normal)

        # background retrains: every 50 points after the first fit
        stats = poll(c, f"{ANOMALY}/stream/{STREAM_ID}", lambda s: s["model_version"] >= 2)
        assert stats["object"] == "streaming_detector"
        assert STREAM_STATS_KEYS <= stats.keys()
        assert stats["backend"] == "ecod" and stats["is_ready"] is True
        assert stats["min_samples"] == 50 and stats["retrain_interval"] == 50
        assert stats["window_size"] == 1000 and stats["threshold"] == 0.5
        assert stats["total_processed"] == STREAM_EVENTS and stats["samples_collected"] == STREAM_EVENTS

        extreme = ok(c.post(f"{ANOMALY}/stream", json=stream_body(STREAM_ID, {"temperature": 95.0, "humidity": 2.0, "site": "north"})))
        hit = extreme["results"][0]
        assert hit["is_anomaly"] is True and hit["score"] > 0.75, extreme

        # a batch: indexes count within the batch; later requests' settings are ignored
        batch = [stream_event(rng) for _ in range(4)] + [{"temperature": -40.0, "humidity": 99.0}]
        answer = ok(c.post(f"{ANOMALY}/stream", json=stream_body(STREAM_ID, batch, min_samples=10, threshold=0.9)))
        assert [r["index"] for r in answer["results"]] == [0, 1, 2, 3, 4]
        assert answer["threshold"] == 0.5
        assert answer["results"][4]["is_anomaly"] is True
        assert answer["samples_collected"] == STREAM_EVENTS + 6

        # wait until no retrain is running and the version has settled
        settled = poll(c, f"{ANOMALY}/stream/{STREAM_ID}", lambda s: s["status"] == "ready")
        time.sleep(0.5)
        settled = poll(c, f"{ANOMALY}/stream/{STREAM_ID}", lambda s: s["status"] == "ready")
        assert settled["model_version"] >= 3  # fits at 50, and retrains at 100, 150, 200
        assert settled["total_processed"] == STREAM_EVENTS + 6

        listed = ok(c.get(f"{ANOMALY}/stream/detectors"))
        assert listed["object"] == "list" and listed["total"] == len(listed["data"])
        mine = [d for d in listed["data"] if d["model_id"] == STREAM_ID]
        assert len(mine) == 1 and set(mine[0]) == STREAM_STATS_KEYS

        metrics = c.get("/metrics")
        assert metrics.status_code == 200
        assert metrics.headers["content-type"].startswith("text/plain")
        retrains = metric_value(metrics.text, "vigil_stream_retrains_total", model=STREAM_ID)
        assert retrains is not None, [l for l in metrics.text.splitlines() if "retrain" in l]
        assert settled["model_version"] - 1 <= retrains <= settled["model_version"], (retrains, settled)
        scores = metric_value(metrics.text, "vigil_scores_total", model=STREAM_ID)
        assert scores is not None and scores >= STREAM_EVENTS - 50 + 1 + 5
        assert metric_value(metrics.text, "vigil_http_requests_total", route="/v1/ml/anomaly/stream",
                            method="POST", status="200") >= STREAM_EVENTS + 2

        # each fitted stream model is also a registry version, scorable through /score
        versions = [m for m in ok(c.get(f"{ANOMALY}/models"))["data"] if m["base_name"] == STREAM_ID]
        assert versions and all(m["backend"] == "ecod" for m in versions)
    state["stream"] = {"stats": settled}


def test_stream_reset_delete_and_unknown(vigil):
    with vigil.client() as c:
        for i in range(12):
            ok(c.post(f"{ANOMALY}/stream", json=stream_body("e2e-scratch", {"v": float(i % 4)}, min_samples=10)))
        assert ok(c.get(f"{ANOMALY}/stream/e2e-scratch"))["model_version"] == 1
        reset = ok(c.post(f"{ANOMALY}/stream/e2e-scratch/reset"))
        assert reset == {"object": "reset_result", "model": "e2e-scratch", "status": "collecting", "reset": True}
        after = ok(c.get(f"{ANOMALY}/stream/e2e-scratch"))
        assert after["status"] == "collecting" and after["model_version"] == 0 and after["samples_collected"] == 0
        deleted = ok(c.delete(f"{ANOMALY}/stream/e2e-scratch"))
        assert deleted == {"object": "delete_result", "model": "e2e-scratch", "deleted": True}
        missing = c.get(f"{ANOMALY}/stream/e2e-scratch")
        assert missing.status_code == 404
        assert detail_string(missing) == "Streaming detector not found: e2e-scratch"


# ---------------------------------------------------------------- (c) feature buffers


def rolling_expected(values, window, lags):
    """Partial windows from the first row; sample std, std of one value 0; lags before the first row 0."""
    out = []
    for i, v in enumerate(values):
        win = values[max(0, i - window + 1): i + 1]
        row = {
            "mean": statistics.fmean(win),
            "std": statistics.stdev(win) if len(win) > 1 else 0.0,
            "min": min(win),
            "max": max(win),
        }
        for k in lags:
            row[f"lag_{k}"] = values[i - k] if i - k >= 0 else 0.0
        out.append(row)
    return out


def test_buffers_rolling_features(vigil):
    amounts = [100.0, 150.0, 120.0, 80.0, 200.0, 90.0]
    counts = [1, 3, 2, 5, 4, 6]
    with vigil.client() as c:
        created = ok(c.post(f"{POLARS}/buffers", json={"buffer_id": "e2e-buf", "window_size": 10}))
        assert created == {"object": "buffer_created", "buffer_id": "e2e-buf", "window_size": 10, "status": "created"}
        dup = c.post(f"{POLARS}/buffers", json={"buffer_id": "e2e-buf"})
        assert dup.status_code == 409
        assert detail_string(dup) == "Buffer 'e2e-buf' already exists. Use DELETE to remove it first."

        first = ok(c.post(f"{POLARS}/append", json={"buffer_id": "e2e-buf",
                                                    "data": {"amount": amounts[0], "count": counts[0], "city": "Oslo"}}))
        assert first["object"] == "append_result" and first["appended"] == 1 and first["buffer_size"] == 1
        rest = [{"amount": a, "count": n, "city": "Oslo"} for a, n in zip(amounts[1:], counts[1:])]
        appended = ok(c.post(f"{POLARS}/append", json={"buffer_id": "e2e-buf", "data": rest}))
        assert appended["appended"] == 5 and appended["buffer_size"] == 6

        stats = ok(c.get(f"{POLARS}/buffers/e2e-buf"))
        assert stats["size"] == 6 and stats["window_size"] == 10 and stats["append_count"] == 6
        # a record's new fields become columns in sorted name order (LlamaFarm keeps the sender's order)
        assert stats["columns"] == ["amount", "city", "count"]
        assert stats["numeric_columns"] == ["amount", "count"]

        feats = ok(c.post(f"{POLARS}/features", json={"buffer_id": "e2e-buf", "rolling_windows": [3],
                                                      "include_lags": True, "lag_periods": [1, 2]}))
        assert feats["object"] == "polars_data" and feats["buffer_id"] == "e2e-buf" and feats["rows"] == 6
        per_col = ["rolling_mean_3", "rolling_std_3", "rolling_min_3", "rolling_max_3", "lag_1", "lag_2"]
        assert feats["columns"] == ["amount", "city", "count"] + [f"amount_{s}" for s in per_col] + [f"count_{s}" for s in per_col]
        for column, values in (("amount", amounts), ("count", [float(n) for n in counts])):
            expected = rolling_expected(values, 3, [1, 2])
            for row, exp, v in zip(feats["data"], expected, values):
                assert row[column] == v and row["city"] == "Oslo"
                for stat in ("mean", "std", "min", "max"):
                    assert math.isclose(row[f"{column}_rolling_{stat}_3"], exp[stat], rel_tol=1e-12, abs_tol=1e-12), (column, stat, row, exp)
                for k in (1, 2):
                    assert row[f"{column}_lag_{k}"] == exp[f"lag_{k}"]
        # values worked out by hand: amounts 100, 150, 120 → mean 123.33, sample std 25.166
        third = feats["data"][2]
        assert math.isclose(third["amount_rolling_mean_3"], 370 / 3)
        assert math.isclose(third["amount_rolling_std_3"], math.sqrt(((100 - 370 / 3) ** 2 + (150 - 370 / 3) ** 2 + (120 - 370 / 3) ** 2) / 2))
        assert feats["data"][0]["amount_rolling_std_3"] == 0.0 and feats["data"][0]["amount_rolling_mean_3"] == 100.0
        assert feats["data"][1]["amount_rolling_std_3"] == pytest.approx(35.35533905932738)

        # tail keeps the features of the full buffer; include_rolling_stats narrows them
        tail = ok(c.post(f"{POLARS}/features", json={"buffer_id": "e2e-buf", "rolling_windows": [3], "include_lags": False,
                                                     "include_rolling_stats": ["mean"], "tail": 2}))
        assert tail["rows"] == 2
        assert tail["columns"] == ["amount", "city", "count", "amount_rolling_mean_3", "count_rolling_mean_3"]
        assert [r["amount_rolling_mean_3"] for r in tail["data"]] == pytest.approx([(120 + 80 + 200) / 3, (80 + 200 + 90) / 3])

        raw = ok(c.get(f"{POLARS}/buffers/e2e-buf/data", params={"tail": 2}))
        assert raw["rows"] == 2 and raw["columns"] == ["amount", "city", "count"]
        assert raw["data"] == [{"amount": 200.0, "count": 4, "city": "Oslo"}, {"amount": 90.0, "count": 6, "city": "Oslo"}]

        # window_size truncation: 12 rows kept as the last 10, features start from the first kept row
        more = [{"amount": 10.0 * i, "count": i, "city": "Oslo"} for i in range(1, 7)]
        ok(c.post(f"{POLARS}/append", json={"buffer_id": "e2e-buf", "data": more}))
        kept = ok(c.post(f"{POLARS}/features", json={"buffer_id": "e2e-buf", "rolling_windows": [3], "include_lags": True,
                                                     "lag_periods": [1]}))
        assert kept["rows"] == 10
        kept_amounts = (amounts + [r["amount"] for r in more])[-10:]
        assert [r["amount"] for r in kept["data"]] == kept_amounts
        expected = rolling_expected(kept_amounts, 3, [1])
        for row, exp in zip(kept["data"], expected):
            assert row["amount_rolling_mean_3"] == pytest.approx(exp["mean"])
            assert row["amount_rolling_std_3"] == pytest.approx(exp["std"])
            assert row["amount_lag_1"] == exp["lag_1"]

        cleared = ok(c.post(f"{POLARS}/buffers/e2e-buf/clear"))
        assert cleared == {"cleared": True, "buffer_id": "e2e-buf", "size": 0}
        empty = ok(c.post(f"{POLARS}/features", json={"buffer_id": "e2e-buf"}))
        assert empty == {"object": "polars_data", "buffer_id": "e2e-buf", "rows": 0, "columns": [], "data": []}
        assert ok(c.delete(f"{POLARS}/buffers/e2e-buf")) == {"deleted": True, "buffer_id": "e2e-buf"}
        missing = c.post(f"{POLARS}/append", json={"buffer_id": "e2e-buf", "data": {"amount": 1}})
        assert missing.status_code == 404
        assert detail_string(missing) == "Buffer 'e2e-buf' not found. Create it first with POST /v1/polars/buffers"


# ---------------------------------------------------------------- (d) restart on the same data directory


def test_restart_keeps_models_and_streams(vigil, state):
    sensor = state.get("sensor") or pytest.skip("batch flow did not run")
    stream = state.get("stream") or pytest.skip("stream flow did not run")
    card_tx = state.get("card_tx")
    before = stream["stats"]

    vigil.restart()
    assert vigil.last_exit_code == 0, f"SIGTERM should stop the server cleanly:\n{vigil.previous_log}"

    with vigil.client() as c:
        models = ok(c.get(f"{ANOMALY}/models"))
        assert sensor["version"] in {m["name"] for m in models["data"]}
        scored = ok(c.post(f"{ANOMALY}/score", json={"model": "sensor-latest", "data": sensor["probe"]}))
        assert scored["model"] == sensor["version"]
        assert scored["data"] == sensor["scores"], "scores after a restart differ from before"
        if card_tx:
            tx = ok(c.post(f"{ANOMALY}/score", json={"model": "card-tx-latest", "data": card_tx["probe"]}))
            assert tx["data"] == card_tx["scores"]

        after = ok(c.get(f"{ANOMALY}/stream/{STREAM_ID}"))
        assert after["status"] == "ready" and after["is_ready"] is True
        for key in ("model_version", "total_processed", "samples_collected", "backend", "min_samples",
                    "retrain_interval", "window_size", "threshold"):
            assert after[key] == before[key], (key, before, after)

        answer = ok(c.post(f"{ANOMALY}/stream", json=stream_body(STREAM_ID, {"temperature": 20.1, "humidity": 44.0})))
        result = answer["results"][0]
        assert answer["status"] in ("ready", "retraining")
        assert result["score"] is not None and 0 <= result["score"] <= 1
        assert result["is_anomaly"] == (result["score"] > 0.5)
        extreme = ok(c.post(f"{ANOMALY}/stream", json=stream_body(STREAM_ID, {"temperature": 95.0, "humidity": 2.0})))
        assert extreme["results"][0]["is_anomaly"] is True
        now = ok(c.get(f"{ANOMALY}/stream/{STREAM_ID}"))
        assert now["total_processed"] == before["total_processed"] + 2


# ---------------------------------------------------------------- (e) bad input over the wire


def test_bad_input(vigil):
    with vigil.client() as c:
        headers = {"Content-Type": "application/json"}
        malformed = c.post(f"{ANOMALY}/score", content=b'{"model": "sensor-latest", "data": [[1, 2,', headers=headers)
        assert malformed.status_code == 422
        assert detail_list(malformed)[0]["type"] == "json_invalid"

        nan = c.post(f"{ANOMALY}/score", content=b'{"model": "sensor-latest", "data": [[NaN, 1, 2]]}', headers=headers)
        assert nan.status_code == 422
        detail_list(nan)
        inf = c.post(f"{ANOMALY}/fit", content=b'{"model": "x", "data": [[Infinity], [1]]}', headers=headers)
        assert inf.status_code == 422

        empty = c.post(f"{ANOMALY}/score", content=b"", headers=headers)
        assert empty.status_code == 422

        wrong_type = c.post(f"{ANOMALY}/score", json={"model": 5, "data": [[1]]})
        assert wrong_type.status_code == 422
        assert detail_list(wrong_type)[0]["loc"] == ["body", "model"]

        missing = c.post(f"{ANOMALY}/fit", json={"model": "x"})
        assert missing.status_code == 422
        issue = detail_list(missing)[0]
        assert issue["loc"] == ["body", "data"] and issue["type"] == "missing"

        backend = c.post(f"{ANOMALY}/fit", json={"model": "x", "backend": "random_forest", "data": [[1], [2]]})
        assert backend.status_code == 422
        assert detail_list(backend)[0]["loc"] == ["body", "backend"]

        contamination = c.post(f"{ANOMALY}/fit", json={"model": "x", "data": [[1], [2]], "contamination": 0.9})
        assert contamination.status_code == 422
        assert detail_list(contamination)[0]["loc"] == ["body", "contamination"]

        unknown = c.post(f"{ANOMALY}/score", json={"model": "no-such-model-latest", "data": [[1.0, 2.0, 3.0]]})
        assert unknown.status_code in (400, 404)
        detail_string(unknown)
        unknown_load = c.post(f"{ANOMALY}/load", json={"model": "no-such-model"})
        assert unknown_load.status_code == 404
        assert "no-such-model" in detail_string(unknown_load)

        stream_settings = c.post(f"{ANOMALY}/stream", json={"model": "e2e-bad", "data": {"v": 1}, "min_samples": 5})
        assert stream_settings.status_code == 422
        assert detail_list(stream_settings)[0]["loc"] == ["body", "min_samples"]

        # path parameters carrying a path
        for method, path, message in (
            ("GET", f"{ANOMALY}/stream/..%2Fx", "Invalid model_id: ../x"),
            ("DELETE", f"{ANOMALY}/stream/..%2Fx", "Invalid model_id: ../x"),
            ("POST", f"{ANOMALY}/stream/..%2Fx/reset", "Invalid model_id: ../x"),
            ("GET", f"{POLARS}/buffers/..%2Fx", "Invalid buffer_id: ../x"),
            ("DELETE", f"{ANOMALY}/models/..%2Fregistry.sqlite", "Invalid filename: ../registry.sqlite"),
        ):
            answer = c.request(method, path)
            assert answer.status_code == 400, (method, path, answer.status_code, answer.text)
            assert detail_string(answer) == message
        bad_name = c.post(f"{ANOMALY}/score", json={"model": "../../etc/passwd", "data": [[1.0]]})
        assert bad_name.status_code == 400
        bad_stream = c.post(f"{ANOMALY}/stream", json={"model": "../x", "data": {"v": 1}})
        assert bad_stream.status_code == 400 and detail_string(bad_stream) == "Invalid model_id: ../x"

        unmatched = c.get("/v1/ml/anomaly/nothing-here")
        assert unmatched.status_code == 404

        # every answer carries a request id; a valid one sent by the client comes back
        echoed = c.get("/healthz", headers={"X-Request-Id": "e2e-req-42"})
        assert echoed.headers["x-request-id"] == "e2e-req-42"
        assert c.get("/healthz").headers.get("x-request-id")

        # the server is still healthy after all that
        assert ok(c.get("/healthz")) == {"status": "ok"}


def test_limits_give_413(small_vigil):
    with small_vigil.client() as c:
        rows = [[float(i), float(i % 7)] for i in range(8)]
        fit(c, model="small", data=rows)
        big = {"model": "small-latest", "data": [[123456.789, 987654.321]] * 300}
        body = json.dumps(big).encode()
        assert len(body) > 4096
        answer = c.post(f"{ANOMALY}/score", content=body, headers={"Content-Type": "application/json"})
        assert answer.status_code == 413, answer.text
        assert "4096" in detail_string(answer)

        many = c.post(f"{ANOMALY}/score", json={"model": "small-latest", "data": [[1.0, 2.0]] * 11})
        assert many.status_code == 413
        detail_string(many)
        stream = c.post(f"{ANOMALY}/stream", json={"model": "small-stream", "data": [{"v": 1.0}] * 11})
        assert stream.status_code == 413

        # within the limits the same server answers
        fine = ok(c.post(f"{ANOMALY}/score", json={"model": "small-latest", "data": [[1.0, 2.0]] * 10}))
        assert fine["total_count"] == 10
        assert ok(c.get("/healthz")) == {"status": "ok"}
