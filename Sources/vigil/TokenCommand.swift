import ArgumentParser
import Foundation
import VigilServer

/// `vigil token`: mints an HS256 bearer token for `vigil serve` from the configured secret.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Print an HS256 bearer token for a role, signed with the serve secret (VIGIL_JWT_SECRET)."
    )

    @Option(help: "viewer, scorer or admin.")
    var role: String

    @Option(help: "Lifetime: a number with s, m, h or d (e.g. 30m, 1h, 7d).")
    var ttl: String = "1h"

    @Option(help: "The token's subject, sub (rate limits count per subject).")
    var subject: String?

    @OptionGroup var auth: AuthOptions

    /// Seconds in `text` (`30m`, `1h`, `7d`, `45s`), or `nil` when it is not a positive duration.
    static func seconds(_ text: String) -> TimeInterval? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        guard let unit = text.last, let scale = units[unit], let count = Int(text.dropLast()), count > 0 else { return nil }
        return Double(count) * scale
    }

    /// Checks the role, lifetime and secret, then prints the token alone.
    func run() async throws {
        guard let granted = Role(rawValue: role) else {
            throw CLIError("role must be viewer, scorer or admin, got '\(role)'")
        }
        guard let lifetime = Self.seconds(ttl) else {
            throw CLIError("ttl must be a positive number followed by s, m, h or d (e.g. 1h), got '\(ttl)'")
        }
        guard let settings = try auth.settings(environment: ProcessInfo.processInfo.environment), settings.secret != nil else {
            throw CLIError("minting a token needs --jwt-secret or VIGIL_JWT_SECRET")
        }
        let token = try await TokenVerifier.mint(settings: settings, role: granted, lifetime: lifetime, subject: subject)
        print(token)
    }
}
