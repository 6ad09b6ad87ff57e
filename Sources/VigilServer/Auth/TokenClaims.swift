import Foundation
import JWTKit

/// A token's claims: the registered times, and every claim that is a string or an array of
/// strings, by name (so the roles claim can be any name chosen at start).
struct TokenClaims: JWTPayload, Equatable {
    /// `exp`: when the token stops being valid (required).
    var expires: Date?
    /// `nbf`: when the token starts being valid.
    var notBefore: Date?
    /// `iat`: when it was issued.
    var issuedAt: Date?
    /// Claims holding one string (`sub`, `iss`, often `aud`, a single role).
    var strings: [String: String] = [:]
    /// Claims holding an array of strings (`aud`, `roles`).
    var lists: [String: [String]] = [:]

    /// A coding key for any claim name.
    private struct Name: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        /// The key for claim `name`.
        init(_ name: String) { stringValue = name }
        /// The key for claim `stringValue`.
        init?(stringValue: String) { self.stringValue = stringValue }
        /// Claims are never indexed by number.
        init?(intValue: Int) { nil }
    }

    /// Claims built by hand (for minting).
    init(expires: Date?, notBefore: Date? = nil, issuedAt: Date? = nil, strings: [String: String] = [:], lists: [String: [String]] = [:]) {
        self.expires = expires
        self.notBefore = notBefore
        self.issuedAt = issuedAt
        self.strings = strings
        self.lists = lists
    }

    /// Reads the times as seconds since 1970 and keeps every string or string-array claim.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Name.self)
        func time(_ key: String) throws -> Date? {
            try container.decodeIfPresent(Double.self, forKey: Name(key)).map { Date(timeIntervalSince1970: $0) }
        }
        expires = try time("exp")
        notBefore = try time("nbf")
        issuedAt = try time("iat")
        for key in container.allKeys where !["exp", "nbf", "iat"].contains(key.stringValue) {
            if let text = try? container.decode(String.self, forKey: key) {
                strings[key.stringValue] = text
            } else if let list = try? container.decode([String].self, forKey: key) {
                lists[key.stringValue] = list
            }
        }
    }

    /// Writes the times as whole seconds since 1970, then the other claims.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Name.self)
        for (key, date) in [("exp", expires), ("nbf", notBefore), ("iat", issuedAt)] {
            if let date { try container.encode(Int(date.timeIntervalSince1970.rounded(.down)), forKey: Name(key)) }
        }
        for (key, value) in strings { try container.encode(value, forKey: Name(key)) }
        for (key, value) in lists { try container.encode(value, forKey: Name(key)) }
    }

    /// The claim `name` as strings: one string, or an array of them; empty when absent.
    func values(_ name: String) -> [String] {
        if let text = strings[name] { return [text] }
        return lists[name] ?? []
    }

    /// Checks `exp` (required) and `nbf` against now; the signature is already checked.
    func verify(using algorithm: some JWTAlgorithm) async throws {
        let now = Date()
        guard let expires else { throw AuthFailure.invalid("token has no exp claim") }
        guard now < expires else { throw AuthFailure.invalid("token has expired") }
        if let notBefore, now < notBefore { throw AuthFailure.invalid("token is not valid yet (nbf)") }
    }
}

/// Why a request was refused: no usable token (401) or too weak a role (403).
enum AuthFailure: Error, Equatable {
    /// No `Authorization: Bearer` header.
    case missing
    /// A token that fails a check; the text says which.
    case invalid(String)
    /// A valid token without `needed`.
    case forbidden(needed: Role)
}
