import ArgumentParser
import Foundation
import Logging
import VigilServer

/// `vigil serve`: the LlamaFarm-compatible HTTP service on the model registry.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the anomaly API over HTTP (every option also from its VIGIL_* environment variable)."
    )

    @Option(help: "Address to bind (env VIGIL_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "TCP port (env VIGIL_PORT; default 14345; 0 = any free port).")
    var port: Int?

    @OptionGroup var registry: RegistryOptions

    @Option(help: "Largest request body in bytes; larger ones get 413 (env VIGIL_MAX_BODY_BYTES; default 16777216).")
    var maxBodyBytes: Int?

    @Option(help: "Most rows or stream points one request may carry; more get 413 (env VIGIL_MAX_ROWS; default 100000).")
    var maxRows: Int?

    @Option(help: "trace, debug, info, notice, warning, error or critical (env VIGIL_LOG_LEVEL; default info).")
    var logLevel: String?

    @Option(help: "text or json (env VIGIL_LOG_FORMAT; default text).")
    var logFormat: String?

    @OptionGroup var auth: AuthOptions

    @Flag(help: "Serve without authentication on a non-loopback address (env VIGIL_INSECURE_NO_AUTH=1).")
    var insecureNoAuth = false

    @Option(help: "Requests per second per client, token subject or IP (env VIGIL_RATE_LIMIT; default off).")
    var rateLimit: Double?

    @Option(help: "Requests a client may send at once (env VIGIL_RATE_BURST; default the rate, rounded up).")
    var rateBurst: Int?

    @Option(help: "PEM certificate chain to serve HTTPS with, HTTP/2 and HTTP/1.1 (env VIGIL_TLS_CERT; needs --tls-key).")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert (env VIGIL_TLS_KEY).")
    var tlsKey: String?

    @Option(help: "Seconds a request may take, and a connection may stay silent, before it is answered 503 or closed (env VIGIL_REQUEST_TIMEOUT; default 300; 0 = none).")
    var requestTimeout: Int?

    @Option(help: "Fits that may run at once; more get 429 with Retry-After (env VIGIL_MAX_CONCURRENT_FITS; default the number of cores).")
    var maxConcurrentFits: Int?

    @Option(help: "Scored rows per model the live anomaly rate and drift figures cover (env VIGIL_DRIFT_WINDOW; default 1000).")
    var driftWindow: Int?

    @Option(help: "A model drifts when its live anomaly rate exceeds this multiple of its training rate (env VIGIL_DRIFT_RATE_FACTOR; default 3).")
    var driftRateFactor: Double?

    @Option(help: "A model drifts when any feature's or its score's PSI exceeds this (env VIGIL_DRIFT_PSI; default 0.25).")
    var driftPsi: Double?

    @Option(help: "Rows the drift window must hold before a model can drift (env VIGIL_DRIFT_MIN_ROWS; default 200).")
    var driftMinRows: Int?

    @Flag(help: "Streaming detectors retrain as soon as they drift (env VIGIL_RETRAIN_ON_DRIFT=1).")
    var retrainOnDrift = false

    @Option(help: "on: every flagged row is stored as a finding (GET /v1/findings); off: only Ethereum scans store findings (env VIGIL_FINDINGS; default on).")
    var findings: String?

    /// The configuration from the flags, then the environment, then the defaults (the registry's
    /// location comes from ``RegistryOptions``).
    func resolvedConfiguration(environment env: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerConfiguration {
        func value(_ flag: String?, _ name: String) -> String? {
            flag ?? env[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        var config = ServerConfiguration()
        if let host = value(host, "VIGIL_HOST") { config.host = host }
        if let text = value(port.map(String.init), "VIGIL_PORT") {
            guard let p = Int(text), (0...65535).contains(p) else {
                throw CLIError("port must be an integer in 0...65535, got '\(text)'")
            }
            config.port = p
        }
        func positive(_ flag: Int?, _ name: String, _ what: String) throws -> Int? {
            guard let text = value(flag.map(String.init), name) else { return nil }
            guard let v = Int(text), v > 0 else { throw CLIError("\(what) must be a positive integer, got '\(text)'") }
            return v
        }
        if let bytes = try positive(maxBodyBytes, "VIGIL_MAX_BODY_BYTES", "max body bytes") { config.maxBodyBytes = bytes }
        if let rows = try positive(maxRows, "VIGIL_MAX_ROWS", "max rows") { config.maxRows = rows }
        if let level = value(logLevel, "VIGIL_LOG_LEVEL") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw CLIError("log level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), got '\(level)'")
            }
            config.logLevel = parsed
        }
        if let format = value(logFormat, "VIGIL_LOG_FORMAT") {
            guard let parsed = ServerConfiguration.LogFormat(rawValue: format.lowercased()) else {
                throw CLIError("log format must be text or json, got '\(format)'")
            }
            config.logFormat = parsed
        }
        if let window = try positive(driftWindow, "VIGIL_DRIFT_WINDOW", "drift window") { config.drift.window = window }
        if let rows = try positive(driftMinRows, "VIGIL_DRIFT_MIN_ROWS", "drift min rows") { config.drift.minimumRows = rows }
        func positiveNumber(_ flag: Double?, _ name: String, _ what: String) throws -> Double? {
            guard let text = value(flag.map { String($0) }, name) else { return nil }
            guard let v = Double(text), v > 0, v.isFinite else { throw CLIError("\(what) must be a positive number, got '\(text)'") }
            return v
        }
        if let factor = try positiveNumber(driftRateFactor, "VIGIL_DRIFT_RATE_FACTOR", "drift rate factor") {
            config.drift.anomalyRateFactor = factor
        }
        if let psi = try positiveNumber(driftPsi, "VIGIL_DRIFT_PSI", "drift PSI limit") { config.drift.psiLimit = psi }
        config.drift.retrainStreamsOnDrift = retrainOnDrift
            || ["1", "true", "yes"].contains(env["VIGIL_RETRAIN_ON_DRIFT"]?.lowercased() ?? "")
        config.auth = try auth.settings(environment: env)
        if let text = value(rateLimit.map { String($0) }, "VIGIL_RATE_LIMIT") {
            guard let rate = Double(text), rate > 0, rate.isFinite else {
                throw CLIError("rate limit must be a positive number of requests per second, got '\(text)'")
            }
            config.rateLimit = RateLimitSettings(rate: rate, burst: try positive(rateBurst, "VIGIL_RATE_BURST", "rate burst"))
        }
        switch (value(tlsCert, "VIGIL_TLS_CERT"), value(tlsKey, "VIGIL_TLS_KEY")) {
        case (let cert?, let key?): config.tls = TLSFiles(certificate: cert, key: key)
        case (nil, nil): break
        case (_?, nil): throw CLIError("--tls-cert needs --tls-key (the certificate's private key)")
        case (nil, _?): throw CLIError("--tls-key needs --tls-cert (the certificate chain)")
        }
        if let text = value(requestTimeout.map(String.init), "VIGIL_REQUEST_TIMEOUT") {
            guard let seconds = Int(text), seconds >= 0 else {
                throw CLIError("request timeout must be a whole number of seconds (0 = none), got '\(text)'")
            }
            config.requestTimeout = seconds == 0 ? nil : .seconds(seconds)
        }
        if let fits = try positive(maxConcurrentFits, "VIGIL_MAX_CONCURRENT_FITS", "max concurrent fits") { config.maxConcurrentFits = fits }
        if let text = value(findings, "VIGIL_FINDINGS") {
            switch text.lowercased() {
            case "on", "true", "1": config.findings = true
            case "off", "false", "0": config.findings = false
            default: throw CLIError("findings must be on or off, got '\(text)'")
            }
        }
        if config.auth == nil, !ServerConfiguration.isLoopback(config.host), !insecure(env) {
            throw CLIError("refusing to serve \(config.host) without authentication: set --jwt-secret or --jwks, or pass --insecure-no-auth")
        }
        return config
    }

    /// Whether serving without authentication off loopback was asked for (flag or `VIGIL_INSECURE_NO_AUTH=1`).
    func insecure(_ env: [String: String]) -> Bool {
        insecureNoAuth || ["1", "true", "yes"].contains(env["VIGIL_INSECURE_NO_AUTH"]?.lowercased() ?? "")
    }

    func run() async throws {
        let config = try resolvedConfiguration()
        let level = config.logLevel
        switch config.logFormat {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardOutput(label: label)
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
        let logger = Logger(label: "vigil")
        if config.auth == nil, !ServerConfiguration.isLoopback(config.host) {
            logger.warning("serving \(config.host) WITHOUT authentication (--insecure-no-auth): anyone who can reach it may fit, score and delete")
        }
        try await registry.with { registry in
            try await VigilService.run(config, registry: registry, logger: logger)
        }
    }
}
