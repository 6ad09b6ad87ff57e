import ServiceLifecycle

/// Runs beside the HTTP server: resumes checkpointed streaming detectors at start, writes the
/// checkpoints of changed detectors every `interval`, and on graceful shutdown lets retrains
/// finish and writes the last ones.
struct StreamCheckpointer: Service {
    let streams: StreamService
    let interval: Duration

    func run() async throws {
        await streams.resume()
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            await streams.checkpointChanged()
        }
        await streams.shutdown()
    }
}
