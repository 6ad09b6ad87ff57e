import Foundation

/// How `vigil serve` checks bearer tokens: an HS256 shared secret and/or a JWKS of RS256/ES256
/// public keys, the issuer and audience a token must carry when set, and the claim holding roles.
public struct AuthSettings: Sendable, Equatable {
    /// Fewest bytes an HS256 secret may have (RFC 7518 §3.2: at least the hash's 256 bits).
    public static let minimumSecretBytes = 32

    /// The HS256 shared secret, when tokens are signed with one.
    public var secret: String?
    /// A JWKS document (JSON text) of RS256/ES256 public keys, when tokens are signed with those.
    public var jwks: String?
    /// The `iss` every token must name, when set.
    public var issuer: String?
    /// The value every token's `aud` must contain, when set.
    public var audience: String?
    /// The claim holding the roles: a string or an array of strings.
    public var rolesClaim: String

    /// Throws when `secret` is shorter than ``minimumSecretBytes``.
    public static func validate(secret: String) throws {
        guard secret.utf8.count >= minimumSecretBytes else {
            throw AuthConfigurationError("JWT secret must be at least \(minimumSecretBytes) bytes, got \(secret.utf8.count)")
        }
    }

    /// Settings from their parts; at least one of `secret` and `jwks` should be given.
    public init(secret: String? = nil, jwks: String? = nil, issuer: String? = nil, audience: String? = nil, rolesClaim: String = "roles") {
        self.secret = secret
        self.jwks = jwks
        self.issuer = issuer
        self.audience = audience
        self.rolesClaim = rolesClaim
    }
}

/// A per-client token bucket: `rate` requests a second on average, at most `burst` at once.
public struct RateLimitSettings: Sendable, Equatable {
    /// Tokens added per second.
    public var rate: Double
    /// Bucket size: requests allowed back to back.
    public var burst: Int

    /// A limit of `rate` per second with `burst` (default: `rate` rounded up, at least 1).
    public init(rate: Double, burst: Int? = nil) {
        self.rate = rate
        self.burst = burst ?? max(1, Int(rate.rounded(.up)))
    }
}

extension ServerConfiguration {
    /// Whether `host` only reaches this machine: `localhost`, 127.0.0.0/8 or `::1`.
    public static func isLoopback(_ host: String) -> Bool {
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if name == "localhost" || name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
