import Foundation

/// The chi-squared distribution with `degrees` degrees of freedom: CDF through the regularised lower
/// incomplete gamma function P(k/2, x/2) (series below a + 1, Lentz's continued fraction above;
/// Press et al., *Numerical Recipes* §6.2), quantile by bisection to full double precision.
public struct ChiSquared: Sendable {
    /// Degrees of freedom (> 0).
    public let degrees: Double

    /// The distribution with `degrees` degrees of freedom.
    public init(degrees: Double) { self.degrees = degrees }

    /// P(X ≤ x).
    public func cdf(_ x: Double) -> Double {
        x <= 0 ? 0 : Self.regularizedLowerGamma(degrees / 2, x / 2)
    }

    /// The x with P(X ≤ x) = p, for p in (0, 1) (SciPy's `chi2.ppf`).
    public func quantile(_ p: Double) -> Double {
        var lo = 0.0, hi = max(1.0, degrees)
        while cdf(hi) < p { hi *= 2 }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if mid <= lo || mid >= hi { break }
            if cdf(mid) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// P(a, x) = γ(a, x) / Γ(a).
    static func regularizedLowerGamma(_ a: Double, _ x: Double) -> Double {
        let logPrefix = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            var term = 1 / a, sum = term, ap = a
            for _ in 0..<10_000 {
                ap += 1
                term *= x / ap
                sum += term
                if abs(term) < abs(sum) * 1e-17 { break }
            }
            return min(1, sum * exp(logPrefix))
        }
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-17 { break }
        }
        return max(0, 1 - exp(logPrefix) * h)
    }
}
