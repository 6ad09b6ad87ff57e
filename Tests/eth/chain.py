"""A real EVM test chain behind a JSON-RPC-over-HTTP bridge, for Vigil's Ethereum scanner tests.

The chain is eth-tester on py-evm, executing ERC20 contracts compiled from contracts/*.vy with
vyper. On start it deploys the tokens, mints and moves them (normal amounts plus a few absurd
transfers, and a token without name/symbol/decimals), writes a manifest of what it did, then
answers the JSON-RPC calls Vigil makes: eth_blockNumber, eth_chainId, eth_getLogs,
eth_getBlockByNumber, eth_getBlockReceipts (can be switched off), eth_getTransactionReceipt,
eth_call; single or batched.

Faults for tests, set with POST /_control (JSON object, fields optional):
  max_log_range   eth_getLogs over more blocks than this answers -32005 "query returned more than 10000 results"
  fail_next       the next N HTTP requests answer 429 Too Many Requests
  error_status    every request answers this HTTP status (0 = off), e.g. 503 for a node that is down
  malformed_next  the next N requests answer a body that is not JSON
  hang_next       the next N requests wait hang_seconds before answering
  block_receipts  whether eth_getBlockReceipts exists (default true)
  batch           whether batched requests are accepted (default true)
  missing_receipts  transaction hashes whose receipts the node does not have (null, left out of blocks)
GET /_stats returns {"http_requests", "calls", "by_method"}; POST /_stats resets them.

usage: python chain.py --port 0 --manifest m.json [--normal 240] [--pad-to 1000] [--no-block-receipts]
Prints "listening on http://127.0.0.1:PORT" once it serves.
"""
import argparse
import json
import random
import socket
import sys
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import vyper
from eth_abi import encode
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.exceptions import TransactionFailed
from eth_utils import function_signature_to_4byte_selector

HERE = Path(__file__).resolve().parent
TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
GWEI = 10**9


def quantity(n):
    return hex(n)


def call_data(signature, types, args):
    return "0x" + (function_signature_to_4byte_selector(signature) + encode(types, args)).hex()


class Chain:
    """The chain, its scenario and a block → receipts index (the chain does not change after setup)."""

    def __init__(self, normal, pad_to, seed):
        self.tester = EthereumTester(PyEVMBackend())
        self.accounts = self.tester.get_accounts()
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.manifest = {"tokens": {}, "absurd": [], "transfers": 0}
        self.build(normal)
        head = self.tester.get_block_by_number("latest")["number"]
        if pad_to and head < pad_to:
            self.tester.mine_blocks(pad_to - head)
        self.index()

    def compile(self, name):
        out = vyper.compile_code((HERE / "contracts" / f"{name}.vy").read_text(), output_formats=["bytecode"])
        return out["bytecode"]

    def send(self, sender, to, data, priority_gwei=1):
        tx = {"from": sender, "data": data, "gas": 3_000_000, "value": 0,
              "max_fee_per_gas": (priority_gwei + 100) * GWEI, "max_priority_fee_per_gas": priority_gwei * GWEI}
        if to:
            tx["to"] = to
        tx_hash = self.tester.send_transaction(tx)
        receipt = self.tester.get_transaction_receipt(tx_hash)
        assert receipt["status"] == 1, receipt
        return tx_hash, receipt

    def deploy(self, name, types=(), args=()):
        data = self.compile(name) + (encode(list(types), list(args)).hex() if types else "")
        _, receipt = self.send(self.accounts[0], None, data)
        return receipt["contract_address"]

    def move(self, token, kind, sender, receiver, raw, priority_gwei=1):
        if kind == "mint":
            data = call_data("mint(address,uint256)", ["address", "uint256"], [receiver, raw])
            sender = self.accounts[0]
        else:
            data = call_data("transfer(address,uint256)", ["address", "uint256"], [receiver, raw])
        tx_hash, receipt = self.send(sender, token["address"], data, priority_gwei)
        self.manifest["transfers"] += 1
        gas_wei = receipt["gas_used"] * receipt["effective_gas_price"]
        return {"transaction_hash": tx_hash.lower(), "token": token["label"], "token_address": token["address"].lower(),
                "raw_value": str(raw), "value": str(Decimal(raw) / Decimal(10) ** token["decimals"]),
                "gas_cost": str(Decimal(gas_wei) / Decimal(10) ** 18), "block_number": receipt["block_number"]}

    def build(self, normal):
        tokens = [
            ("Token", ["string", "string", "uint8"], ["Vigil Dollar", "VUSD", 6], "VUSD", 6),
            ("Token", ["string", "string", "uint8"], ["Vigil Ether", "VETH", 18], "VETH", 18),
            ("LegacyToken", ["bytes32", "bytes32", "uint8"], [b"Legacy Maker".ljust(32, b"\0"), b"LMKR".ljust(32, b"\0"), 18], "LMKR", 18),
            ("BareToken", [], [], None, 18),
        ]
        self.tokens = []
        for contract, types, args, symbol, decimals in tokens:
            address = self.deploy(contract, types, args)
            token = {"address": address, "label": symbol or address.lower(), "decimals": decimals, "contract": contract}
            self.tokens.append(token)
            self.manifest["tokens"][token["label"]] = {"address": address.lower(), "decimals": decimals, "contract": contract,
                                                      "has_metadata": symbol is not None}
        self.manifest["first_block"] = self.tester.get_block_by_number("latest")["number"] + 1
        senders = self.accounts[1:9]
        for token in self.tokens:
            for s in senders:
                self.move(token, "mint", None, s, self.amount(token, 1_000_000, 2_000_000))
        for _ in range(normal):
            token = self.rng.choice(self.tokens)
            sender, receiver = self.rng.sample(senders, 2)
            self.move(token, "transfer", sender, receiver, self.amount(token, 10, 1_000), self.rng.choice([1, 2, 3]))
        vusd, bare = self.tokens[0], self.tokens[3]
        whale = self.accounts[9]
        absurd = [
            ("mint of 5e12 VUSD", self.move(vusd, "mint", None, whale, 5 * 10**12 * 10**6)),
            ("transfer of 4e12 VUSD", self.move(vusd, "transfer", whale, senders[0], 4 * 10**12 * 10**6)),
            ("mint of 1e12 of a token without metadata", self.move(bare, "mint", None, whale, 10**12 * 10**18)),
            ("transfer paying 5000 gwei priority fee", self.move(self.tokens[1], "transfer", senders[1], senders[2], 25 * 10**18, 5000)),
        ]
        for why, entry in absurd:
            entry["why"] = why
            self.manifest["absurd"].append(entry)
        # a few normal transfers after the absurd ones, so they are not at the edge of the range
        for _ in range(8):
            token = self.rng.choice(self.tokens[:3])
            sender, receiver = self.rng.sample(senders, 2)
            self.move(token, "transfer", sender, receiver, self.amount(token, 10, 1_000), self.rng.choice([1, 2, 3]))
        self.manifest["last_transfer_block"] = self.tester.get_block_by_number("latest")["number"]

    def amount(self, token, low, high):
        units = Decimal(self.rng.uniform(low, high)).quantize(Decimal("0.01"))
        return int(units * 10 ** token["decimals"])

    def index(self):
        self.head = self.tester.get_block_by_number("latest")["number"]
        self.manifest["head"] = self.head
        self.blocks, self.receipts = {}, {}
        for n in range(self.head + 1):
            block = self.tester.get_block_by_number(n)
            receipts = [self.tester.get_transaction_receipt(h) for h in block["transactions"]]
            self.blocks[n] = block
            log_index = 0
            converted = []
            for r in receipts:
                logs = []
                for log in r["logs"]:
                    logs.append({"address": log["address"].lower(), "topics": list(log["topics"]), "data": log["data"],
                                 "blockNumber": quantity(n), "blockHash": block["hash"], "transactionHash": r["transaction_hash"],
                                 "transactionIndex": quantity(r["transaction_index"]), "logIndex": quantity(log_index), "removed": False})
                    log_index += 1
                converted.append({
                    "transactionHash": r["transaction_hash"], "transactionIndex": quantity(r["transaction_index"]),
                    "blockHash": block["hash"], "blockNumber": quantity(n), "from": r["from"].lower(),
                    "to": (r["to"] or None) and r["to"].lower(), "contractAddress": r["contract_address"] and r["contract_address"].lower(),
                    "cumulativeGasUsed": quantity(r["cumulative_gas_used"]), "gasUsed": quantity(r["gas_used"]),
                    "effectiveGasPrice": quantity(r["effective_gas_price"]), "status": quantity(r["status"]),
                    "type": r["type"], "logs": logs})
            self.receipts[n] = converted

    # JSON-RPC methods -------------------------------------------------------------------------

    def block_number(self, tag):
        if tag in ("latest", "safe", "finalized", "pending"):
            return self.head
        if tag == "earliest":
            return 0
        return int(tag, 16)

    def get_logs(self, params, max_range):
        f = params[0]
        start, end = self.block_number(f.get("fromBlock", "latest")), self.block_number(f.get("toBlock", "latest"))
        if max_range and end - start + 1 > max_range:
            raise RPCError(-32005, "query returned more than 10000 results")
        topics = f.get("topics") or []
        addresses = f.get("address")
        if isinstance(addresses, str):
            addresses = [addresses]
        out = []
        for n in range(start, min(end, self.head) + 1):
            for r in self.receipts[n]:
                for log in r["logs"]:
                    if addresses and log["address"] not in [a.lower() for a in addresses]:
                        continue
                    if topics and topics[0] and log["topics"][0] != topics[0]:
                        continue
                    out.append(log)
        return out

    def get_block(self, params):
        n = self.block_number(params[0])
        if n > self.head:
            return None
        b = self.blocks[n]
        return {"number": quantity(n), "hash": b["hash"], "parentHash": b["parent_hash"], "timestamp": quantity(b["timestamp"]),
                "gasUsed": quantity(b["gas_used"]), "gasLimit": quantity(b["gas_limit"]),
                "baseFeePerGas": quantity(b["base_fee_per_gas"]), "transactions": list(b["transactions"])}

    def get_receipt(self, params):
        wanted = params[0].lower()
        for receipts in self.receipts.values():
            for r in receipts:
                if r["transactionHash"].lower() == wanted:
                    return r
        return None

    def call(self, params):
        tx = {"from": self.accounts[0], "to": params[0]["to"], "data": params[0].get("data", "0x")}
        try:
            with self.lock:
                return self.tester.call(tx)
        except TransactionFailed as e:
            raise RPCError(3, f"execution reverted: {e}")


class RPCError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


class Bridge:
    def __init__(self, chain):
        self.chain = chain
        self.lock = threading.Lock()
        self.options = {"max_log_range": 0, "fail_next": 0, "error_status": 0, "malformed_next": 0, "hang_next": 0,
                        "hang_seconds": 5.0, "block_receipts": True, "batch": True, "missing_receipts": []}
        self.reset_stats()

    def reset_stats(self):
        self.stats = {"http_requests": 0, "calls": 0, "by_method": {}}

    def answer(self, request):
        method, params, rid = request.get("method"), request.get("params") or [], request.get("id")
        with self.lock:
            self.stats["calls"] += 1
            self.stats["by_method"][method] = self.stats["by_method"].get(method, 0) + 1
            options = dict(self.options)
        c = self.chain
        try:
            if method == "eth_blockNumber":
                result = quantity(c.head)
            elif method == "eth_chainId":
                result = quantity(1337)
            elif method == "eth_getLogs":
                result = c.get_logs(params, options["max_log_range"])
            elif method == "eth_getBlockByNumber":
                result = c.get_block(params)
            elif method == "eth_getBlockReceipts" and options["block_receipts"]:
                n = c.block_number(params[0])
                result = c.receipts.get(n) if n <= c.head else None
                if result is not None:
                    result = [r for r in result if r["transactionHash"].lower() not in options["missing_receipts"]]
            elif method == "eth_getTransactionReceipt":
                result = None if params[0].lower() in options["missing_receipts"] else c.get_receipt(params)
            elif method == "eth_call":
                result = c.call(params)
            else:
                raise RPCError(-32601, f"the method {method} does not exist/is not available")
            return {"jsonrpc": "2.0", "id": rid, "result": result}
        except RPCError as e:
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": e.code, "message": e.message}}


def handler_for(bridge):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            # headers and body go out in two writes: without this, Nagle's algorithm holds the body
            # for the client's delayed ACK (40 ms a request)
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *args):
            pass

        def reply(self, status, body, content_type="application/json", headers=()):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/_manifest":
                return self.reply(200, bridge.chain.manifest)
            if self.path == "/_stats":
                with bridge.lock:
                    return self.reply(200, bridge.stats)
            self.reply(404, {"error": "not found"})

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/_control":
                with bridge.lock:
                    bridge.options.update(json.loads(body or b"{}"))
                    return self.reply(200, bridge.options)
            if self.path == "/_stats":
                with bridge.lock:
                    bridge.reset_stats()
                return self.reply(200, {})
            with bridge.lock:
                bridge.stats["http_requests"] += 1
                o = bridge.options
                hang = o["hang_next"] > 0
                if hang:
                    o["hang_next"] -= 1
                fail = o["fail_next"] > 0
                if fail:
                    o["fail_next"] -= 1
                malformed = not fail and o["malformed_next"] > 0
                if malformed:
                    o["malformed_next"] -= 1
                status, batch_ok, hang_seconds = o["error_status"], o["batch"], o["hang_seconds"]
            if hang:
                time.sleep(hang_seconds)
            if status:
                return self.reply(status, {"error": f"the node answers {status}"})
            if fail:
                return self.reply(429, {"error": "too many requests"}, headers=[("Retry-After", "0")])
            if malformed:
                return self.reply(200, b'{"jsonrpc": "2.0", "id": 1, "resu')
            try:
                request = json.loads(body)
            except ValueError:
                return self.reply(200, {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse error"}})
            if isinstance(request, list):
                if not batch_ok:
                    return self.reply(200, {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "batch requests are not supported"}})
                return self.reply(200, [bridge.answer(r) for r in request])
            self.reply(200, bridge.answer(request))

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8545)
    parser.add_argument("--manifest", help="write the scenario's manifest (JSON) here")
    parser.add_argument("--normal", type=int, default=240, help="normal transfers between the mints and the absurd ones")
    parser.add_argument("--pad-to", type=int, default=0, help="mine empty blocks until the head is at least this block")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-block-receipts", action="store_true", help="answer eth_getBlockReceipts with method not found")
    args = parser.parse_args()
    started = time.time()
    chain = Chain(args.normal, args.pad_to, args.seed)
    bridge = Bridge(chain)
    bridge.options["block_receipts"] = not args.no_block_receipts
    chain.manifest["setup_seconds"] = round(time.time() - started, 2)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(bridge))
    server.daemon_threads = True
    if args.manifest:
        Path(args.manifest).write_text(json.dumps(chain.manifest, indent=2))
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
