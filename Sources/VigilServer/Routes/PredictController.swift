import Hummingbird
import VigilFeatures

/// `POST /predict_isolation_forest` and `POST /predict_autoencoder` (the seeds' shapes): one
/// JSON object of features, `?model=` to pick a version.
struct PredictController<Context: RequestContext> {
    let service: PredictService
    let body: JSONBody

    /// Adds the routes to `router`.
    func register(on router: Router<Context>) {
        for backend in ["isolation_forest", "autoencoder"] {
            router.post("predict_\(backend)") { request, _ in
                try await service.predict(backend: backend, record: body.decode(Record.self, from: request),
                                          model: request.uri.queryParameters.get("model"))
            }
        }
    }
}
