import ArgumentParser
import Foundation
import VigilEthereum
import VigilServer

/// `vigil eth`: Ethereum scans.
struct EthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eth", abstract: "Scan an Ethereum node for anomalous ERC20 transfers.", subcommands: [Scan.self])

    /// `vigil eth scan`: the CLI form of `POST /anomaly_detection/`.
    struct Scan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load the ERC20 transfers of a block range over JSON-RPC and list the anomalous ones.",
            discussion: """
                Without --pretrained, fits an Isolation Forest on the loaded transfers and saves it as a new \
                'erc20-transfers' version; with it, scores with the newest saved version. Every transfer is stored \
                as a finding in the registry.
                """)

        @Option(help: "The node's JSON-RPC URL (env VIGIL_ETH_RPC_URL).")
        var rpc: String?
        @Option(help: "First block (inclusive).")
        var fromBlock: UInt64?
        @Option(help: "Last block (inclusive).")
        var toBlock: UInt64?
        @Option(help: "Scan the blocks of this much time up to the newest instead (by block timestamps): 90s, 30m, 1h, 2d.")
        var last: String?
        @Flag(help: "Score with the newest saved erc20-transfers model instead of fitting one.")
        var pretrained = false
        @Option(help: "Share of transfers a fit flags.")
        var contamination = 0.001
        @Flag(help: "One line per flagged transaction instead of per transfer.")
        var groupByTransaction = false
        @Option(help: "table, json or csv.")
        var format: OutputFormat = .table
        @Option(help: "Most HTTP requests per second to the node (0 = no limit; env VIGIL_ETH_RPS).")
        var rps: Double?
        @Option(help: "Seconds one request to the node may take (env VIGIL_ETH_TIMEOUT_S).")
        var timeout: Double?
        @OptionGroup var registry: RegistryOptions

        enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

        func run() async throws {
            var settings = EthereumSettings.fromEnvironment()
            if let rpc { settings.rpcURL = rpc }
            if let rps {
                guard rps >= 0, rps.isFinite else { throw CLIError("--rps must be ≥ 0, got \(rps)") }
                settings.rpc.requestsPerSecond = rps
            }
            if let timeout {
                guard timeout > 0, timeout.isFinite else { throw CLIError("--timeout must be > 0 seconds, got \(timeout)") }
                settings.rpc.timeout = .milliseconds(Int64(timeout * 1000))
            }
            guard settings.rpcURL != nil else { throw CLIError("give the node's JSON-RPC URL with --rpc or VIGIL_ETH_RPC_URL") }
            let request = try scanRequest()
            _ = try EthereumScanner.check(request)
            let result = try await registry.with { store in
                let scanner = try EthereumScanner(registry: store, settings: settings)
                let bar = ProgressBar()
                defer { bar.finish() }
                return try await scanner.scan(request) { bar.show($0) }
            }
            print(render(result), terminator: "")
            let flagged = result.items.filter(\.isAnomaly).count
            let seconds = (result.featureGenerationMs + result.modelResponseMs) / 1000
            FileHandle.standardError.write(Data(("blocks \(result.fromBlock)–\(result.toBlock): \(result.items.count) transfers, "
                + "\(flagged) flagged by \(result.modelVersion ?? "no model"); \(result.rpc.httpRequests) requests "
                + "(\(result.rpc.calls) calls, \(result.rpc.retries) retries), \(String(format: "%.2f", seconds)) s; "
                + "\(result.findingsStored) findings stored\n").utf8))
        }

        func scanRequest() throws -> ScanRequest {
            if let last {
                guard fromBlock == nil, toBlock == nil else { throw CLIError("give --last or --from-block/--to-block, not both") }
                return ScanRequest(startBlock: 0, endBlock: 0, timeIntervalInSeconds: try Self.seconds(last),
                                   usePreTrainedModel: pretrained, contamination: contamination, groupByTransaction: groupByTransaction)
            }
            guard let fromBlock, let toBlock else { throw CLIError("give --from-block and --to-block, or --last (e.g. --last 1h)") }
            return ScanRequest(startBlock: fromBlock, endBlock: toBlock, usePreTrainedModel: pretrained,
                               contamination: contamination, groupByTransaction: groupByTransaction)
        }

        /// "90s", "30m", "1h", "2d" or plain seconds.
        static func seconds(_ text: String) throws -> Double {
            let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
            let (number, unit) = text.last.flatMap { units[$0] }.map { (text.dropLast(), $0) } ?? (Substring(text), 1)
            guard let n = Double(number), n.isFinite, n > 0 else {
                throw CLIError("--last must be a positive duration like 90s, 30m, 1h or 2d, got '\(text)'")
            }
            return n * unit
        }

        func render(_ result: ScanResult) -> String {
            if groupByTransaction {
                let rows = result.flaggedTransactions
                switch format {
                case .json: return Self.json(rows)
                case .csv:
                    return (["transaction_hash,token2value,gas_cost,anomaly_score,etherscan_link"] + rows.map { r in
                        "\(r.transactionHash),\"\(r.token2value.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";"))\",\(r.gasCost),\(r.anomalyScore),\(r.etherscanLink)"
                    }).joined(separator: "\n") + "\n"
                case .table:
                    return Self.table(["transaction", "values", "gas (ETH)", "score", "link"], rows.map { r in
                        [r.transactionHash, r.token2value.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "),
                         "\(r.gasCost)", String(format: "%.4f", r.anomalyScore), r.etherscanLink]
                    })
                }
            }
            let rows = result.flagged
            switch format {
            case .json: return Self.json(rows)
            case .csv:
                return (["transaction_hash,log_index,block_number,token,token_address,value,gas_cost,anomaly_score,etherscan_link"] + rows.map { r in
                    "\(r.transactionHash),\(r.logIndex),\(r.blockNumber),\(Self.csvField(r.token)),\(r.tokenAddress),\(r.valueExact),\(r.gasCostExact),\(r.anomalyScore),\(r.etherscanLink)"
                }).joined(separator: "\n") + "\n"
            case .table:
                return Self.table(["block", "transaction", "token", "value", "gas (ETH)", "score", "link"], rows.map { r in
                    ["\(r.blockNumber)", r.transactionHash, r.token, r.valueExact, r.gasCostExact, String(format: "%.4f", r.anomalyScore), r.etherscanLink]
                })
            }
        }

        static func json<T: Encodable>(_ value: T) -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: (try? encoder.encode(value)) ?? Data("[]".utf8), as: UTF8.self) + "\n"
        }

        static func csvField(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }

        static func table(_ header: [String], _ rows: [[String]]) -> String {
            guard !rows.isEmpty else { return "no anomalous transfers\n" }
            let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
            let line = { (cells: [String]) in
                cells.indices.map { cells[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                    .trimmingCharacters(in: .whitespaces)
            }
            return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
        }
    }
}

/// A one-line progress bar on stderr while blocks load (only when stderr is a terminal).
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private var shown = false

    func show(_ p: LoadProgress) {
        guard Progress.enabled else { return }
        let width = 30
        let fraction = p.total > 0 ? Double(p.done) / Double(p.total) : 1
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let text = "\r\(p.phase.padding(toLength: 8, withPad: " ", startingAt: 0)) \(bar) \(p.done)/\(p.total)\u{1B}[K"
        lock.withLock {
            shown = true
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    func finish() {
        lock.withLock {
            if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            shown = false
        }
    }
}
