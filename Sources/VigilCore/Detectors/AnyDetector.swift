/// A fitted detector of any backend: what a model file and the service hold.
public enum AnyDetector: Sendable, Equatable {
    case isolationForest(IsolationForest)
    case ecod(ECOD)
    case copod(COPOD)
    case hbos(HBOS)
    case oneClassSVM(OneClassSVM)
    case mcd(MCD)
    case localOutlierFactor(LocalOutlierFactor)
    case knn(KNN)
    case pca(PCA)
    case cblof(CBLOF)
    case loda(LODA)
    case suod(Ensemble)
    case autoencoder(AutoEncoder)

    /// The fitted detector, whatever its type.
    public var detector: any Detector {
        switch self {
        case .isolationForest(let d): d
        case .ecod(let d): d
        case .copod(let d): d
        case .hbos(let d): d
        case .oneClassSVM(let d): d
        case .mcd(let d): d
        case .localOutlierFactor(let d): d
        case .knn(let d): d
        case .pca(let d): d
        case .cblof(let d): d
        case .loda(let d): d
        case .suod(let d): d
        case .autoencoder(let d): d
        }
    }

    /// The backend of the detector.
    public var backend: Backend { type(of: detector).backend }

    /// Number of features it was fitted on.
    public var featureCount: Int { detector.featureCount }

    /// The settings it was fitted with.
    public var settings: DetectorSettings {
        switch self {
        case .isolationForest(let d): .isolationForest(d.parameters)
        case .ecod(let d): .ecod(d.parameters)
        case .copod(let d): .copod(d.parameters)
        case .hbos(let d): .hbos(d.parameters)
        case .oneClassSVM(let d): .oneClassSVM(d.parameters)
        case .mcd(let d): .mcd(d.parameters)
        case .localOutlierFactor(let d): .localOutlierFactor(d.parameters)
        case .knn(let d): .knn(d.parameters)
        case .pca(let d): .pca(d.parameters)
        case .cblof(let d): .cblof(d.parameters)
        case .loda(let d): .loda(d.parameters)
        case .suod(let d): .suod(d.parameters)
        case .autoencoder(let d): .autoencoder(d.parameters)
        }
    }

    /// Raw outlyingness of each row (higher = more anomalous).
    public func rawScores(_ x: Matrix) throws -> [Double] { try detector.rawScores(x) }

    /// Fits the detector `settings` describes and returns it with the training rows' raw scores.
    public static func fitScoring(_ x: Matrix, settings: DetectorSettings, seed: UInt64) throws -> (AnyDetector, [Double]) {
        switch settings {
        case .isolationForest(let p):
            let (d, s) = try IsolationForest.fitScoring(x, parameters: p, seed: seed)
            return (.isolationForest(d), s)
        case .ecod(let p):
            let (d, s) = try ECOD.fitScoring(x, parameters: p, seed: seed)
            return (.ecod(d), s)
        case .copod(let p):
            let (d, s) = try COPOD.fitScoring(x, parameters: p, seed: seed)
            return (.copod(d), s)
        case .hbos(let p):
            let (d, s) = try HBOS.fitScoring(x, parameters: p, seed: seed)
            return (.hbos(d), s)
        case .oneClassSVM(let p):
            let (d, s) = try OneClassSVM.fitScoring(x, parameters: p, seed: seed)
            return (.oneClassSVM(d), s)
        case .mcd(let p):
            let (d, s) = try MCD.fitScoring(x, parameters: p, seed: seed)
            return (.mcd(d), s)
        case .localOutlierFactor(let p):
            let (d, s) = try LocalOutlierFactor.fitScoring(x, parameters: p, seed: seed)
            return (.localOutlierFactor(d), s)
        case .knn(let p):
            let (d, s) = try KNN.fitScoring(x, parameters: p, seed: seed)
            return (.knn(d), s)
        case .pca(let p):
            let (d, s) = try PCA.fitScoring(x, parameters: p, seed: seed)
            return (.pca(d), s)
        case .cblof(let p):
            let (d, s) = try CBLOF.fitScoring(x, parameters: p, seed: seed)
            return (.cblof(d), s)
        case .loda(let p):
            let (d, s) = try LODA.fitScoring(x, parameters: p, seed: seed)
            return (.loda(d), s)
        case .suod(let p):
            let (d, s) = try Ensemble.fitScoring(x, parameters: p, seed: seed)
            return (.suod(d), s)
        case .autoencoder(let p):
            let (d, s) = try AutoEncoder.fitScoring(x, parameters: p, seed: seed)
            return (.autoencoder(d), s)
        }
    }
}

extension AnyDetector: Codable {
    private enum CodingKeys: String, CodingKey { case backend, detector }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(Backend.self, forKey: .backend) {
        case .isolationForest: self = .isolationForest(try c.decode(IsolationForest.self, forKey: .detector))
        case .ecod: self = .ecod(try c.decode(ECOD.self, forKey: .detector))
        case .copod: self = .copod(try c.decode(COPOD.self, forKey: .detector))
        case .hbos: self = .hbos(try c.decode(HBOS.self, forKey: .detector))
        case .oneClassSVM: self = .oneClassSVM(try c.decode(OneClassSVM.self, forKey: .detector))
        case .mcd: self = .mcd(try c.decode(MCD.self, forKey: .detector))
        case .localOutlierFactor: self = .localOutlierFactor(try c.decode(LocalOutlierFactor.self, forKey: .detector))
        case .knn: self = .knn(try c.decode(KNN.self, forKey: .detector))
        case .pca: self = .pca(try c.decode(PCA.self, forKey: .detector))
        case .cblof: self = .cblof(try c.decode(CBLOF.self, forKey: .detector))
        case .loda: self = .loda(try c.decode(LODA.self, forKey: .detector))
        case .suod: self = .suod(try c.decode(Ensemble.self, forKey: .detector))
        case .autoencoder: self = .autoencoder(try c.decode(AutoEncoder.self, forKey: .detector))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(backend, forKey: .backend)
        try c.encode(detector, forKey: .detector)
    }
}

/// Which backend to fit and with what parameters.
public enum DetectorSettings: Sendable, Equatable {
    case isolationForest(IsolationForest.Parameters)
    case ecod(ECOD.Parameters)
    case copod(COPOD.Parameters)
    case hbos(HBOS.Parameters)
    case oneClassSVM(OneClassSVM.Parameters)
    case mcd(MCD.Parameters)
    case localOutlierFactor(LocalOutlierFactor.Parameters)
    case knn(KNN.Parameters)
    case pca(PCA.Parameters)
    case cblof(CBLOF.Parameters)
    case loda(LODA.Parameters)
    case suod(Ensemble.Parameters)
    case autoencoder(AutoEncoder.Parameters)

    /// The reference implementation's defaults for `backend`.
    public static func defaults(for backend: Backend) -> DetectorSettings {
        switch backend {
        case .isolationForest: .isolationForest(.init())
        case .ecod: .ecod(.init())
        case .copod: .copod(.init())
        case .hbos: .hbos(.init())
        case .oneClassSVM: .oneClassSVM(.init())
        case .mcd: .mcd(.init())
        case .localOutlierFactor: .localOutlierFactor(.init())
        case .knn: .knn(.init())
        case .pca: .pca(.init())
        case .cblof: .cblof(.init())
        case .loda: .loda(.init())
        case .suod: .suod(.init())
        case .autoencoder: .autoencoder(.init())
        }
    }

    /// The backend these settings are for.
    public var backend: Backend {
        switch self {
        case .isolationForest: .isolationForest
        case .ecod: .ecod
        case .copod: .copod
        case .hbos: .hbos
        case .oneClassSVM: .oneClassSVM
        case .mcd: .mcd
        case .localOutlierFactor: .localOutlierFactor
        case .knn: .knn
        case .pca: .pca
        case .cblof: .cblof
        case .loda: .loda
        case .suod: .suod
        case .autoencoder: .autoencoder
        }
    }

    /// The parameters, whatever their type.
    public var parameters: any DetectorParameters {
        switch self {
        case .isolationForest(let p): p
        case .ecod(let p): p
        case .copod(let p): p
        case .hbos(let p): p
        case .oneClassSVM(let p): p
        case .mcd(let p): p
        case .localOutlierFactor(let p): p
        case .knn(let p): p
        case .pca(let p): p
        case .cblof(let p): p
        case .loda(let p): p
        case .suod(let p): p
        case .autoencoder(let p): p
        }
    }

    /// Throws `VigilError.invalidParameter` naming the first bad setting.
    public func validate() throws { try parameters.validate() }
}

extension DetectorSettings: Codable {
    private enum CodingKeys: String, CodingKey { case backend, parameters }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(Backend.self, forKey: .backend) {
        case .isolationForest: self = .isolationForest(try c.decode(IsolationForest.Parameters.self, forKey: .parameters))
        case .ecod: self = .ecod(try c.decode(ECOD.Parameters.self, forKey: .parameters))
        case .copod: self = .copod(try c.decode(COPOD.Parameters.self, forKey: .parameters))
        case .hbos: self = .hbos(try c.decode(HBOS.Parameters.self, forKey: .parameters))
        case .oneClassSVM: self = .oneClassSVM(try c.decode(OneClassSVM.Parameters.self, forKey: .parameters))
        case .mcd: self = .mcd(try c.decode(MCD.Parameters.self, forKey: .parameters))
        case .localOutlierFactor: self = .localOutlierFactor(try c.decode(LocalOutlierFactor.Parameters.self, forKey: .parameters))
        case .knn: self = .knn(try c.decode(KNN.Parameters.self, forKey: .parameters))
        case .pca: self = .pca(try c.decode(PCA.Parameters.self, forKey: .parameters))
        case .cblof: self = .cblof(try c.decode(CBLOF.Parameters.self, forKey: .parameters))
        case .loda: self = .loda(try c.decode(LODA.Parameters.self, forKey: .parameters))
        case .suod: self = .suod(try c.decode(Ensemble.Parameters.self, forKey: .parameters))
        case .autoencoder: self = .autoencoder(try c.decode(AutoEncoder.Parameters.self, forKey: .parameters))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(backend, forKey: .backend)
        try c.encode(parameters, forKey: .parameters)
    }
}
