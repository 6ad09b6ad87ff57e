import Crypto
import Foundation

/// The rules every registry implementation shares: names, version ids, references, checksums
/// and the "did you mean" list.
enum RegistryRules {
    /// Longest accepted model name.
    static let maxNameLength = 128
    /// The suffix that asks for the latest version of a name.
    static let latestSuffix = "-latest"

    /// Checks a base model name: 1–128 characters of `[A-Za-z0-9_.-]`, no `..`, not `.`, not
    /// ending in `-latest`.
    static func validate(name: String) throws {
        guard !name.isEmpty else { throw RegistryError.invalidName(name: name, reason: "empty") }
        guard name.utf8.count <= maxNameLength else {
            throw RegistryError.invalidName(name: name, reason: "longer than \(maxNameLength) characters")
        }
        if let bad = name.unicodeScalars.first(where: { !isAllowed($0) }) {
            let shown = bad == "/" ? "'/'" : "'\(bad)' (U+\(String(bad.value, radix: 16, uppercase: true)))"
            throw RegistryError.invalidName(name: name, reason: "character \(shown) is not allowed; use [A-Za-z0-9_.-]")
        }
        guard !name.contains(".."), name != "." else {
            throw RegistryError.invalidName(name: name, reason: "'..' and '.' are not allowed")
        }
        guard !name.hasSuffix(latestSuffix) else {
            throw RegistryError.invalidName(name: name, reason: "'\(latestSuffix)' is reserved for references")
        }
    }

    /// Checks a reference or version id before it reaches a query (same alphabet as names).
    static func validate(reference: String) throws {
        let base = reference.hasSuffix(latestSuffix) ? String(reference.dropLast(latestSuffix.count)) : reference
        try validate(name: base)
    }

    private static func isAllowed(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "A"..."Z", "a"..."z", "0"..."9", "_", ".", "-": return true
        default: return false
        }
    }

    /// The base name a non-exact reference asks for (`name-latest` → `name`, bare name unchanged).
    static func baseName(of reference: String) -> String {
        reference.hasSuffix(latestSuffix) ? String(reference.dropLast(latestSuffix.count)) : reference
    }

    /// Checks the descriptive fields of a new version.
    static func validate(_ new: NewModelVersion) throws {
        try validate(name: new.name)
        guard !new.backend.isEmpty, new.backend.unicodeScalars.allSatisfy(isAllowed) else {
            throw RegistryError.invalidField(field: "backend", value: new.backend, reason: "must be a non-empty [A-Za-z0-9_.-] name")
        }
        guard !new.normalization.isEmpty else {
            throw RegistryError.invalidField(field: "normalization", value: new.normalization, reason: "empty")
        }
        try validateJSON(new.parameters, field: "parameters")
        if let schema = new.schema { try validateJSON(schema, field: "schema") }
        guard new.trainingRows >= 0 else {
            throw RegistryError.invalidField(field: "training_rows", value: "\(new.trainingRows)", reason: "must be ≥ 0")
        }
        guard new.trainingAnomalyRate.isFinite, (0...1).contains(new.trainingAnomalyRate) else {
            throw RegistryError.invalidField(field: "training_anomaly_rate", value: "\(new.trainingAnomalyRate)", reason: "must be in [0, 1]")
        }
        guard new.threshold.isFinite else {
            throw RegistryError.invalidField(field: "threshold", value: "\(new.threshold)", reason: "must be a finite number")
        }
        for (key, value) in new.metrics where !value.isFinite {
            throw RegistryError.invalidField(field: "metrics.\(key)", value: "\(value)", reason: "must be a finite number")
        }
        guard !new.blob.isEmpty else {
            throw RegistryError.invalidField(field: "blob", value: "0 bytes", reason: "a model blob cannot be empty")
        }
    }

    private static func validateJSON(_ text: String, field: String) throws {
        guard (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) != nil else {
            throw RegistryError.invalidField(field: field, value: String(text.prefix(40)), reason: "is not valid JSON")
        }
    }

    /// `date` truncated to whole milliseconds, the precision every store keeps. A microsecond of
    /// slack makes a date built from a millisecond count (`date(milliseconds:)`) map back to that
    /// count, although `Date` keeps it only to within a fraction of a microsecond.
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000 + 0.001).rounded(.down))
    }

    /// The date of a millisecond count.
    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// The version id for `name` saved at `date`: `name_YYYYMMDD_HHMMSS` (UTC), then `_2`, `_3` …
    /// until `isTaken` says the id is free.
    static func versionID(name: String, at date: Date, isTaken: (String) throws -> Bool) rethrows -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ v: Int?) -> String { let s = String(v ?? 0); return s.count < 2 ? "0" + s : s }
        let stamp = "\(c.year ?? 0)\(two(c.month))\(two(c.day))_\(two(c.hour))\(two(c.minute))\(two(c.second))"
        let base = "\(name)_\(stamp)"
        if try !isTaken(base) { return base }
        var counter = 2
        while try isTaken("\(base)_\(counter)") { counter += 1 }
        return "\(base)_\(counter)"
    }

    /// SHA-256 of `blob`, lowercase hex.
    static func checksum(_ blob: [UInt8]) -> String {
        let digest = SHA256.hash(data: blob)
        return digest.map { b in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }

    /// Throws `checksumMismatch` unless `blob` hashes to the recorded checksum.
    static func verify(_ blob: [UInt8], of version: ModelVersion) throws {
        let actual = checksum(blob)
        guard actual == version.checksum else {
            throw RegistryError.checksumMismatch(version: version.version, expected: version.checksum, actual: actual)
        }
    }

    /// Up to five of `candidates` closest to `reference` (edit distance within a third of its
    /// length, at least 2, or sharing its prefix), nearest first.
    static func closeNames(to reference: String, among candidates: [String]) -> [String] {
        let target = Array(baseName(of: reference).lowercased().utf8)
        let limit = max(2, target.count / 3)
        var scored = [(String, Int)]()
        for candidate in Set(candidates) {
            let c = Array(candidate.lowercased().utf8)
            let d = editDistance(target, c)
            let prefix = target.count >= 3 && (c.starts(with: target) || target.starts(with: c))
            if d <= limit || prefix { scored.append((candidate, prefix ? min(d, limit) : d)) }
        }
        return scored.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(5).map(\.0)
    }

    /// Levenshtein distance between two byte strings.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
