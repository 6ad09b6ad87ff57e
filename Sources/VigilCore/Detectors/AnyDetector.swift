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

    /// The backend of the detector.
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

    /// Number of features it was fitted on.
    public var featureCount: Int {
        switch self {
        case .isolationForest(let d): d.featureCount
        case .ecod(let d): d.featureCount
        case .copod(let d): d.featureCount
        case .hbos(let d): d.featureCount
        case .oneClassSVM(let d): d.featureCount
        case .mcd(let d): d.featureCount
        case .localOutlierFactor(let d): d.featureCount
        case .knn(let d): d.featureCount
        case .pca(let d): d.featureCount
        case .cblof(let d): d.featureCount
        case .loda(let d): d.featureCount
        case .suod(let d): d.featureCount
        case .autoencoder(let d): d.featureCount
        }
    }

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
    public func rawScores(_ x: Matrix) throws -> [Double] {
        switch self {
        case .isolationForest(let d): try d.rawScores(x)
        case .ecod(let d): try d.rawScores(x)
        case .copod(let d): try d.rawScores(x)
        case .hbos(let d): try d.rawScores(x)
        case .oneClassSVM(let d): try d.rawScores(x)
        case .mcd(let d): try d.rawScores(x)
        case .localOutlierFactor(let d): try d.rawScores(x)
        case .knn(let d): try d.rawScores(x)
        case .pca(let d): try d.rawScores(x)
        case .cblof(let d): try d.rawScores(x)
        case .loda(let d): try d.rawScores(x)
        case .suod(let d): try d.rawScores(x)
        case .autoencoder(let d): try d.rawScores(x)
        }
    }

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
        switch self {
        case .isolationForest(let d): try c.encode(d, forKey: .detector)
        case .ecod(let d): try c.encode(d, forKey: .detector)
        case .copod(let d): try c.encode(d, forKey: .detector)
        case .hbos(let d): try c.encode(d, forKey: .detector)
        case .oneClassSVM(let d): try c.encode(d, forKey: .detector)
        case .mcd(let d): try c.encode(d, forKey: .detector)
        case .localOutlierFactor(let d): try c.encode(d, forKey: .detector)
        case .knn(let d): try c.encode(d, forKey: .detector)
        case .pca(let d): try c.encode(d, forKey: .detector)
        case .cblof(let d): try c.encode(d, forKey: .detector)
        case .loda(let d): try c.encode(d, forKey: .detector)
        case .suod(let d): try c.encode(d, forKey: .detector)
        case .autoencoder(let d): try c.encode(d, forKey: .detector)
        }
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

    /// Throws `VigilError.invalidParameter` naming the first bad setting.
    public func validate() throws {
        switch self {
        case .isolationForest(let p): try p.validate()
        case .ecod(let p): try p.validate()
        case .copod(let p): try p.validate()
        case .hbos(let p): try p.validate()
        case .oneClassSVM(let p): try p.validate()
        case .mcd(let p): try p.validate()
        case .localOutlierFactor(let p): try p.validate()
        case .knn(let p): try p.validate()
        case .pca(let p): try p.validate()
        case .cblof(let p): try p.validate()
        case .loda(let p): try p.validate()
        case .suod(let p): try p.validate()
        case .autoencoder(let p): try p.validate()
        }
    }
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
        switch self {
        case .isolationForest(let p): try c.encode(p, forKey: .parameters)
        case .ecod(let p): try c.encode(p, forKey: .parameters)
        case .copod(let p): try c.encode(p, forKey: .parameters)
        case .hbos(let p): try c.encode(p, forKey: .parameters)
        case .oneClassSVM(let p): try c.encode(p, forKey: .parameters)
        case .mcd(let p): try c.encode(p, forKey: .parameters)
        case .localOutlierFactor(let p): try c.encode(p, forKey: .parameters)
        case .knn(let p): try c.encode(p, forKey: .parameters)
        case .pca(let p): try c.encode(p, forKey: .parameters)
        case .cblof(let p): try c.encode(p, forKey: .parameters)
        case .loda(let p): try c.encode(p, forKey: .parameters)
        case .suod(let p): try c.encode(p, forKey: .parameters)
        case .autoencoder(let p): try c.encode(p, forKey: .parameters)
        }
    }
}
