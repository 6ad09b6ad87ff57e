import Hummingbird

/// `GET /openapi.json` (the OpenAPI 3.1 document of every route), `GET /docs` (Swagger UI showing
/// it) and `GET /docs/{asset}` (the Swagger UI files the page loads; any other name is a 404).
/// Every route answers 503 when the resource bundle is not installed.
struct DocsController<Context: RequestContext> {
    /// The files served.
    let files: DocsFiles

    /// Adds the routes to `router`.
    func register(on router: Router<Context>) {
        router.get("openapi.json") { _, _ in try files.response(for: DocsFiles.document) }
        router.get("docs") { _, _ in try files.response(for: DocsFiles.page) }
        router.get("docs/{asset}") { _, context in
            let asset = context.parameters.get("asset") ?? ""
            guard DocsFiles.assets.contains(asset) else {
                throw ServiceError.notFound("No documentation file '\(asset)': /docs serves "
                                            + DocsFiles.assets.joined(separator: ", "))
            }
            return try files.response(for: asset)
        }
    }
}
