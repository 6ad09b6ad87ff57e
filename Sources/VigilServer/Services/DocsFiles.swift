import Foundation
import Hummingbird
import NIOCore

/// The files behind `/openapi.json` and `/docs`: the OpenAPI document and the vendored Swagger UI,
/// read once from the VigilServer target's SwiftPM resources (`Resources/`).
struct DocsFiles: Sendable {
    /// One servable file.
    struct File: Sendable {
        /// The `Content-Type` it is answered with.
        let contentType: String
        /// Its bytes.
        let bytes: ByteBuffer
    }

    /// The OpenAPI document's name.
    static let document = "openapi.json"
    /// The Swagger UI page's name.
    static let page = "index.html"
    /// The names `/docs/{asset}` serves; anything else is a 404.
    static let assets = ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"]

    /// Name → path under `Resources/` and content type, for every file served.
    private static let layout: [String: (path: String, contentType: String)] = [
        document: ("openapi.json", "application/json"),
        page: ("swagger-ui/index.html", "text/html; charset=utf-8"),
        "swagger-ui-bundle.js": ("swagger-ui/swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
        "swagger-ui.css": ("swagger-ui/swagger-ui.css", "text/css; charset=utf-8"),
        "LICENSE": ("swagger-ui/LICENSE", "text/plain; charset=utf-8"),
    ]

    /// The files by name, or the 503 to answer when they could not be read.
    let files: Result<[String: File], ServiceError>

    /// The files of this process's resource bundle, read on first use.
    static let bundled = DocsFiles(directory: resourceDirectory())

    /// Reads every file from `directory` (the `Resources` folder); `nil` or a missing file makes
    /// every docs route answer 503 saying so.
    init(directory: URL?) {
        guard let directory else {
            files = .failure(.unavailable("The API documentation is not installed: the resource bundle "
                                          + "\(Self.bundleNames[0]) was not found beside the executable "
                                          + "(\(Bundle.main.bundleURL.path))"))
            return
        }
        var loaded: [String: File] = [:]
        for (name, entry) in Self.layout.sorted(by: { $0.key < $1.key }) {
            let url = directory.appendingPathComponent(entry.path)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                files = .failure(.unavailable("The API documentation is incomplete: \(url.path) cannot be read"))
                return
            }
            loaded[name] = File(contentType: entry.contentType, bytes: ByteBuffer(bytes: data))
        }
        files = .success(loaded)
    }

    /// The answer for the file `name` (one of ``document``, ``page`` or ``assets``).
    func response(for name: String) throws -> Response {
        guard let file = try files.get()[name] else {
            throw ServiceError.notFound("No documentation file '\(name)'")
        }
        var headers = HTTPFields()
        headers[.contentType] = file.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: file.bytes))
    }

    /// What SwiftPM names the target's resource bundle on Linux and on macOS.
    static let bundleNames = ["Vigil_VigilServer.resources", "Vigil_VigilServer.bundle"]

    /// The `Resources` folder of the target's resource bundle, or `nil` when the bundle is not
    /// installed. `Bundle.module` stops the process when its bundle is missing, so it is asked only
    /// once the bundle is where it looks first: beside the executable (`vigil`, and the test runner
    /// on Linux). Otherwise the bundle is looked for beside the loaded bundles (a macOS `.xctest`).
    static func resourceDirectory() -> URL? {
        let fileManager = FileManager.default
        let besideExecutable = bundleNames.map { Bundle.main.bundleURL.appendingPathComponent($0) }
        if besideExecutable.contains(where: { fileManager.fileExists(atPath: $0.path) }) {
            return Bundle.module.url(forResource: "Resources", withExtension: nil)
        }
        for loaded in Bundle.allBundles {
            for name in bundleNames {
                let url = loaded.bundleURL.deletingLastPathComponent().appendingPathComponent(name)
                if fileManager.fileExists(atPath: url.path), let bundle = Bundle(url: url) {
                    return bundle.url(forResource: "Resources", withExtension: nil)
                }
            }
        }
        return nil
    }
}
