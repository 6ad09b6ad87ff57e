import Hummingbird

/// `GET /metrics`: every metric in Prometheus' text format, for a scraper.
struct MetricsController<Context: RequestContext> {
    /// The application's metrics.
    let metrics: ServiceMetrics

    /// Adds the route to `router`.
    func register(on router: Router<Context>) {
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: metrics.exposition()))
        }
    }
}
