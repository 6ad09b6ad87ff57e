import XCTest
import Foundation
@testable import VigilCore

/// The pieces ECOD and COPOD share: radix sorts, the bucket index, skewness, tail counts.
final class EmpiricalDistributionTests: XCTestCase {
    /// Columns that exercise the sorts' paths: small, > 65,536 (most-significant-digit split),
    /// both signs with ±0, a crowded narrow range next to a huge outlier (truncated keys in the
    /// row-carrying sort), and heavy ties.
    private func columns() -> [[Double]] {
        var g = SeededGenerator(seed: 99)
        func u() -> Double { Double(g.next() >> 11) / Double(1 << 53) }
        let small = (0..<300).map { _ in u() * 10 - 5 }
        let large = (0..<100_000).map { _ in exp(u() * 20 - 10) * (u() < 0.3 ? -1 : 1) }
        var signedZeros = (0..<5000).map { _ in (u() * 6).rounded() - 3 }
        for i in stride(from: 0, to: signedZeros.count, by: 7) { signedZeros[i] = -0.0 }
        var crowded = (0..<80_000).map { _ in 1e6 + u() * 1e-3 }
        crowded[17] = 1e300
        crowded[18] = -1e300
        let ties = (0..<70_000).map { _ in Double(Int(u() * 12)) }
        return [small, large, signedZeros, crowded, ties]
    }

    func testRadixSortsAgreeWithTheStandardSort() {
        for column in columns() {
            let expected = column.sorted()
            let sorted = column.withUnsafeBufferPointer { RadixSort.sorted($0) }
            XCTAssertEqual(sorted, expected)  // −0 == +0 for XCTAssertEqual, as for the ECDF
            let (withRows, rows) = column.withUnsafeBufferPointer { RadixSort.sortedWithRows($0) }
            XCTAssertEqual(withRows, expected)
            XCTAssertEqual(Set(rows).count, column.count)
            for (value, row) in zip(withRows, rows) { XCTAssertEqual(value, column[Int(row)]) }
        }
    }

    func testTailCountsAgreeWithCountingEveryValue() {
        var g = SeededGenerator(seed: 5)
        for column in columns() {
            let distribution = column.withUnsafeBufferPointer { EmpiricalDistribution(column: $0, numpyPairwise: false) }
            XCTAssertEqual(distribution.sampleCount, column.count)
            XCTAssertTrue(distribution.values.allSatisfy { $0.sign == .plus || $0 != 0 })
            var probes = (0..<200).map { _ in column[Int(g.next() % UInt64(column.count))] }
            probes += [-0.0, 0.0, 1e6 + 5e-4, -1e301, 1e301, 0.5, -2.5]
            let sorted = column.sorted()
            // Plain bisection over the sorted column: first index whose value fails `belongs`.
            func boundary(_ belongs: (Double) -> Bool) -> Int {
                var lo = 0, hi = sorted.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if belongs(sorted[mid]) { lo = mid + 1 } else { hi = mid }
                }
                return lo
            }
            for x in probes {
                let atMost = boundary { $0 <= x }
                let atLeast = column.count - boundary { $0 < x }
                let counts = distribution.tailCounts(x)
                XCTAssertEqual(counts.atMost, max(atMost, 1), "x = \(x)")
                XCTAssertEqual(counts.atLeast, max(atLeast, 1), "x = \(x)")
            }
        }
    }

    /// Reference values from SciPy 1.17 `skew` (biased g1) and its zero-variance test.
    func testSkewnessFollowsSciPy() {
        func skew(_ a: [Double], pairwise: Bool = false) -> Double {
            a.withUnsafeBufferPointer { EmpiricalDistribution.skewness(of: $0, numpyPairwise: pairwise) }
        }
        XCTAssertEqual(skew([2, 8, 0, 4, 1, 9, 9, 0]), 0.2650554122698573, accuracy: 1e-14)
        XCTAssertEqual(skew([1, 2, 3, 4, 10]), 1.1384199576606167, accuracy: 1e-14)
        XCTAssertEqual(skew([1, 2, 3, 4, 10], pairwise: true), 1.1384199576606167, accuracy: 1e-14)
        XCTAssertEqual(skew([1, 2, 3, 4, 5]), 0)
        XCTAssertEqual(skew([7, 7, 7]), 0)  // SciPy: NaN, PyOD's nan_to_num: 0
        // m2 ≤ (ε · mean)²: SciPy treats the column as constant even though it varies.
        XCTAssertEqual(skew([1e10, 1e10, 1e10 + 1e-6, 1e10]), 0)
    }

    func testNumPyPairwiseSumOrder() {
        // 1e16 + 1 + 1 … left to right loses every 1; NumPy's eight partial sums keep some.
        let values = [1e16] + [Double](repeating: 1, count: 15)
        let pairwise = values.withUnsafeBufferPointer { Statistics.numpyPairwiseSum($0) }
        XCTAssertEqual(pairwise, 1e16 + 14)  // r0 = 1e16 + 1 rounds away; r1 … r7 keep 2 each
        XCTAssertEqual(values.reduce(0, +), 1e16)
    }
}
