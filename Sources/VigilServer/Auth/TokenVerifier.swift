import Foundation
import JWTKit

/// Who a verified token speaks for.
struct TokenIdentity: Sendable, Equatable {
    /// `sub`, when the token has one.
    let subject: String?
    /// The roles claim's values that name a ``Role``.
    let roles: Set<Role>

    /// The strongest role held, if any.
    var highest: Role? { roles.max() }
}

/// Checks bearer tokens against ``AuthSettings``: algorithm (only those configured; never
/// `none`), signature, `exp`, `nbf`, and `iss`/`aud` when set. Keys are loaded once.
public actor TokenVerifier {
    /// What tokens are checked against.
    let settings: AuthSettings
    /// The keys, loaded on first use.
    private var keys: JWTKeyCollection?
    /// The `alg` header values accepted.
    private var algorithms: Set<String> = []

    /// A verifier for `settings`; call ``prepare()`` to load the keys and see errors early.
    public init(settings: AuthSettings) {
        self.settings = settings
    }

    /// Loads the secret and the JWKS; throws a one-line reason when they are unusable.
    public func prepare() async throws {
        if keys != nil { return }
        let collection = JWTKeyCollection()
        var accepted = Set<String>()
        if let secret = settings.secret {
            try AuthSettings.validate(secret: secret)
            await collection.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
            accepted.insert("HS256")
        }
        if let json = settings.jwks {
            let set: JWKS
            do {
                set = try JSONDecoder().decode(JWKS.self, from: Data(json.utf8))
            } catch {
                throw AuthConfigurationError("JWKS is not a valid key set: \(error)")
            }
            for key in set.keys {
                let alg = key.algorithm?.rawValue ?? (key.keyType == .ecdsa ? "ES256" : key.keyType == .rsa ? "RS256" : "")
                guard alg == "RS256" || alg == "ES256" else {
                    throw AuthConfigurationError("JWKS keys must be RS256 or ES256, got '\(alg.isEmpty ? "unknown" : alg)'")
                }
                do {
                    try await collection.add(jwk: key)
                } catch {
                    throw AuthConfigurationError("JWKS key \(key.keyIdentifier?.string ?? "without kid") is unusable: \(error)")
                }
                accepted.insert(alg)
            }
        }
        guard !accepted.isEmpty else { throw AuthConfigurationError("authentication needs a JWT secret or a JWKS with keys") }
        keys = collection
        algorithms = accepted
    }

    /// The identity `token` carries, or why it is refused.
    func verify(_ token: String) async throws(AuthFailure) -> TokenIdentity {
        do {
            try await prepare()
        } catch {
            throw .invalid("authentication is misconfigured")
        }
        guard let keys else { throw .invalid("authentication is misconfigured") }
        let alg = Self.algorithm(of: token)
        guard let alg, algorithms.contains(alg) else {
            throw .invalid("token algorithm '\(alg ?? "unreadable")' is not accepted")
        }
        let claims: TokenClaims
        do {
            claims = try await keys.verify(token, as: TokenClaims.self, iteratingKeys: true)
        } catch let failure as AuthFailure {
            throw failure
        } catch {
            throw .invalid("token signature or format is invalid")
        }
        if let issuer = settings.issuer, claims.strings["iss"] != issuer {
            throw .invalid("token issuer is not '\(issuer)'")
        }
        if let audience = settings.audience, !claims.values("aud").contains(audience) {
            throw .invalid("token audience does not include '\(audience)'")
        }
        return TokenIdentity(subject: claims.strings["sub"], roles: Set(claims.values(settings.rolesClaim).compactMap(Role.init(rawValue:))))
    }

    /// The `alg` of a compact JWS's header, or `nil` when the header is unreadable.
    static func algorithm(of token: String) -> String? {
        guard let first = token.split(separator: ".", omittingEmptySubsequences: false).first else { return nil }
        var text = first.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text),
              let header = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return header["alg"] as? String
    }

    /// An HS256 token for `role`, valid for `lifetime` seconds from now, with `subject` as `sub`
    /// and the issuer and audience of `settings` when set.
    public static func mint(settings: AuthSettings, role: Role, lifetime: TimeInterval, subject: String?) async throws -> String {
        guard let secret = settings.secret else { throw AuthConfigurationError("minting a token needs a JWT secret") }
        try AuthSettings.validate(secret: secret)
        let now = Date()
        var claims = TokenClaims(expires: now.addingTimeInterval(lifetime), issuedAt: now, lists: [settings.rolesClaim: [role.rawValue]])
        if let subject { claims.strings["sub"] = subject }
        if let issuer = settings.issuer { claims.strings["iss"] = issuer }
        if let audience = settings.audience { claims.strings["aud"] = audience }
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await keys.sign(claims)
    }
}

/// Unusable authentication settings, with a one-line reason.
public struct AuthConfigurationError: Error, CustomStringConvertible {
    /// The reason.
    public let description: String
    /// An error saying `description`.
    init(_ description: String) { self.description = description }
}
