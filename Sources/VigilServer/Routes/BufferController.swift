import Foundation
import Hummingbird

/// The feature-buffer routes (reference §6), served under `/v1/ml/polars` and `/v1/ml/features`:
/// each decodes, calls the service once and encodes.
struct BufferController<Context: RequestContext> {
    let service: BufferService
    let body: JSONBody

    /// Adds the routes to `group`.
    func register(on group: RouterGroup<Context>) {
        group.post("buffers") { request, _ in try await service.create(body.decode(CreateBufferRequest.self, from: request)) }
        group.get("buffers") { _, _ in await service.list() }
        group.get("buffers/{id}") { _, context in try await service.stats(Self.id(context)) }
        group.delete("buffers/{id}") { _, context in try await service.delete(Self.id(context)) }
        group.post("buffers/{id}/clear") { _, context in try await service.clear(Self.id(context)) }
        group.get("buffers/{id}/data") { request, context in
            let query = request.uri.queryParameters
            return try await service.data(Self.id(context), tail: query.get("tail", as: Int.self),
                                          withFeatures: query.get("with_features", as: Bool.self) ?? false)
        }
        group.post("append") { request, _ in try await service.append(body.decode(AppendRequest.self, from: request)) }
        group.post("features") { request, _ in try await service.features(body.decode(FeaturesRequest.self, from: request)) }
    }

    private static func id(_ context: Context) -> String {
        let raw = context.parameters.get("id") ?? ""
        return raw.removingPercentEncoding ?? raw
    }
}
