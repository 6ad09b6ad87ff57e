import ArgumentParser
import Foundation
import VigilServer

/// Token settings shared by `vigil serve` and `vigil token` (each also from its VIGIL_* variable).
struct AuthOptions: ParsableArguments {
    @Option(help: "HS256 shared secret, at least 32 bytes (env VIGIL_JWT_SECRET).")
    var jwtSecret: String?

    @Option(help: "JWKS file of RS256/ES256 public keys (env VIGIL_JWKS).")
    var jwks: String?

    @Option(help: "Required token issuer, iss (env VIGIL_JWT_ISSUER).")
    var jwtIssuer: String?

    @Option(help: "Required token audience, aud (env VIGIL_JWT_AUDIENCE).")
    var jwtAudience: String?

    @Option(help: "Claim holding the roles, a string or an array (env VIGIL_JWT_ROLES_CLAIM; default roles).")
    var jwtRolesClaim: String?

    /// The settings from the flags, then the environment; `nil` when neither a secret nor a JWKS is given.
    func settings(environment env: [String: String]) throws -> AuthSettings? {
        func value(_ flag: String?, _ name: String) -> String? {
            flag ?? env[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        let secret = value(jwtSecret, "VIGIL_JWT_SECRET")
        let jwksPath = value(jwks, "VIGIL_JWKS")
        guard secret != nil || jwksPath != nil else { return nil }
        if let secret { try AuthSettings.validate(secret: secret) }
        var keySet: String?
        if let jwksPath {
            guard let text = try? String(contentsOfFile: jwksPath, encoding: .utf8) else {
                throw CLIError("cannot read JWKS file '\(jwksPath)'")
            }
            keySet = text
        }
        return AuthSettings(secret: secret, jwks: keySet, issuer: value(jwtIssuer, "VIGIL_JWT_ISSUER"),
                            audience: value(jwtAudience, "VIGIL_JWT_AUDIENCE"),
                            rolesClaim: value(jwtRolesClaim, "VIGIL_JWT_ROLES_CLAIM") ?? "roles")
    }
}
