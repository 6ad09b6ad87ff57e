import Hummingbird

/// `GET /v1/ml/anomaly/models/{name}/drift`: a model's live figures over its drift window against
/// the training data of the version scored last, the limits, and the verdict.
struct DriftResponse: ResponseEncodable, Sendable {
    /// One feature's PSI.
    struct FeatureDrift: Encodable, Sendable {
        let feature: String
        let psi: Double
        let drifting: Bool
    }

    let object = "drift_status"
    let model: String
    /// The version the window covers (`null` before any row was scored).
    let version: String?
    let status: String
    let drifting: Bool
    /// Limits crossed: `anomaly_rate`, `score_psi`, `feature_psi:<name>`.
    let reasons: [String]
    let window: Int
    let rows: Int
    let minRows: Int
    let anomalyRate: Double
    let trainingAnomalyRate: Double
    let anomalyRateLimit: Double
    let psiLimit: Double
    /// PSI of the raw score (`null` for a version without training histograms).
    let scorePSI: Double?
    let features: [FeatureDrift]

    enum CodingKeys: String, CodingKey {
        case object, model, version, status, drifting, reasons, window, rows, minRows = "min_rows", anomalyRate = "anomaly_rate"
        case trainingAnomalyRate = "training_anomaly_rate", anomalyRateLimit = "anomaly_rate_limit", psiLimit = "psi_limit"
        case scorePSI = "score_psi", features
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(object, forKey: .object)
        try c.encode(model, forKey: .model)
        try c.encode(version, forKey: .version)
        try c.encode(status, forKey: .status)
        try c.encode(drifting, forKey: .drifting)
        try c.encode(reasons, forKey: .reasons)
        try c.encode(window, forKey: .window)
        try c.encode(rows, forKey: .rows)
        try c.encode(minRows, forKey: .minRows)
        try c.encode(anomalyRate, forKey: .anomalyRate)
        try c.encode(trainingAnomalyRate, forKey: .trainingAnomalyRate)
        try c.encode(anomalyRateLimit, forKey: .anomalyRateLimit)
        try c.encode(psiLimit, forKey: .psiLimit)
        try c.encode(scorePSI, forKey: .scorePSI)
        try c.encode(features, forKey: .features)
    }

    /// The answer for `model` from the monitor's figures (`nil`: nothing scored yet).
    init(model: String, tracked: (version: String, featureNames: [String], status: DriftStatus)?, settings: DriftSettings,
         trainingAnomalyRate fallbackRate: Double) {
        let status = tracked?.status
        let limitedFeatures = Set(status?.reasons.compactMap { reason -> Int? in
            if case .featurePSI(let j) = reason { return j }
            return nil
        } ?? [])
        let names = tracked?.featureNames ?? []
        self.model = model
        version = tracked?.version
        drifting = status?.drifting ?? false
        self.status = drifting ? "drifting" : ((status?.rows ?? 0) >= settings.rowsToJudge ? "stable" : "collecting")
        reasons = (status?.reasons ?? []).map { reason in
            switch reason {
            case .anomalyRate: "anomaly_rate"
            case .scorePSI: "score_psi"
            case .featurePSI(let j): "feature_psi:\(j < names.count ? names[j] : String(j))"
            }
        }
        window = settings.window
        rows = status?.rows ?? 0
        minRows = settings.rowsToJudge
        anomalyRate = status?.anomalyRate ?? 0
        trainingAnomalyRate = status?.trainingAnomalyRate ?? fallbackRate
        anomalyRateLimit = settings.anomalyRateFactor * trainingAnomalyRate
        psiLimit = settings.psiLimit
        scorePSI = status?.scorePSI
        features = (status?.featurePSI ?? []).enumerated().map { j, psi in
            FeatureDrift(feature: j < names.count ? names[j] : String(j), psi: psi, drifting: limitedFeatures.contains(j))
        }
    }
}
