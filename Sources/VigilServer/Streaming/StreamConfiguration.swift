import VigilCore

/// The settings a streaming detector is created with (reference §5.1), fixed for its life: later
/// requests' settings are ignored, as LlamaFarm's get-or-create does.
struct StreamConfiguration: Codable, Sendable, Equatable {
    /// Smallest `min_samples` accepted (LlamaFarm's bound).
    static let minimumSamples = 10
    /// Smallest `retrain_interval` accepted (LlamaFarm's bound).
    static let minimumRetrainInterval = 10
    /// Smallest `window_size` accepted (LlamaFarm's bound).
    static let minimumWindowSize = 50
    /// Largest `window_size` accepted: bounds one detector's memory and each retrain's fit time.
    static let maximumWindowSize = 100_000
    /// Largest `retrain_interval` accepted.
    static let maximumRetrainInterval = 10_000_000
    /// Most rolling windows or lag periods one detector may ask for.
    static let maximumFeatureWindows = 20

    /// The detector fitted on the window.
    var backend: Backend
    /// Points collected before the first fit (cold start).
    var minSamples: Int
    /// Points between background retrains.
    var retrainInterval: Int
    /// Newest points kept and fitted on.
    var windowSize: Int
    /// Share of the window expected to be anomalous: places the calibration boundary.
    var contamination: Double
    /// `is_anomaly = score > threshold` on the calibrated [0, 1] score.
    var threshold: Double
    /// Trailing count windows of rolling mean/std/min/max per numeric field (empty: none).
    var rollingWindows: [Int]
    /// Lags per numeric field (empty: none).
    var lagPeriods: [Int]

    /// Whether points are extended with rolling or lag features.
    var usesRollingFeatures: Bool { !rollingWindows.isEmpty || !lagPeriods.isEmpty }

    /// The detector settings each (re)train uses: the backend's reference defaults, with the
    /// one-class SVM's `nu` = `contamination` as in batch fits.
    var detectorSettings: DetectorSettings {
        BackendSettings.settings(for: backend, contamination: contamination)
    }
}
