import VigilCore

/// Limits that decide when a model counts as drifting, and the window they are measured over.
public struct DriftSettings: Sendable, Equatable {
    /// Scored rows per model the live figures cover (default 1,000).
    public var window: Int
    /// Drifting when the live anomaly rate exceeds this multiple of the training rate (default 3).
    public var anomalyRateFactor: Double
    /// Drifting when any feature's (or the score's) PSI exceeds this (default 0.25).
    public var psiLimit: Double
    /// Rows the window must hold before a model can be called drifting (default 200, at most
    /// `window`): fewer rows give PSI values that are mostly sampling noise.
    public var minimumRows: Int
    /// Streaming detectors start a retrain as soon as they are found drifting (default off).
    public var retrainStreamsOnDrift: Bool

    /// The defaults unless overridden.
    public init(window: Int = 1_000, anomalyRateFactor: Double = 3, psiLimit: Double = 0.25, minimumRows: Int = 200,
                retrainStreamsOnDrift: Bool = false) {
        self.window = window
        self.anomalyRateFactor = anomalyRateFactor
        self.psiLimit = psiLimit
        self.minimumRows = minimumRows
        self.retrainStreamsOnDrift = retrainStreamsOnDrift
    }

    /// Rows needed before judging: `minimumRows`, capped at the window.
    var rowsToJudge: Int { max(1, min(minimumRows, window)) }
}

/// One model version's live data over the last `capacity` scored rows: per feature and for the
/// raw score, the count of rows in each reference bin, and the flagged count. Adding a row costs a
/// binary search over ≤ 9 cuts per feature and a few counter updates; nothing is allocated.
struct DriftWindow: Sendable {
    /// The version's training histograms (`nil` for a model without: only the rate is tracked).
    let reference: DriftReference?
    /// Rows covered.
    let capacity: Int
    /// Features + 1 (the score is the last variable), 0 without a reference.
    private let variables: Int
    /// Counts per variable are `stride` apart.
    private let stride: Int
    /// Bin of every variable of every row in the ring (`missing` for NaN).
    private var bins: [UInt8]
    private var flags: [Bool]
    private var counts: [Int]
    private var observed: [Int]
    private var next = 0
    private(set) var filled = 0
    private(set) var flagged = 0

    static let missing = UInt8.max

    /// An empty window over `capacity` rows (at least 1) for a version with `reference`.
    init(reference: DriftReference?, capacity: Int) {
        // Bins are stored in a byte; a reference with more bins than that is not tracked.
        let usable = reference.flatMap { r in (r.features + [r.score]).allSatisfy { $0.binCount < Int(Self.missing) } ? r : nil }
        self.reference = usable
        self.capacity = max(capacity, 1)
        variables = usable.map { $0.features.count + 1 } ?? 0
        stride = usable.map { r in (r.features + [r.score]).map(\.binCount).max() ?? 1 } ?? 0
        bins = [UInt8](repeating: Self.missing, count: self.capacity * variables)
        flags = [Bool](repeating: false, count: self.capacity)
        counts = [Int](repeating: 0, count: variables * stride)
        observed = [Int](repeating: 0, count: variables)
    }

    /// Adds row `r` of `x` (the detector's input columns), its raw score and whether it was
    /// flagged, dropping the oldest row once the window is full.
    mutating func add(_ x: Matrix, row r: Int, rawScore: Double, flagged isFlagged: Bool) {
        let slot = next
        if filled == capacity {
            for v in 0..<variables {
                let b = bins[slot * variables + v]
                if b != Self.missing {
                    counts[v * stride + Int(b)] -= 1
                    observed[v] -= 1
                }
            }
            if flags[slot] { flagged -= 1 }
        } else {
            filled += 1
        }
        if let reference {
            let d = variables - 1
            for j in 0..<d {
                put(reference.features[j].bin(x.values[r * x.cols + j]), variable: j, slot: slot)
            }
            put(reference.score.bin(rawScore), variable: d, slot: slot)
        }
        flags[slot] = isFlagged
        if isFlagged { flagged += 1 }
        next = next + 1 == capacity ? 0 : next + 1
    }

    @inline(__always)
    private mutating func put(_ bin: Int?, variable v: Int, slot: Int) {
        guard let bin else {
            bins[slot * variables + v] = Self.missing
            return
        }
        bins[slot * variables + v] = UInt8(truncatingIfNeeded: bin)
        counts[v * stride + bin] += 1
        observed[v] += 1
    }

    /// Flagged share of the rows in the window (0 when empty).
    var anomalyRate: Double { filled == 0 ? 0 : Double(flagged) / Double(filled) }

    /// PSI of feature `j` (or of the score for `j` = feature count) against the reference, `nil`
    /// without a reference.
    func psi(variable v: Int) -> Double? {
        guard let reference else { return nil }
        let histogram = v < reference.features.count ? reference.features[v] : reference.score
        return counts.withUnsafeBufferPointer { c in
            DriftReference.psi(expected: histogram.proportions,
                               counts: UnsafeBufferPointer(rebasing: c[(v * stride)..<(v * stride + histogram.binCount)]),
                               total: observed[v])
        }
    }

    /// The figures and the verdict under `settings`, for a version whose training rate was `trainingRate`.
    func status(trainingRate: Double, settings: DriftSettings) -> DriftStatus {
        let featureCount = reference?.features.count ?? 0
        let featurePSI = (0..<featureCount).map { psi(variable: $0) ?? 0 }
        let scorePSI = reference == nil ? nil : psi(variable: featureCount)
        var reasons = [DriftStatus.Reason]()
        if filled >= settings.rowsToJudge {
            if anomalyRate > settings.anomalyRateFactor * trainingRate { reasons.append(.anomalyRate) }
            for (j, value) in featurePSI.enumerated() where value > settings.psiLimit { reasons.append(.featurePSI(j)) }
            if let scorePSI, scorePSI > settings.psiLimit { reasons.append(.scorePSI) }
        }
        return DriftStatus(rows: filled, anomalyRate: anomalyRate, trainingAnomalyRate: trainingRate, featurePSI: featurePSI,
                           scorePSI: scorePSI, hasReference: reference != nil, reasons: reasons)
    }
}

/// A model's live figures and whether they make it drifting.
struct DriftStatus: Sendable, Equatable {
    /// Why a model is drifting.
    enum Reason: Sendable, Equatable {
        /// The live anomaly rate is past the factor × training rate.
        case anomalyRate
        /// Feature j's PSI is past the limit.
        case featurePSI(Int)
        /// The raw score's PSI is past the limit.
        case scorePSI
    }

    /// Rows in the window.
    var rows: Int
    /// Flagged share of them.
    var anomalyRate: Double
    /// The version's training anomaly rate.
    var trainingAnomalyRate: Double
    /// PSI per feature (empty without a reference).
    var featurePSI: [Double]
    /// PSI of the raw score (`nil` without a reference).
    var scorePSI: Double?
    /// Whether the version kept training histograms.
    var hasReference: Bool
    /// Every limit crossed; empty when not drifting (or too few rows to judge).
    var reasons: [Reason]

    /// Past a limit.
    var drifting: Bool { !reasons.isEmpty }
}
