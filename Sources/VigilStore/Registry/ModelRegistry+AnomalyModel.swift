import Foundation
import VigilCore
import VigilFeatures

extension NewModelVersion {
    /// A new version holding `model` (and the `pipeline` that prepares its input) as a Vigil model
    /// file, its metadata taken from the model.
    public init(name: String, model: AnomalyModel, pipeline: FeaturePipeline? = nil, schema: String? = nil,
                metrics: [String: Double] = [:], description: String? = nil, createdAt: Date = Date()) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let parameters = String(decoding: try encoder.encode(model.detector.settings), as: UTF8.self)
        let c = model.calibrator
        self.init(name: name, backend: model.backend.rawValue, normalization: c.normalization.rawValue,
                  parameters: parameters, schema: schema, featureNames: model.featureNames,
                  trainingRows: c.trainingRows, trainingAnomalyRate: c.trainingAnomalyRate, threshold: c.threshold,
                  metrics: metrics, description: description,
                  blob: try ModelFile.encode(model, pipeline: pipeline, createdAt: createdAt))
    }
}

extension ModelRegistry {
    /// Loads a reference and decodes its blob as a Vigil model file.
    public func loadModel(_ reference: String, backend: String? = nil) async throws -> (version: ModelVersion, model: AnomalyModel) {
        let (version, blob) = try await load(reference, backend: backend)
        let (model, _) = try ModelFile.decode(blob, path: "registry version \(version.version)")
        return (version, model)
    }
}
