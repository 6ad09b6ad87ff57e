import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import XCTest
@testable import VigilServer

/// Bearer tokens and roles on every route, open routes, JWKS keys, and the rate limit.
final class AuthTests: XCTestCase {
    /// The secret the service is configured with.
    static let secret = String(repeating: "s3cret-", count: 6)
    /// The audience the service requires.
    static let audience = "vigil-test"

    /// One route: how it is called, the template it is registered as, and the least role it needs
    /// (`nil`: open to anyone).
    struct Route {
        let method: HTTPRequest.Method
        let template: String
        let path: String
        let role: Role?
    }

    /// Every route of the service.
    static let routes: [Route] = {
        var routes: [Route] = [
            Route(method: .get, template: "/healthz", path: "/healthz", role: nil),
            Route(method: .get, template: "/readyz", path: "/readyz", role: nil),
            Route(method: .get, template: "/openapi.json", path: "/openapi.json", role: nil),
            Route(method: .get, template: "/docs", path: "/docs", role: nil),
            Route(method: .get, template: "/docs/{}", path: "/docs/swagger-ui.css", role: nil),
            Route(method: .get, template: "/metrics", path: "/metrics", role: .viewer),
            Route(method: .post, template: "/v1/ml/anomaly/fit", path: "/v1/ml/anomaly/fit", role: .admin),
            Route(method: .post, template: "/v1/ml/anomaly/score", path: "/v1/ml/anomaly/score", role: .scorer),
            Route(method: .post, template: "/v1/ml/anomaly/detect", path: "/v1/ml/anomaly/detect", role: .scorer),
            Route(method: .post, template: "/v1/ml/anomaly/save", path: "/v1/ml/anomaly/save", role: .admin),
            Route(method: .post, template: "/v1/ml/anomaly/load", path: "/v1/ml/anomaly/load", role: .admin),
            Route(method: .get, template: "/v1/ml/anomaly/models", path: "/v1/ml/anomaly/models", role: .viewer),
            Route(method: .delete, template: "/v1/ml/anomaly/models/{}", path: "/v1/ml/anomaly/models/x_ecod.vigil", role: .admin),
            Route(method: .get, template: "/v1/ml/anomaly/models/{}/drift", path: "/v1/ml/anomaly/models/m1/drift", role: .viewer),
            Route(method: .get, template: "/v1/ml/anomaly/backends", path: "/v1/ml/anomaly/backends", role: .viewer),
            Route(method: .post, template: "/v1/ml/anomaly/stream", path: "/v1/ml/anomaly/stream", role: .scorer),
            Route(method: .get, template: "/v1/ml/anomaly/stream/detectors", path: "/v1/ml/anomaly/stream/detectors", role: .viewer),
            Route(method: .get, template: "/v1/ml/anomaly/stream/{}", path: "/v1/ml/anomaly/stream/s1", role: .viewer),
            Route(method: .delete, template: "/v1/ml/anomaly/stream/{}", path: "/v1/ml/anomaly/stream/s1", role: .admin),
            Route(method: .post, template: "/v1/ml/anomaly/stream/{}/reset", path: "/v1/ml/anomaly/stream/s1/reset", role: .admin),
            Route(method: .post, template: "/predict_isolation_forest", path: "/predict_isolation_forest", role: .scorer),
            Route(method: .post, template: "/predict_autoencoder", path: "/predict_autoencoder", role: .scorer),
            Route(method: .post, template: "/anomaly_detection/", path: "/anomaly_detection/", role: .scorer),
            Route(method: .get, template: "/v1/findings", path: "/v1/findings", role: .viewer),
        ]
        for prefix in ["/v1/ml/polars", "/v1/ml/features"] {
            routes += [
                Route(method: .post, template: "\(prefix)/buffers", path: "\(prefix)/buffers", role: .admin),
                Route(method: .get, template: "\(prefix)/buffers", path: "\(prefix)/buffers", role: .viewer),
                Route(method: .get, template: "\(prefix)/buffers/{}", path: "\(prefix)/buffers/b1", role: .viewer),
                Route(method: .delete, template: "\(prefix)/buffers/{}", path: "\(prefix)/buffers/b1", role: .admin),
                Route(method: .post, template: "\(prefix)/buffers/{}/clear", path: "\(prefix)/buffers/b1/clear", role: .admin),
                Route(method: .get, template: "\(prefix)/buffers/{}/data", path: "\(prefix)/buffers/b1/data", role: .viewer),
                Route(method: .post, template: "\(prefix)/append", path: "\(prefix)/append", role: .scorer),
                Route(method: .post, template: "\(prefix)/features", path: "\(prefix)/features", role: .scorer),
            ]
        }
        return routes
    }()

    /// The service with HS256 auth (audience required).
    func authService() -> TestService {
        var service = TestService()
        service.configuration.auth = AuthSettings(secret: Self.secret, audience: Self.audience)
        return service
    }

    /// A token with `claims`, signed HS256 with `secret`.
    static func sign(_ claims: TokenClaims, secret: String = AuthTests.secret) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await keys.sign(claims)
    }

    /// Claims for `roles`, expiring `expiresIn` seconds from now, for `audience`.
    static func claims(_ roles: [String], expiresIn: TimeInterval = 600, audience: String = AuthTests.audience) -> TokenClaims {
        TokenClaims(expires: Date().addingTimeInterval(expiresIn), strings: ["sub": "tester", "aud": audience], lists: ["roles": roles])
    }

    /// base64url without padding.
    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// An unsigned `alg: none` token carrying admin.
    static func unsignedToken() throws -> String {
        let header = base64URL(Data(#"{"alg":"none","typ":"JWT"}"#.utf8))
        let body = base64URL(try JSONEncoder().encode(claims(["admin"])))
        return "\(header).\(body)."
    }

    /// The route table covers exactly the documented routes (`/openapi.json` lists every route).
    func testRouteTableCoversEveryDocumentedRoute() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/VigilServer/Resources/openapi.json")
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let paths = try XCTUnwrap(document["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, operations) in paths {
            let template = path.replacing(/\{[^}]*\}/, with: "{}")
            for method in operations.keys where ["get", "post", "delete", "put", "patch"].contains(method) {
                documented.insert("\(method.uppercased()) \(template)")
            }
        }
        XCTAssertEqual(Set(Self.routes.map { "\($0.method.rawValue) \($0.template)" }), documented)
        XCTAssertEqual(Self.routes.count, documented.count)
    }

    /// The role each operation documents (`x-vigil-role`, none for open routes) is the one the
    /// middleware enforces.
    func testDocumentedRolesAreTheEnforcedOnes() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/VigilServer/Resources/openapi.json")
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let paths = try XCTUnwrap(document["paths"] as? [String: [String: [String: Any]]])
        var checked = 0
        for (path, operations) in paths {
            for (method, operation) in operations {
                let enforced = Role.required(method: HTTPRequest.Method(rawValue: method.uppercased())!, route: path)
                XCTAssertEqual(operation["x-vigil-role"] as? String, enforced?.rawValue, "\(method) \(path)")
                let security = try XCTUnwrap(operation["security"] as? [[String: Any]], "\(method) \(path)")
                XCTAssertEqual(security.isEmpty, enforced == nil, "\(method) \(path)")
                if enforced != nil {
                    let responses = try XCTUnwrap(operation["responses"] as? [String: Any])
                    XCTAssertNotNil(responses["401"], "\(method) \(path)")
                    XCTAssertNotNil(responses["403"], "\(method) \(path)")
                }
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 30)
    }

    /// Every route × {no token, expired, wrong signature, alg none, wrong audience, viewer, scorer,
    /// admin}: 401, 403 or served as the route's role says; open routes are always served.
    func testEveryRouteEveryTokenKind() async throws {
        let tokens: [(String, String?, Role?)] = [
            ("none", nil, nil),
            ("expired", try await Self.sign(Self.claims(["admin"], expiresIn: -60)), nil),
            ("wrong signature", try await Self.sign(Self.claims(["admin"]), secret: String(repeating: "x", count: 40)), nil),
            ("alg none", try Self.unsignedToken(), nil),
            ("wrong audience", try await Self.sign(Self.claims(["admin"], audience: "someone-else")), nil),
            ("viewer", try await Self.sign(Self.claims(["viewer"])), .viewer),
            ("scorer", try await Self.sign(Self.claims(["scorer"])), .scorer),
            ("admin", try await Self.sign(Self.claims(["admin"])), .admin),
        ]
        try await authService().run { client in
            for route in Self.routes {
                for (kind, token, held) in tokens {
                    var headers = HTTPFields()
                    if let token { headers[.authorization] = "Bearer \(token)" }
                    let reply = try await client.call(route.method, route.path, route.method == .post ? [String: Any]() : nil, headers: headers)
                    let label = "\(route.method) \(route.path) with \(kind): \(reply.status) \(reply.text.prefix(200))"
                    guard let needed = route.role else {
                        XCTAssertFalse([401, 403].contains(reply.status.code), label)
                        continue
                    }
                    if let held {
                        if held >= needed {
                            XCTAssertFalse([401, 403].contains(reply.status.code), label)
                        } else {
                            XCTAssertEqual(reply.status, .forbidden, label)
                            XCTAssertTrue(reply.detail?.contains("'\(needed.rawValue)'") ?? false, label)
                        }
                    } else {
                        XCTAssertEqual(reply.status, .unauthorized, label)
                        XCTAssertNotNil(reply.detail, label)
                        XCTAssertEqual(reply.headers[.wwwAuthenticate], token == nil ? "Bearer" : "Bearer error=\"invalid_token\"", label)
                    }
                }
            }
        }
    }

    /// A request matching no route is 404 with or without a token.
    func testUnknownRouteIsNotFound() async throws {
        try await authService().run { client in
            let reply = try await client.call(.get, "/v1/ml/nothing-here")
            XCTAssertEqual(reply.status, .notFound)
        }
    }

    /// Roles from a string claim with another name; a token with no known role is 403.
    func testRolesClaimNameAndStringValue() async throws {
        var service = authService()
        service.configuration.auth?.rolesClaim = "vigil_role"
        let string = TokenClaims(expires: Date().addingTimeInterval(60), strings: ["aud": Self.audience, "vigil_role": "viewer"])
        let unknown = TokenClaims(expires: Date().addingTimeInterval(60), strings: ["aud": Self.audience], lists: ["roles": ["admin"]])
        let good = try await Self.sign(string), bad = try await Self.sign(unknown)
        try await service.run { client in
            let ok = try await client.call(.get, "/v1/ml/anomaly/backends", headers: [.authorization: "Bearer \(good)"])
            XCTAssertEqual(ok.status, .ok)
            let refused = try await client.call(.get, "/v1/ml/anomaly/backends", headers: [.authorization: "Bearer \(bad)"])
            XCTAssertEqual(refused.status, .forbidden)
        }
    }

    /// An ES256 key from a JWKS verifies tokens signed with it; HS256 tokens are then refused.
    func testJWKSWithES256Key() async throws {
        let key = ES256PrivateKey()
        let parameters = try XCTUnwrap(key.publicKey.parameters)
        let jwks = #"{"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","kid":"k1","x":"\#(parameters.x)","y":"\#(parameters.y)"}]}"#
        var service = TestService()
        service.configuration.auth = AuthSettings(jwks: jwks, issuer: "issuer-1")
        let signer = JWTKeyCollection()
        await signer.add(ecdsa: key, kid: "k1")
        var claims = TokenClaims(expires: Date().addingTimeInterval(60), strings: ["iss": "issuer-1"], lists: ["roles": ["scorer"]])
        let scorer = try await signer.sign(claims, kid: "k1")
        claims.strings["iss"] = "issuer-2"
        let otherIssuer = try await signer.sign(claims, kid: "k1")
        let hmac = try await Self.sign(Self.claims(["admin"]))
        try await service.run { client in
            let scored = try await client.call(.post, "/v1/ml/anomaly/score", ["model": "m", "data": [[1.0]]],
                                               headers: [.authorization: "Bearer \(scorer)"])
            XCTAssertEqual(scored.status, .badRequest, scored.text)  // served: the model is unknown
            let fit = try await client.call(.post, "/v1/ml/anomaly/fit", [String: Any](), headers: [.authorization: "Bearer \(scorer)"])
            XCTAssertEqual(fit.status, .forbidden)
            for token in [otherIssuer, hmac] {
                let refused = try await client.call(.get, "/metrics", headers: [.authorization: "Bearer \(token)"])
                XCTAssertEqual(refused.status, .unauthorized, refused.text)
            }
        }
    }

    /// A token minted like `vigil token` verifies and carries its role.
    func testMintedTokenVerifies() async throws {
        let settings = AuthSettings(secret: Self.secret, audience: Self.audience)
        let token = try await TokenVerifier.mint(settings: settings, role: .scorer, lifetime: 3600, subject: "ci")
        let identity = try await TokenVerifier(settings: settings).verify(token)
        XCTAssertEqual(identity, TokenIdentity(subject: "ci", roles: [.scorer]))
    }

    /// After the burst a client gets 429 with `Retry-After`; the probes are never limited.
    func testRateLimitAfterBurst() async throws {
        var service = TestService()
        service.configuration.rateLimit = RateLimitSettings(rate: 0.5, burst: 3)
        try await service.run { client in
            for _ in 0..<3 {
                let reply = try await client.call(.get, "/v1/ml/anomaly/backends")
                XCTAssertEqual(reply.status, .ok)
            }
            let limited = try await client.call(.get, "/v1/ml/anomaly/backends")
            XCTAssertEqual(limited.status, .tooManyRequests)
            XCTAssertEqual(limited.headers[.retryAfter], "2")
            XCTAssertNotNil(limited.detail)
            for _ in 0..<5 {
                let health = try await client.call(.get, "/healthz")
                XCTAssertEqual(health.status, .ok)
            }
        }
    }
}
