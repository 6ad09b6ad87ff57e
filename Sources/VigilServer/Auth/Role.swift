import HTTPTypes

/// What a token may do; each role includes the ones below it.
public enum Role: String, Sendable, CaseIterable, Comparable {
    /// Every GET route and `/metrics`.
    case viewer
    /// Viewer, plus scoring: score, detect, stream points, buffer append/features, `/predict_*`, `/anomaly_detection/`.
    case scorer
    /// Everything: fit, save, load, deletes, buffer and stream management.
    case admin

    /// Ordered viewer < scorer < admin.
    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Routes anyone may call: probes and the API documents.
    static let openRoutes: Set<String> = ["/healthz", "/readyz", "/openapi.json", "/docs", "/docs/{asset}"]

    /// POST routes a scorer may call (route templates as Hummingbird matched them).
    static let scoringRoutes: Set<String> = [
        "/v1/ml/anomaly/score", "/v1/ml/anomaly/detect", "/v1/ml/anomaly/stream",
        "/v1/ml/polars/append", "/v1/ml/polars/features", "/v1/ml/features/append", "/v1/ml/features/features",
        "/anomaly_detection", "/anomaly_detection/",
    ]

    /// The least role `method` on the matched `route` template needs; `nil` when it is open.
    static func required(method: HTTPRequest.Method, route: String) -> Role? {
        if openRoutes.contains(route) { return nil }
        if method == .get || method == .head { return .viewer }
        if method == .post, scoringRoutes.contains(route) || route.hasPrefix("/predict_") { return .scorer }
        return .admin
    }
}
