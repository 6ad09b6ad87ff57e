import Foundation
import Hummingbird

/// The streaming routes under `/v1/ml/anomaly` (reference §5): each decodes, calls the service
/// once and encodes. `stream/detectors` is declared before `stream/{model_id}`, so that id is reserved.
struct StreamController<Context: RequestContext> {
    let service: StreamService
    let body: JSONBody
    let maxRows: Int

    /// Adds the routes to `group`.
    func register(on group: RouterGroup<Context>) {
        group.post("stream") { request, _ in
            try await service.stream(body.decode(StreamRequest.self, from: request), maxRows: maxRows)
        }
        group.get("stream/detectors") { _, _ in await service.list() }
        group.get("stream/{model_id}") { _, context in try await service.stats(Self.id(context)) }
        group.delete("stream/{model_id}") { _, context in try await service.delete(Self.id(context)) }
        group.post("stream/{model_id}/reset") { _, context in try await service.reset(Self.id(context)) }
    }

    private static func id(_ context: Context) -> String {
        let raw = context.parameters.get("model_id") ?? ""
        return raw.removingPercentEncoding ?? raw
    }
}
