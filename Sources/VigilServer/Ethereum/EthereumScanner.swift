import Foundation
import VigilCore
import VigilEthereum
import VigilFeatures
import VigilStore

/// What one scan found: every transfer with its verdict, the model that judged them and the cost.
public struct ScanResult: Sendable {
    /// One scored transfer.
    public struct Item: Sendable {
        public let transfer: LoadedTransfer
        /// `nil` when the transfer's features could not be computed (its finding is INVALID).
        public let score: Double?
        public let isAnomaly: Bool
        /// Why it has no score.
        public let problem: String?
    }

    /// The blocks scanned, inclusive.
    public let fromBlock: UInt64, toBlock: UInt64
    public let items: [Item]
    /// The model version that scored them (`nil` when there was nothing to score).
    public let modelVersion: String?
    /// The score above which a transfer is flagged.
    public let threshold: Double
    /// Milliseconds spent loading from the node and computing features, and scoring.
    public let featureGenerationMs: Double, modelResponseMs: Double
    /// Requests the node received.
    public let rpc: RPCStatistics
    /// Findings stored.
    public internal(set) var findingsStored = 0
    /// Explorer base URL for links.
    let explorerURL: String

    /// The flagged transfers, highest score first.
    public var flagged: [FlaggedTransfer] {
        items.filter(\.isAnomaly).sorted { ($0.score ?? 0) > ($1.score ?? 0) }.map { item in
            let t = item.transfer
            let cost = t.gasCost ?? TokenAmount(raw: 0, decimals: 18)
            return FlaggedTransfer(
                transactionHash: t.transfer.transactionHash, value: t.amount.doubleValue, token: t.tokenLabel,
                gasCost: cost.doubleValue, anomalyScore: item.score ?? 0,
                etherscanLink: Explorer.link(t.transfer.transactionHash, base: explorerURL),
                valueExact: t.amount.description, gasCostExact: cost.description, tokenAddress: t.transfer.token,
                blockNumber: t.transfer.blockNumber, logIndex: t.transfer.logIndex)
        }
    }

    /// The flagged transactions (their flagged transfers' values summed by token), highest score first.
    public var flaggedTransactions: [FlaggedTransaction] {
        var order = [String](), grouped = [String: [FlaggedTransfer]]()
        for f in flagged {
            if grouped[f.transactionHash] == nil { order.append(f.transactionHash) }
            grouped[f.transactionHash, default: []].append(f)
        }
        return order.map { hash in
            let transfers = grouped[hash] ?? []
            var values = [String: Double]()
            for t in transfers { values[t.token, default: 0] += t.value }
            return FlaggedTransaction(transactionHash: hash, token2value: values, gasCost: transfers.first?.gasCost ?? 0,
                                      anomalyScore: transfers.map(\.anomalyScore).max() ?? 0,
                                      etherscanLink: transfers.first?.etherscanLink ?? "")
        }
    }
}

/// Scans a block range of an Ethereum node for anomalous ERC20 transfers: loads the transfers,
/// fits an Isolation Forest on them (saved as a new `erc20-transfers` version) or scores them with
/// the newest saved one, and stores one finding per transfer. Shared by `POST /anomaly_detection/`
/// and `vigil eth scan`.
public struct EthereumScanner: Sendable {
    /// The registry name of the transfer models.
    public static let modelName = "erc20-transfers"
    /// Alert ids of the findings, as transfer-watching detection bots name them.
    public static let anomalousAlert = "ANOMALOUS-TOKEN-TRANSFERS-TX", normalAlert = "NORMAL-TOKEN-TRANSFERS-TX"
    public static let invalidAlert = "INVALID-TOKEN-TRANSFERS-TX"

    let registry: any ModelRegistry
    let cache: ModelCache
    public let settings: EthereumSettings
    let loader: TransferLoader

    /// A scanner of the node `settings.rpcURL`; throws `ServiceError.unavailable` when none is set.
    public init(registry: any ModelRegistry, settings: EthereumSettings) throws {
        try self.init(registry: registry, cache: ModelCache(), settings: settings)
    }

    init(registry: any ModelRegistry, cache: ModelCache, settings: EthereumSettings) throws {
        guard let url = settings.rpcURL else {
            throw ServiceError.unavailable("No Ethereum node is configured: set VIGIL_ETH_RPC_URL to its JSON-RPC URL (e.g. http://127.0.0.1:8545)")
        }
        let rpc: EthereumRPC
        do {
            rpc = try EthereumRPC(url: url, settings: settings.rpc)
        } catch {
            throw ServiceError.unavailable("\(error)")
        }
        self.registry = registry
        self.cache = cache
        self.settings = settings
        self.loader = TransferLoader(rpc: rpc, chunkBlocks: settings.logChunkBlocks,
                                     receiptBlocksPerRequest: settings.receiptBlocksPerRequest)
    }

    /// Runs `request`; `progress` is told how loading advances.
    public func scan(_ request: ScanRequest, progress: @Sendable (LoadProgress) -> Void = { _ in }) async throws -> ScanResult {
        let contamination = try Self.check(request)
        let pretrained = request.usePreTrainedModel ? try await newestModel() : nil
        let before = loader.rpc.statistics
        let clock = ContinuousClock(), started = clock.now
        let (from, to) = try await node {
            request.timeIntervalInSeconds > 0 ? try await loader.window(seconds: request.timeIntervalInSeconds, maxBlocks: settings.maxBlocks)
                                              : (request.startBlock, request.endBlock)
        }
        guard to - from < settings.maxBlocks else {
            throw ServiceError.badRequest("blocks \(from)–\(to) are \(to - from + 1) blocks; at most \(settings.maxBlocks) are scanned "
                                          + "at once (VIGIL_ETH_MAX_BLOCKS)")
        }
        let transfers = try await node { try await loader.load(from: from, to: to, progress: progress) }
        let rows = TransferFeatures.rows(transfers)
        let valid = rows.indices.filter { if case .success = rows[$0] { return true } else { return false } }
        let values = valid.flatMap { i -> [Double] in if case .success(let row) = rows[i] { return row } else { return [] } }
        let x = try Matrix(rows: valid.count, cols: TransferFeatures.names.count, values: values)
        let featureMs = Self.ms(clock.now - started)

        let scoring = clock.now
        var model = pretrained
        if model == nil, x.rows > 0 { model = try await fit(x, contamination: contamination, from: from, to: to) }
        var scores = [Int: (Double, Bool)]()
        var threshold = 0.5
        if let model, x.rows > 0 {
            let prepared = try model.pipeline.map { try $0.transform(x) } ?? x
            let scored = try await OffLoop.run { try model.model.score(prepared) }
            try scored.requireFinite(includingRaw: false)
            threshold = scored.threshold
            for (k, i) in valid.enumerated() { scores[i] = (scored.scores[k], scored.isAnomaly[k]) }
        }
        let modelMs = Self.ms(clock.now - scoring)
        let items = transfers.indices.map { i -> ScanResult.Item in
            if case .failure(let problem) = rows[i] {
                return ScanResult.Item(transfer: transfers[i], score: nil, isAnomaly: false, problem: problem.reason)
            }
            return ScanResult.Item(transfer: transfers[i], score: scores[i]?.0, isAnomaly: scores[i]?.1 ?? false, problem: nil)
        }
        let after = loader.rpc.statistics
        var result = ScanResult(
            fromBlock: from, toBlock: to, items: items, modelVersion: model?.version.version, threshold: threshold,
            featureGenerationMs: featureMs, modelResponseMs: modelMs,
            rpc: RPCStatistics(httpRequests: after.httpRequests - before.httpRequests, calls: after.calls - before.calls,
                               retries: after.retries - before.retries),
            explorerURL: settings.explorerURL)
        result.findingsStored = try await registry.saveFindings(findings(result)).count
        return result
    }

    /// Checks what needs no node: `contamination` in (0, 0.5] (422), a time interval ≥ 0 and
    /// `start_block` ≤ `end_block` (400). Returns the contamination.
    public static func check(_ request: ScanRequest) throws -> Double {
        let contamination = try AnomalyFields.contamination(request.contamination)
        guard request.timeIntervalInSeconds.isFinite, request.timeIntervalInSeconds >= 0 else {
            throw ServiceError.badRequest("time_interval_in_seconds must be a finite number ≥ 0, got \(request.timeIntervalInSeconds)")
        }
        if request.timeIntervalInSeconds == 0, request.startBlock > request.endBlock {
            throw ServiceError.badRequest("start_block (\(request.startBlock)) must not be after end_block (\(request.endBlock))")
        }
        return contamination
    }

    /// The newest `erc20-transfers` model, 404 when none was saved.
    private func newestModel() async throws -> LoadedModel {
        do {
            let loaded = try await cache.model(Self.modelName, backend: Backend.isolationForest.rawValue, registry: registry)
            guard loaded.model.featureNames == TransferFeatures.names else {
                throw ServiceError.conflict("The saved \(loaded.version.version) has features \(loaded.model.featureNames), "
                                            + "not the transfer features \(TransferFeatures.names): fit a new one with use_pre_trained_model=false")
            }
            return loaded
        } catch RegistryError.notFound {
            throw ServiceError.notFound("No pre-trained model '\(Self.modelName)': scan with use_pre_trained_model=false first, which fits and saves one")
        }
    }

    /// Fits an Isolation Forest (robust-scaled features, the service's seed) and saves it as a new version.
    private func fit(_ x: Matrix, contamination: Double, from: UInt64, to: UInt64) async throws -> LoadedModel {
        let settings = BackendSettings.settings(for: .isolationForest, contamination: contamination)
        let (model, pipeline, new) = try await OffLoop.run { () throws -> (AnomalyModel, FeaturePipeline, NewModelVersion) in
            let pipeline = try FeaturePipeline.fit(x, featureNames: TransferFeatures.names, scaler: .robust)
            let (model, _) = try AnomalyModel.fit(try pipeline.transform(x), featureNames: TransferFeatures.names, settings: settings,
                                                  normalization: .standardization, contamination: contamination, seed: AnomalyService.seed)
            let new = try NewModelVersion(name: Self.modelName, model: model, pipeline: pipeline,
                                          description: "ERC20 transfers of blocks \(from)–\(to) (\(x.rows) transfers)")
            return (model, pipeline, new)
        }
        let saved = try await registry.save(new)
        let loaded = LoadedModel(version: saved, model: model, pipeline: pipeline)
        cache.insert(loaded)
        return loaded
    }

    /// One finding per transfer, in the shape detection bots publish.
    func findings(_ result: ScanResult) throws -> [NewFinding] {
        let version = result.modelVersion ?? "none"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try result.items.map { item in
            let t = item.transfer
            let prediction = item.problem != nil ? "invalid" : item.isAnomaly ? "anomaly" : "normal"
            let metadata = FindingMetadata(
                prediction: prediction, anomalyScore: item.score, anomalyThreshold: result.threshold, modelVersion: version,
                featureGenerationMs: result.featureGenerationMs, modelResponseMs: result.modelResponseMs,
                token: t.tokenLabel, tokenAddress: t.transfer.token, value: t.amount.description,
                gasCost: t.gasCost?.description, from: t.transfer.from, to: t.transfer.to, blockNumber: t.transfer.blockNumber,
                blockTime: t.timestamp.map { Self.iso(Date(timeIntervalSince1970: Double($0))) },
                logIndex: t.transfer.logIndex, etherscanLink: Explorer.link(t.transfer.transactionHash, base: result.explorerURL),
                problem: item.problem)
            let text = String(decoding: try encoder.encode(metadata), as: UTF8.self)
            let (alert, severity, name, description): (String, FindingSeverity, String, String)
            switch prediction {
            case "anomaly":
                (alert, severity, name, description) = (Self.anomalousAlert, .critical, "Anomalous ERC20 transfer",
                    "\(t.amount) \(t.tokenLabel) from \(t.transfer.from) to \(t.transfer.to) scored \(item.score ?? 0), above \(result.threshold)")
            case "normal":
                (alert, severity, name, description) = (Self.normalAlert, .info, "Normal ERC20 transfer",
                    "\(t.amount) \(t.tokenLabel) from \(t.transfer.from) to \(t.transfer.to) scored \(item.score ?? 0)")
            default:
                (alert, severity, name, description) = (Self.invalidAlert, .low, "ERC20 transfer not scored",
                    "\(t.amount) \(t.tokenLabel) from \(t.transfer.from): \(item.problem ?? "features unavailable")")
            }
            return NewFinding(alertID: alert, severity: severity, name: name, description: description, modelName: Self.modelName,
                              modelVersion: version, score: item.score ?? 0, threshold: result.threshold, metadata: text,
                              transactionHash: t.transfer.transactionHash)
        }
    }

    /// Runs a node call, answering its failure as 502 Bad Gateway-like `unavailable` with the reason.
    private func node<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as EthereumError {
            if case .invalidInput(let message) = error { throw ServiceError.badRequest(message) }
            throw ServiceError.unavailable("Ethereum node \(settings.rpcURL ?? ""): \(error)")
        }
    }

    private static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    private static func ms(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }
}

/// The `metadata` of a transfer finding.
struct FindingMetadata: Encodable {
    let prediction: String
    let anomalyScore: Double?
    let anomalyThreshold: Double
    let modelVersion: String
    let featureGenerationMs: Double, modelResponseMs: Double
    let token: String, tokenAddress: String, value: String, gasCost: String?
    let from: String, to: String
    let blockNumber: UInt64
    /// The block's time (UTC, ISO 8601), when the node gave it.
    let blockTime: String?
    let logIndex: UInt64
    let etherscanLink: String
    let problem: String?

    enum CodingKeys: String, CodingKey {
        case prediction, anomalyScore = "anomaly_score", anomalyThreshold = "anomaly_threshold", modelVersion = "model_version"
        case featureGenerationMs = "feature_generation_ms", modelResponseMs = "model_response_ms", token
        case tokenAddress = "token_address", value, gasCost = "gas_cost", from, to, blockNumber = "block_number", blockTime = "block_time"
        case logIndex = "log_index", etherscanLink = "etherscan_link", problem
    }
}
