/// A fitted detector of any backend: what a model file and the service hold.
public enum AnyDetector: Sendable, Equatable {
    case isolationForest(IsolationForest)
    case ecod(ECOD)
    case copod(COPOD)
    case hbos(HBOS)
    case autoencoder(AutoEncoder)

    /// The backend of the detector.
    public var backend: Backend {
        switch self {
        case .isolationForest: .isolationForest
        case .ecod: .ecod
        case .copod: .copod
        case .hbos: .hbos
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
    case autoencoder(AutoEncoder.Parameters)

    /// The reference implementation's defaults for `backend`.
    public static func defaults(for backend: Backend) -> DetectorSettings {
        switch backend {
        case .isolationForest: .isolationForest(.init())
        case .ecod: .ecod(.init())
        case .copod: .copod(.init())
        case .hbos: .hbos(.init())
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
        case .autoencoder(let p): try c.encode(p, forKey: .parameters)
        }
    }
}
