import Foundation

/// Versioned storage of fitted models: every save is a new version, `name-latest` resolves to the
/// promoted version of a name if there is one, else its newest; blobs are checksummed.
///
/// References accepted by `resolve`/`load`: an exact version id, `name-latest`, or a bare name
/// (the same as `name-latest`). `backend` restricts the match to one detector backend.
public protocol ModelRegistry: Sendable {
    /// Stores a new version; with `overwrite` the newest version of that name is replaced in place
    /// (same version id). A save clears any promotion of that name, so the saved version is latest.
    func save(_ new: NewModelVersion, overwrite: Bool) async throws -> ModelVersion
    /// The version a reference names (exact version | `name-latest` | bare name).
    func resolve(_ reference: String, backend: String?) async throws -> ModelVersion
    /// The version a reference names and its blob, whose checksum has been verified.
    func load(_ reference: String, backend: String?) async throws -> (version: ModelVersion, blob: [UInt8])
    /// Versions, newest first, optionally only of one name and/or backend.
    func list(name: String?, backend: String?) async throws -> [ModelVersion]
    /// Deletes one version by exact id.
    func delete(version: String) async throws
    /// Deletes every version of a name; returns how many were deleted.
    func deleteAll(name: String) async throws -> Int
    /// Makes an existing version what `name-latest` returns (rollback); returns it.
    func promote(version: String) async throws -> ModelVersion
    /// Changes made by this or any other process sharing the store, from the moment of the call.
    func changes() -> AsyncStream<RegistryChange>
    /// Stores (replacing) the saved state of the streaming detector `id`.
    func saveCheckpoint(_ checkpoint: StreamCheckpoint) async throws
    /// Every stored streaming-detector state, oldest update first.
    func checkpoints() async throws -> [StreamCheckpoint]
    /// The stored state of `id`, if there is one.
    func checkpoint(id: String) async throws -> StreamCheckpoint?
    /// The `stamp` of the stored state of `id` (cheap: the state is not read); `nil` if there is none.
    func checkpointStamp(id: String) async throws -> Int64?
    /// Stores the state of `checkpoint.id` only if the stored one still has the stamp `expected`
    /// (`nil`: only if there is none), atomically; returns whether it wrote. Replicas sharing one
    /// store use it so that a replica whose stream was taken over cannot overwrite the new owner's state.
    func saveCheckpoint(_ checkpoint: StreamCheckpoint, ifStamp expected: Int64?) async throws -> Bool
    /// Removes the saved state of `id`; returns whether there was one.
    @discardableResult
    func deleteCheckpoint(id: String) async throws -> Bool
    /// Stores `findings` in one transaction (all or none); returns them with their ids.
    @discardableResult
    func saveFindings(_ findings: [NewFinding]) async throws -> [Finding]
    /// Stored findings that match `query`, newest first.
    func findings(_ query: FindingQuery) async throws -> [Finding]
    /// Succeeds when the store answers (readiness).
    func ping() async throws
    /// Releases connections; the registry is unusable afterwards.
    func close() async
}

extension ModelRegistry {
    /// Saves a new version without overwriting.
    public func save(_ new: NewModelVersion) async throws -> ModelVersion {
        try await save(new, overwrite: false)
    }

    /// Resolves a reference for any backend.
    public func resolve(_ reference: String) async throws -> ModelVersion {
        try await resolve(reference, backend: nil)
    }

    /// Loads a reference for any backend.
    public func load(_ reference: String) async throws -> (version: ModelVersion, blob: [UInt8]) {
        try await load(reference, backend: nil)
    }

    /// Lists every version, newest first.
    public func list() async throws -> [ModelVersion] {
        try await list(name: nil, backend: nil)
    }
}

/// The saved state of one streaming detector (its window, counters and settings), written by the
/// service after each (re)train and on shutdown, so a restarted server resumes where it stopped.
public struct StreamCheckpoint: Sendable, Equatable {
    /// The detector id (`model` of the stream requests).
    public var id: String
    /// The state, encoded by the service.
    public var data: [UInt8]
    /// When it was written.
    public var updatedAt: Date

    /// A checkpoint of `id` holding `data`, written at `updatedAt`.
    public init(id: String, data: [UInt8], updatedAt: Date = Date()) {
        self.id = id
        self.data = data
        self.updatedAt = updatedAt
    }

    /// `updatedAt` in whole milliseconds, as every store keeps it: what `checkpointStamp(id:)`
    /// returns once this checkpoint is stored.
    public var stamp: Int64 { RegistryRules.milliseconds(updatedAt) }
}

/// The naming rules of the registry, for callers that check a name before using it.
public enum ModelNames {
    /// Throws `RegistryError.invalidName` unless `name` is 1–128 characters of `[A-Za-z0-9_.-]`,
    /// without `..` and not ending in `-latest`.
    public static func validate(_ name: String) throws {
        try RegistryRules.validate(name: name)
    }
}
