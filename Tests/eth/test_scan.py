"""The Ethereum scanner against a real EVM: the test chain's absurd transfers must come back as
the anomalies, with their exact hashes, values, gas costs and links, through the CLI and over
HTTP; provider faults are retried or end in a clear error with nothing stored."""

import csv
import io
import json

from conftest import http, run_vigil

# The scenario has 4 absurd transfers among ~280; this share flags about that many.
CONTAMINATION = 0.015


def absurd(manifest):
    return {a["transaction_hash"]: a for a in manifest["absurd"]}


def check_top_four(flagged, manifest):
    """The four highest-scored transfers are exactly the absurd ones, with exact values and gas."""
    expected = absurd(manifest)
    top = sorted(flagged, key=lambda f: -f["anomaly_score"])[:4]
    assert {f["transaction_hash"] for f in top} == set(expected), json.dumps(top, indent=1)
    for f in top:
        e = expected[f["transaction_hash"]]
        assert f["value_exact"] == e["value"], f
        assert f["gas_cost_exact"] == e["gas_cost"], f
        assert f["token"] == e["token"], f
        assert f["token_address"] == e["token_address"], f
        assert f["block_number"] == e["block_number"], f
        assert f["etherscan_link"] == "https://etherscan.io/tx/" + f["transaction_hash"], f
        assert abs(f["value"] - float(e["value"])) <= 1e-9 * float(e["value"])
        assert abs(f["gas_cost"] - float(e["gas_cost"])) <= 1e-12
    assert len(flagged) <= 8, "a contamination of 1.5% flags few transfers"


def scan_cli(vigil_bin, node, tmp_path, *extra, env=None):
    m = node.manifest
    return run_vigil(vigil_bin, "eth", "scan", "--rpc", node.url, "--from-block", str(m["first_block"]),
                     "--to-block", str(m["head"]), "--contamination", str(CONTAMINATION), "--rps", "0",
                     "--data-dir", str(tmp_path / "data"), *extra, env=env)


def test_cli_scan_finds_the_absurd_transfers(vigil_bin, node, tmp_path):
    out = scan_cli(vigil_bin, node, tmp_path, "--format", "json")
    assert out.returncode == 0, out.stderr
    check_top_four(json.loads(out.stdout), node.manifest)
    assert f"{node.manifest['transfers']} transfers" in out.stderr
    # the same scan as CSV and as a table
    as_csv = scan_cli(vigil_bin, node, tmp_path, "--format", "csv", "--pretrained")
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert {r["transaction_hash"] for r in rows} >= set(absurd(node.manifest))
    table = scan_cli(vigil_bin, node, tmp_path, "--pretrained")
    assert table.returncode == 0, table.stderr
    for tx in absurd(node.manifest):
        assert tx in table.stdout


def test_cli_errors_are_one_line(vigil_bin, node, tmp_path):
    no_model = scan_cli(vigil_bin, node, tmp_path, "--pretrained")
    assert no_model.returncode == 2
    assert "No pre-trained model 'erc20-transfers'" in no_model.stderr
    reversed_range = run_vigil(vigil_bin, "eth", "scan", "--rpc", node.url, "--from-block", "9", "--to-block", "3",
                               "--data-dir", str(tmp_path / "d"))
    assert reversed_range.returncode == 2 and "start_block (9) must not be after end_block (3)" in reversed_range.stderr
    no_node = run_vigil(vigil_bin, "eth", "scan", "--from-block", "1", "--to-block", "3", "--data-dir", str(tmp_path / "d"))
    assert no_node.returncode == 2 and "VIGIL_ETH_RPC_URL" in no_node.stderr
    bad_last = run_vigil(vigil_bin, "eth", "scan", "--rpc", node.url, "--last", "soon", "--data-dir", str(tmp_path / "d"))
    assert bad_last.returncode == 2 and "--last" in bad_last.stderr


def test_cli_last_scans_the_blocks_of_that_time(vigil_bin, node, tmp_path):
    head = node.manifest["head"]
    calls = [{"jsonrpc": "2.0", "id": n, "method": "eth_getBlockByNumber", "params": [hex(n), False]} for n in range(head + 1)]
    times = {a["id"]: int(a["result"]["timestamp"], 16) for a in http("POST", node.url, calls)[1]}
    span = max(1, (times[head] - times[0]) // 2)  # about half the chain's time
    first = min(n for n in times if times[n] > times[head] - span)
    out = run_vigil(vigil_bin, "eth", "scan", "--rpc", node.url, "--last", f"{span}s", "--rps", "0", "--format", "json",
                    "--data-dir", str(tmp_path / "data"))
    assert out.returncode == 0, out.stderr
    assert f"blocks {first}–{head}:" in out.stderr


def test_http_scan_findings_and_pretrained_model(serve, node):
    server = serve(VIGIL_ETH_RPC_URL=node.url, VIGIL_ETH_RPS="0")
    m = node.manifest
    request = {"start_block": m["first_block"], "end_block": m["head"], "time_interval_in_seconds": 0,
               "use_pre_trained_model": False, "contamination": CONTAMINATION}
    missing = http("POST", server.url + "/anomaly_detection/", {**request, "use_pre_trained_model": True})
    assert missing[0] == 404 and "erc20-transfers" in missing[1]["detail"]

    status, flagged = http("POST", server.url + "/anomaly_detection/", request)
    assert status == 200, flagged
    check_top_four(flagged, m)
    for f in flagged:
        assert set(f) >= {"transaction_hash", "value", "token", "gas_cost", "anomaly_score", "etherscan_link"}

    status, models = http("GET", server.url + "/v1/ml/anomaly/models")
    versions = [d["name"] for d in models["data"] if d["base_name"] == "erc20-transfers"]
    assert len(versions) == 1

    status, grouped = http("POST", server.url + "/anomaly_detection/", {**request, "use_pre_trained_model": True,
                                                                        "group_by_transaction": True})
    assert status == 200, grouped
    by_hash = {g["transaction_hash"]: g for g in grouped}
    for tx, e in absurd(m).items():
        assert by_hash[tx]["token2value"] == {e["token"]: float(e["value"])}
        assert by_hash[tx]["etherscan_link"].endswith(tx)

    status, findings = http("GET", server.url + "/v1/findings?limit=10000")
    assert status == 200
    assert findings["total"] == 2 * m["transfers"]  # one per transfer per scan
    status, critical = http("GET", server.url + "/v1/findings?severity=critical&limit=10000")
    hashes = {f["transaction_hash"] for f in critical["data"]}
    assert hashes >= set(absurd(m))
    for f in critical["data"]:
        assert f["alert_id"] == "ANOMALOUS-TOKEN-TRANSFERS-TX"
        assert f["model_version"] == versions[0]
        meta = f["metadata"]
        assert meta["prediction"] == "anomaly" and meta["model_version"] == versions[0]
        assert meta["anomaly_score"] > meta["anomaly_threshold"]
        assert meta["feature_generation_ms"] > 0 and meta["model_response_ms"] >= 0
        assert meta["block_time"].endswith("Z") and meta["block_number"] >= m["first_block"]
    info = http("GET", server.url + "/v1/findings?severity=info&limit=1")[1]["data"][0]
    assert info["alert_id"] == "NORMAL-TOKEN-TRANSFERS-TX" and info["metadata"]["prediction"] == "normal"


def test_nodes_without_block_receipts_or_batches(vigil_bin, node, tmp_path):
    node.control(block_receipts=False, batch=False)
    out = scan_cli(vigil_bin, node, tmp_path, "--format", "json")
    assert out.returncode == 0, out.stderr
    check_top_four(json.loads(out.stdout), node.manifest)
    calls = node.stats()["by_method"]
    assert calls.get("eth_getTransactionReceipt", 0) >= len({a["transaction_hash"] for a in node.manifest["absurd"]})
    assert calls.get("eth_getBlockReceipts", 0) == 1  # asked once, then the fallback is remembered


def test_large_ranges_are_halved(vigil_bin, node, tmp_path):
    node.control(max_log_range=40)
    out = scan_cli(vigil_bin, node, tmp_path, "--format", "json")
    assert out.returncode == 0, out.stderr
    check_top_four(json.loads(out.stdout), node.manifest)
    assert node.stats()["by_method"]["eth_getLogs"] > 7


def test_429_and_malformed_answers_are_retried(vigil_bin, node, tmp_path):
    node.control(fail_next=3)
    out = scan_cli(vigil_bin, node, tmp_path, "--format", "json")
    assert out.returncode == 0, out.stderr
    assert "3 retries" in out.stderr
    check_top_four(json.loads(out.stdout), node.manifest)
    node.control(malformed_next=2)
    again = scan_cli(vigil_bin, node, tmp_path, "--format", "json", "--pretrained")
    assert again.returncode == 0, again.stderr
    assert "2 retries" in again.stderr


def test_faults_that_persist_are_clear_errors_and_save_nothing(serve, node):
    server = serve(VIGIL_ETH_RPC_URL=node.url, VIGIL_ETH_RPS="0", VIGIL_ETH_TIMEOUT_S="0.5", VIGIL_ETH_ATTEMPTS="2")
    m = node.manifest
    request = {"start_block": m["first_block"], "end_block": m["head"], "contamination": CONTAMINATION}

    node.control(hang_next=2, hang_seconds=2)
    status, answer = http("POST", server.url + "/anomaly_detection/", request)
    assert status == 503 and "did not answer" in answer["detail"] and "0.5 s" in answer["detail"], answer

    node.control(hang_next=0, error_status=503)
    status, answer = http("POST", server.url + "/anomaly_detection/", request)
    assert status == 503 and "HTTP 503" in answer["detail"], answer

    node.control(error_status=0, malformed_next=10)
    status, answer = http("POST", server.url + "/anomaly_detection/", request)
    assert status == 503 and "not valid JSON-RPC" in answer["detail"], answer

    node.control(malformed_next=0, max_log_range=-1)  # refuses even one block
    status, answer = http("POST", server.url + "/anomaly_detection/", {**request, "end_block": m["first_block"] + 3})
    assert status == 503 and "even for blocks" in answer["detail"], answer

    assert http("GET", server.url + "/v1/findings")[1]["total"] == 0
    assert http("GET", server.url + "/v1/ml/anomaly/models")[1]["total"] == 0


def test_a_transfer_without_receipt_is_an_invalid_finding(serve, node):
    m = node.manifest
    server = serve(VIGIL_ETH_RPC_URL=node.url, VIGIL_ETH_RPS="0")
    status, scanned = http("POST", server.url + "/anomaly_detection/",
                           {"start_block": m["first_block"], "end_block": m["head"], "contamination": CONTAMINATION})
    assert status == 200, scanned
    normal = http("GET", server.url + "/v1/findings?severity=info&limit=1")[1]["data"][0]["transaction_hash"]
    node.control(missing_receipts=[normal])
    status, flagged = http("POST", server.url + "/anomaly_detection/",
                           {"start_block": m["first_block"], "end_block": m["head"], "use_pre_trained_model": True})
    assert status == 200, flagged
    assert normal not in {f["transaction_hash"] for f in flagged}
    low = http("GET", server.url + "/v1/findings?severity=low")[1]["data"]
    assert [f["transaction_hash"] for f in low] == [normal]
    assert low[0]["alert_id"] == "INVALID-TOKEN-TRANSFERS-TX"
    assert low[0]["metadata"]["prediction"] == "invalid"
    assert "receipt" in low[0]["metadata"]["problem"]
    assert http("GET", server.url + "/v1/findings?limit=10000")[1]["total"] == 2 * m["transfers"]
