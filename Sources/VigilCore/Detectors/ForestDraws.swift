/// The random draws of scikit-learn 1.9's `IsolationForest.fit(X)` with `random_state = seed`
/// (`sklearn/ensemble/_iforest.py`, `_bagging.py`, `_base.py`), each from its own NumPy
/// `RandomState`, in scikit-learn's order:
///
/// - dummy target y = `RandomState(seed).uniform(size=n)` (it only matters through the
///   "impurity ≤ ε" leaf rule);
/// - tree seeds sᵢ = `RandomState(seed).randint(2³¹ − 1, size=T)` — a fresh state: `BaseBagging._fit`
///   calls `check_random_state(seed)` again, so the seeds do not follow y;
/// - tree i's `random_state` = `RandomState(sᵢ).randint(2³¹ − 1)` (`_set_random_states`), and its
///   splitter's `rand_r_state` = `RandomState(that).randint(0, 2³¹ − 1)` (`Splitter.init`);
/// - tree i's bag from another fresh `RandomState(sᵢ)` (`_generate_bagging_indices`): first the
///   feature subset `sample_without_replacement(d, k)` (drawn even when k = d, where it draws
///   nothing), then the rows: `sample_without_replacement(n, ψ)`, or `randint(0, n, ψ)` with
///   bootstrap, turned into weights by `bincount`.
///
/// Each tree's draws depend only on its seed, so trees can be grown in any order or in parallel.
struct ForestDraws: Sendable {
    /// y, one double per row of X.
    let targets: [Double]
    /// sᵢ for each tree.
    let treeSeeds: [UInt32]

    /// `MAX_INT` of `_bagging.py` (`np.iinfo(np.int32).max`), also `RAND_R_MAX`.
    static let maxInt = Int(Int32.max)

    init(seed: UInt32, rows: Int, trees: Int) {
        var targetState = LegacyRandomState(seed: seed)
        var targets = [Double](repeating: 0, count: rows)
        for i in 0..<rows { targets[i] = targetState.randomSample() }
        self.targets = targets
        var seedState = LegacyRandomState(seed: seed)
        treeSeeds = (0..<trees).map { _ in UInt32(seedState.randint(Self.maxInt)) }
    }

    /// One tree's bag and splitter seed.
    struct Bag {
        /// Global columns, in the order the tree sees them.
        var features: [Int]
        /// Distinct drawn rows, ascending (the splitter's `samples`: rows of non-zero weight).
        var rows: [Int]
        /// How often each of `rows` was drawn.
        var weights: [Double]
        /// The splitter's initial `rand_r_state`.
        var splitterState: UInt32
    }

    func bag(tree t: Int, features d: Int, featuresPerTree k: Int, sampleSize psi: Int, bootstrap: Bool) -> Bag {
        let seed = treeSeeds[t]
        var seeding = LegacyRandomState(seed: seed)
        var treeState = LegacyRandomState(seed: UInt32(seeding.randint(Self.maxInt)))
        let splitterState = UInt32(treeState.randint(Self.maxInt))

        var draws = LegacyRandomState(seed: seed)
        let drawnFeatures = draws.sampleWithoutReplacement(population: d, count: k)
        let n = targets.count
        var drawnRows: [Int]
        if bootstrap {
            drawnRows = (0..<psi).map { _ in draws.randint(n) }
        } else {
            drawnRows = draws.sampleWithoutReplacement(population: n, count: psi)
        }
        drawnRows.sort()
        var rows = [Int](), weights = [Double]()
        rows.reserveCapacity(drawnRows.count)
        weights.reserveCapacity(drawnRows.count)
        for r in drawnRows {
            if rows.last == r { weights[weights.count - 1] += 1 } else { rows.append(r); weights.append(1) }
        }
        return Bag(features: k == d ? Array(0..<d) : drawnFeatures, rows: rows, weights: weights,
                   splitterState: splitterState)
    }
}
