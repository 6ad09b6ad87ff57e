import ArgumentParser
import VigilCore

/// Command-line settings of the `autoencoder` backend (LlamaFarm's `epochs` and `batch_size`).
struct AutoEncoderOptions: ParsableArguments {
    @Option(help: "autoencoder: passes over the training data (default 10, PyOD's epoch_num).")
    var epochs: Int?

    @Option(help: "autoencoder: rows per mini-batch (default 32).")
    var batchSize: Int?

    /// The default settings of `backend`, with these options applied when it is the autoencoder.
    func settings(for backend: Backend) -> DetectorSettings {
        let settings = DetectorSettings.defaults(for: backend)
        guard case .autoencoder(var p) = settings else { return settings }
        if let epochs { p.epochs = epochs }
        if let batchSize { p.batchSize = batchSize }
        return .autoencoder(p)
    }
}
