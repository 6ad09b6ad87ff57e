import Foundation

/// A registry held in memory, for tests of code built on `ModelRegistry`; same rules as the
/// persistent ones, nothing survives the process.
public final class InMemoryModelRegistry: ModelRegistry, @unchecked Sendable {
    private struct Entry {
        var metadata: ModelVersion
        var blob: [UInt8]
        var sequence: Int
    }

    private let lock = NSLock()
    private var entries = [String: Entry]()
    private var promotedByName = [String: String]()
    private var nextSequence = 1
    private var savedCheckpoints = [String: StreamCheckpoint]()
    private var storedFindings = [Finding]()
    private let feed = ChangeFeed()
    private var closed = false
    private let clock: @Sendable () -> Date

    /// Creates an empty registry; `clock` supplies save times (UTC).
    public init(clock: @escaping @Sendable () -> Date = { Date() }) {
        self.clock = clock
    }

    private func locked<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { throw RegistryError.storageUnavailable(store: "in-memory", reason: "closed") }
        return try body()
    }

    private func withPromotion(_ e: Entry) -> ModelVersion {
        var m = e.metadata
        m.promoted = promotedByName[m.name] == m.version
        return m
    }

    public func save(_ new: NewModelVersion, overwrite: Bool) async throws -> ModelVersion {
        try RegistryRules.validate(new)
        let saved: ModelVersion = try locked {
            let now = RegistryRules.date(milliseconds: RegistryRules.milliseconds(clock()))
            let checksum = RegistryRules.checksum(new.blob)
            promotedByName[new.name] = nil
            if overwrite, let newest = entries.values.filter({ $0.metadata.name == new.name }).max(by: { $0.sequence < $1.sequence }) {
                let m = new.metadata(version: newest.metadata.version, createdAt: now, checksum: checksum)
                entries[m.version] = Entry(metadata: m, blob: new.blob, sequence: newest.sequence)
                return m
            }
            let id = RegistryRules.versionID(name: new.name, at: now) { entries[$0] != nil }
            let m = new.metadata(version: id, createdAt: now, checksum: checksum)
            entries[id] = Entry(metadata: m, blob: new.blob, sequence: nextSequence)
            nextSequence += 1
            return m
        }
        feed.publish(RegistryChange(kind: .saved, name: saved.name, version: saved.version))
        return saved
    }

    private func resolveLocked(_ reference: String, backend: String?) throws -> Entry {
        try RegistryRules.validate(reference: reference)
        if let exact = entries[reference], backend == nil || exact.metadata.backend == backend { return exact }
        let name = RegistryRules.baseName(of: reference)
        if let promoted = promotedByName[name], let e = entries[promoted], backend == nil || e.metadata.backend == backend {
            return e
        }
        let newest = entries.values
            .filter { $0.metadata.name == name && (backend == nil || $0.metadata.backend == backend) }
            .max { $0.sequence < $1.sequence }
        if let newest { return newest }
        let candidates = entries.values.flatMap { [$0.metadata.name, $0.metadata.version] }
        throw RegistryError.notFound(reference: reference, backend: backend,
                                     closeNames: RegistryRules.closeNames(to: reference, among: candidates))
    }

    public func resolve(_ reference: String, backend: String?) async throws -> ModelVersion {
        try locked { withPromotion(try resolveLocked(reference, backend: backend)) }
    }

    public func load(_ reference: String, backend: String?) async throws -> (version: ModelVersion, blob: [UInt8]) {
        let (m, blob) = try locked {
            let e = try resolveLocked(reference, backend: backend)
            return (withPromotion(e), e.blob)
        }
        try RegistryRules.verify(blob, of: m)
        return (m, blob)
    }

    public func list(name: String?, backend: String?) async throws -> [ModelVersion] {
        if let name { try RegistryRules.validate(name: name) }
        return try locked {
            entries.values
                .filter { (name == nil || $0.metadata.name == name) && (backend == nil || $0.metadata.backend == backend) }
                .sorted { $0.sequence > $1.sequence }
                .map(withPromotion)
        }
    }

    public func delete(version: String) async throws {
        try RegistryRules.validate(reference: version)
        let removed: ModelVersion = try locked {
            guard let e = entries.removeValue(forKey: version) else {
                let candidates = entries.values.map(\.metadata.version)
                throw RegistryError.notFound(reference: version, backend: nil,
                                             closeNames: RegistryRules.closeNames(to: version, among: candidates))
            }
            if promotedByName[e.metadata.name] == version { promotedByName[e.metadata.name] = nil }
            return e.metadata
        }
        feed.publish(RegistryChange(kind: .deleted, name: removed.name, version: removed.version))
    }

    public func deleteAll(name: String) async throws -> Int {
        try RegistryRules.validate(name: name)
        let removed: [ModelVersion] = try locked {
            let doomed = entries.values.filter { $0.metadata.name == name }.sorted { $0.sequence < $1.sequence }
            for e in doomed { entries[e.metadata.version] = nil }
            promotedByName[name] = nil
            return doomed.map(\.metadata)
        }
        for m in removed { feed.publish(RegistryChange(kind: .deleted, name: m.name, version: m.version)) }
        return removed.count
    }

    public func promote(version: String) async throws -> ModelVersion {
        try RegistryRules.validate(reference: version)
        let promoted: ModelVersion = try locked {
            guard let e = entries[version] else {
                let candidates = entries.values.map(\.metadata.version)
                throw RegistryError.notFound(reference: version, backend: nil,
                                             closeNames: RegistryRules.closeNames(to: version, among: candidates))
            }
            promotedByName[e.metadata.name] = version
            return withPromotion(e)
        }
        feed.publish(RegistryChange(kind: .promoted, name: promoted.name, version: promoted.version))
        return promoted
    }

    public func changes() -> AsyncStream<RegistryChange> {
        feed.subscribe()
    }

    public func saveCheckpoint(_ checkpoint: StreamCheckpoint) async throws {
        try RegistryRules.validate(name: checkpoint.id)
        try locked { savedCheckpoints[checkpoint.id] = checkpoint }
    }

    public func checkpoints() async throws -> [StreamCheckpoint] {
        try locked { savedCheckpoints.values.sorted { ($0.updatedAt, $0.id) < ($1.updatedAt, $1.id) } }
    }

    public func checkpoint(id: String) async throws -> StreamCheckpoint? {
        try RegistryRules.validate(name: id)
        return try locked { savedCheckpoints[id] }
    }

    public func checkpointStamp(id: String) async throws -> Int64? {
        try await checkpoint(id: id)?.stamp
    }

    public func saveCheckpoint(_ checkpoint: StreamCheckpoint, ifStamp expected: Int64?) async throws -> Bool {
        try RegistryRules.validate(name: checkpoint.id)
        return try locked {
            guard savedCheckpoints[checkpoint.id]?.stamp == expected else { return false }
            savedCheckpoints[checkpoint.id] = checkpoint
            return true
        }
    }

    public func deleteCheckpoint(id: String) async throws -> Bool {
        try RegistryRules.validate(name: id)
        return try locked { savedCheckpoints.removeValue(forKey: id) != nil }
    }

    public func saveFindings(_ findings: [NewFinding]) async throws -> [Finding] {
        try FindingRules.validate(findings)
        return try locked {
            let first = Int64(storedFindings.count + 1)
            let saved = findings.enumerated().map { Finding(id: first + Int64($0), finding: $1) }
            storedFindings += saved
            return saved
        }
    }

    public func findings(_ query: FindingQuery) async throws -> [Finding] {
        try locked {
            let since = query.since.map(RegistryRules.milliseconds)
            return Array(storedFindings.reversed().lazy.filter { f in
                (since.map { RegistryRules.milliseconds(f.finding.createdAt) >= $0 } ?? true)
                    && (query.severity.map { f.finding.severity == $0 } ?? true)
            }.prefix(query.limit))
        }
    }

    public func ping() async throws {
        try locked {}
    }

    public func close() async {
        lock.withLock { closed = true }
        feed.finish()
    }

    /// Replaces the stored bytes of a version without updating its checksum (tests of corruption).
    func corruptBlob(version: String) {
        lock.lock()
        defer { lock.unlock() }
        entries[version]?.blob[0] ^= 0xFF
    }
}
