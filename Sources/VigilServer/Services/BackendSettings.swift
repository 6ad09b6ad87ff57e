import VigilCore

/// The detector settings the service fits with: each backend's reference defaults plus the
/// fields LlamaFarm passes to its constructor — `epochs`, `batch_size` and `hidden_neurons` for
/// the autoencoder, `nu` = `contamination` for the one-class SVM.
enum BackendSettings {
    /// Settings for `backend`; autoencoder fields left `nil` keep their defaults.
    /// (Unchecked: call `validate()` on the result.)
    static func settings(for backend: Backend, contamination: Double, epochs: Int? = nil, batchSize: Int? = nil,
                         hiddenNeurons: [Int]? = nil) -> DetectorSettings {
        switch DetectorSettings.defaults(for: backend) {
        case .autoencoder(var p):
            if let epochs { p.epochs = epochs }
            if let batchSize { p.batchSize = batchSize }
            if let hiddenNeurons { p.hiddenNeurons = hiddenNeurons }
            return .autoencoder(p)
        case .oneClassSVM(var p):
            p.nu = contamination
            return .oneClassSVM(p)
        case let other:
            return other
        }
    }
}
