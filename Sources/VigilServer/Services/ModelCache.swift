import Foundation
import VigilCore
import VigilFeatures
import VigilStore

/// A stored version ready to score: its metadata, the decoded detector and its input pipeline.
struct LoadedModel: Sendable {
    /// The registry's record of the version.
    let version: ModelVersion
    /// The fitted detector and calibration.
    let model: AnomalyModel
    /// Encoder and scaler from fit; `nil` for models fitted on prepared columns (CLI, format 1).
    let pipeline: FeaturePipeline?
}

/// Decoded models by version id and resolved references, so a score request decodes nothing and
/// asks the registry nothing once its model is warm. Any registry change (this process's or
/// another's, via `ModelRegistry.changes()`) drops the reference map and a deleted version.
final class ModelCache: @unchecked Sendable {
    private let lock = NSLock()
    private var references = [String: String]()
    private var models = [String: LoadedModel]()
    /// Bumped by every invalidation; a load that started before one is not cached.
    private var generation = 0

    /// The model `reference` names for `backend`, from the cache or loaded from `registry`.
    func model(_ reference: String, backend: String, registry: any ModelRegistry) async throws -> LoadedModel {
        let key = reference + "\u{0}" + backend
        let (cached, start): (LoadedModel?, Int) = lock.withLock {
            (references[key].flatMap { models[$0] }, generation)
        }
        if let cached { return cached }
        let (version, blob) = try await registry.load(reference, backend: backend)
        if let warm = lock.withLock({ models[version.version] }), warm.version.checksum == version.checksum {
            lock.withLock { if generation == start { references[key] = version.version } }
            return warm
        }
        let loaded = try await OffLoop.run {
            let (model, header) = try ModelFile.decode(blob, path: "registry version \(version.version)")
            return LoadedModel(version: version, model: model, pipeline: header.pipeline)
        }
        lock.withLock {
            if generation == start {
                references[key] = version.version
                models[version.version] = loaded
            }
        }
        return loaded
    }

    /// Keeps a model this process just saved, so its first score needs no decoding.
    func insert(_ loaded: LoadedModel) {
        lock.withLock {
            generation += 1
            references.removeAll()
            models[loaded.version.version] = loaded
        }
    }

    /// Forgets what `change` makes stale: every resolved reference, and a deleted version. A saved
    /// version stays: the next lookup re-resolves it and keeps the decoded model only while the
    /// checksum still matches (an in-place overwrite gets a new checksum), so this process's own
    /// save does not throw away the model it just inserted.
    func invalidate(_ change: RegistryChange) {
        lock.withLock {
            generation += 1
            references.removeAll()
            if change.kind == .deleted { models[change.version] = nil }
        }
    }
}
