import Foundation
import HTTPTypes

/// The methods each route template is served with, taken from the router once its routes are
/// added, so that a request whose path exists but whose method does not is answered 405 with
/// `Allow` (as FastAPI does) rather than 404.
final class AllowedMethods: @unchecked Sendable {
    private let lock = NSLock()
    /// Each route as its path segments (`nil` for a `{capture}`) and methods.
    private var table = [(segments: [Substring?], methods: Set<HTTPRequest.Method>)]()

    /// Records the routes, given as (template, method) pairs, e.g. ("/v1/ml/anomaly/stream/{model_id}", .get).
    func record(_ routes: [(template: String, method: HTTPRequest.Method)]) {
        var byTemplate = [String: Set<HTTPRequest.Method>]()
        for route in routes { byTemplate[route.template, default: []].insert(route.method) }
        let made = byTemplate.map { template, methods in
            (segments: Self.segments(of: template).map { s -> Substring? in
                (s.hasPrefix("{") && s.hasSuffix("}")) || s.hasPrefix(":") ? nil : s
            }, methods: methods)
        }
        lock.withLock { table = made }
    }

    /// The methods `path` is served with, sorted; empty when no route has that path.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let wanted = Self.segments(of: path)
        let found = lock.withLock {
            table.filter { route in
                route.segments.count == wanted.count && zip(route.segments, wanted).allSatisfy { $0 == nil || $0 == $1 }
            }.reduce(into: Set<HTTPRequest.Method>()) { $0.formUnion($1.methods) }
        }
        return found.sorted { $0.rawValue < $1.rawValue }
    }

    private static func segments(of path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }
}
