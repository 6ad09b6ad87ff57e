import Hummingbird
import HummingbirdCore
import NIOCore
import Logging
import ServiceLifecycle
import VigilStore

/// The parts the routes are served by.
public struct ServerDependencies: Sendable {
    /// Where model versions are stored.
    public var registry: any ModelRegistry
    /// How `saved_path`/`path` fields name the store, e.g. the SQLite file's path.
    public var storeLocation: String
    /// Decoded models shared by every request, invalidated by registry changes.
    let cache = ModelCache()
    /// What `GET /metrics` exports: counts of requests, scores, retrains and registry failures.
    public let metrics: ServiceMetrics
    /// Streaming detectors by id.
    let streams: StreamService
    /// How often changed streaming detectors are checkpointed.
    var checkpointInterval: Duration = .seconds(2)
    /// The gate fits pass; `nil` makes one of the configuration's `maxConcurrentFits`.
    var fitGate: FitGate?
    /// The audit trail: a finding for every flagged row.
    let findings: FindingsRecorder
    /// How often queued findings are stored.
    var findingsInterval: Duration = .milliseconds(500)

    /// Dependencies from their parts; models are watched for drift under `drift`; with
    /// `findings`, every flagged row is stored as a finding.
    public init(registry: any ModelRegistry, storeLocation: String, drift: DriftSettings = DriftSettings(), findings: Bool = true) {
        self.init(registry: registry, storeLocation: storeLocation, streamTrainer: StreamService.standardTrainer, drift: drift,
                  findings: findings)
    }

    /// Dependencies whose streaming detectors fit with `streamTrainer` and check their ownership
    /// every `streamOwnershipCheck`.
    init(registry: any ModelRegistry, storeLocation: String, streamTrainer: @escaping StreamTrainer,
         drift: DriftSettings = DriftSettings(), streamOwnershipCheck: Duration = .seconds(1), findings: Bool = true) {
        let metrics = ServiceMetrics(drift: drift)
        self.registry = registry
        self.storeLocation = storeLocation
        self.metrics = metrics
        let recorder = FindingsRecorder(registry: registry, metrics: metrics, enabled: findings)
        self.findings = recorder
        self.streams = StreamService(registry: registry, trainer: streamTrainer, scoreMetrics: metrics.scores, drift: metrics.drift,
                                     findings: recorder, ownershipCheck: streamOwnershipCheck)
    }

    /// The background services: the registry watch that keeps the model cache in step, the
    /// stream checkpointer, and the writer of findings.
    public var backgroundServices: [any Service] {
        [RegistryWatch(registry: registry, cache: cache), StreamCheckpointer(streams: streams, interval: checkpointInterval),
         FindingsWriter(recorder: findings, interval: findingsInterval)]
    }
}

/// The router with every route of the service: one group per controller, errors answered as
/// `{"detail": ...}`.
public func buildRouter(_ configuration: ServerConfiguration, dependencies: ServerDependencies) -> Router<VigilRequestContext> {
    let router = Router(context: VigilRequestContext.self)
    let metrics = dependencies.metrics
    router.add(middleware: RequestTelemetryMiddleware(metrics: metrics))  // request id; one line per request at debug
    let allowed = AllowedMethods()
    router.add(middleware: ErrorMiddleware(metrics: metrics, allowed: allowed))
    // Router middleware runs after route matching, so these decide by the matched route template.
    if let auth = configuration.auth { router.add(middleware: AuthMiddleware(verifier: TokenVerifier(settings: auth))) }
    if let limit = configuration.rateLimit { router.add(middleware: RateLimitMiddleware(buckets: TokenBuckets(settings: limit))) }
    if let timeout = configuration.requestTimeout { router.add(middleware: RequestTimeoutMiddleware(timeout: timeout)) }
    let registry = dependencies.registry
    HealthController(ping: {
        do {
            try await registry.ping()
        } catch {
            metrics.recordRegistryError(operation: "/readyz")
            throw error
        }
    }).register(on: router)
    MetricsController(metrics: metrics).register(on: router)
    DocsController(files: .bundled).register(on: router)
    let anomaly = AnomalyService(registry: registry, cache: dependencies.cache, storeLocation: dependencies.storeLocation,
                                 maxRows: configuration.maxRows, scoreMetrics: metrics.scores, drift: metrics.drift,
                                 findings: dependencies.findings,
                                 fitGate: dependencies.fitGate ?? FitGate(limit: configuration.maxConcurrentFits))
    AnomalyController(service: anomaly, body: JSONBody(maxBytes: configuration.maxBodyBytes))
        .register(on: router.group("v1/ml/anomaly"))
    PredictController(service: PredictService(registry: registry, cache: dependencies.cache, scoreMetrics: metrics.scores,
                                                     drift: metrics.drift, findings: dependencies.findings),
                      body: JSONBody(maxBytes: configuration.maxBodyBytes))
        .register(on: router)
    StreamController(service: dependencies.streams, body: JSONBody(maxBytes: configuration.maxBodyBytes),
                     maxRows: configuration.maxRows)
        .register(on: router.group("v1/ml/anomaly"))
    let scanner = Result { try EthereumScanner(registry: registry, cache: dependencies.cache, settings: configuration.ethereum) }
        .mapError { $0 as? ServiceError ?? .unavailable("\($0)") }
    EthereumController(scanner: scanner, registry: registry, findings: dependencies.findings, body: JSONBody(maxBytes: configuration.maxBodyBytes))
        .register(on: router)
    let buffers = BufferService()
    for prefix: RouterPath in ["v1/ml/polars", "v1/ml/features"] {
        BufferController(service: buffers, body: JSONBody(maxBytes: configuration.maxBodyBytes))
            .register(on: router.group(prefix))
    }
    allowed.record(router.routes.map { (template: $0.path.description, method: $0.method) })
    return router
}

/// The whole service: router, HTTP server on `host:port`, and the registry watch beside it in
/// one `ServiceGroup` (graceful shutdown on SIGTERM/SIGINT via `runService()`).
/// `onListening` is told the bound address once the server accepts connections. `server` is
/// plain HTTP/1.1 unless given (``httpsServer(_:idleTimeout:)`` for TLS).
public func buildApplication(_ configuration: ServerConfiguration, dependencies: ServerDependencies, logger: Logger,
                             server: HTTPServerBuilder? = nil,
                             onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }) -> some ApplicationProtocol {
    Application(
        router: buildRouter(configuration, dependencies: dependencies),
        server: server ?? .http1(configuration: .init(idleTimeout: configuration.requestTimeout.map { TimeAmount($0) })),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "vigil"),
        services: dependencies.backgroundServices,
        onServerRunning: { channel in
            let address = channel.localAddress
            await onListening(address?.ipAddress ?? configuration.host, address?.port ?? configuration.port)
        },
        logger: logger
    )
}

/// Drops cached models when the registry changes (this process's writes or another's).
struct RegistryWatch: Service {
    let registry: any ModelRegistry
    let cache: ModelCache

    func run() async throws {
        for await change in registry.changes().cancelOnGracefulShutdown() {
            cache.invalidate(change)
        }
    }
}
