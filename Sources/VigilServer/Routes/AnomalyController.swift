import Foundation
import Hummingbird

/// The batch anomaly routes under `/v1/ml/anomaly` (reference §4): each decodes, calls the
/// service once and encodes.
struct AnomalyController<Context: RequestContext> {
    let service: AnomalyService
    let body: JSONBody

    /// Adds the routes to `group`.
    func register(on group: RouterGroup<Context>) {
        group.post("fit") { request, _ in try await service.fit(body.decode(FitRequest.self, from: request)) }
        group.post("score") { request, _ in try await service.score(body.decode(ScoreRequest.self, from: request)) }
        group.post("detect") { request, _ in try await service.detect(body.decode(ScoreRequest.self, from: request)) }
        group.post("save") { request, _ in try await service.save(body.decode(SaveRequest.self, from: request)) }
        group.post("load") { request, _ in try await service.load(body.decode(LoadRequest.self, from: request)) }
        group.get("models") { _, _ in try await service.list() }
        group.delete("models/{filename}") { _, context in
            let raw = context.parameters.get("filename") ?? ""
            return try await service.delete(filename: raw.removingPercentEncoding ?? raw)
        }
        // The router wants one parameter name per position: the model name sits where DELETE's
        // `filename` does.
        group.get("models/{filename}/drift") { _, context in
            let raw = context.parameters.get("filename") ?? ""
            return try await service.drift(model: raw.removingPercentEncoding ?? raw)
        }
        group.get("backends") { _, _ in service.backends() }
    }
}
