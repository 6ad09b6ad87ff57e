import Foundation

/// The numeric features of each transfer a model sees, in this order:
/// `value` (token units), `gas_cost_eth` (gasUsed × effectiveGasPrice / 1e18), `log10_value`
/// (log10(1 + value)), `token_transfer_count` and `sender_transfer_count` (transfers of the same
/// token, and by the same sender, in the scanned range), `metadata_missing` (1 when name, symbol
/// or decimals is unknown).
public enum TransferFeatures {
    /// Column names, in order.
    public static let names = ["value", "gas_cost_eth", "log10_value", "token_transfer_count", "sender_transfer_count", "metadata_missing"]

    /// One row per transfer; `nil` for a transfer whose features cannot be computed (its receipt
    /// or gas price is unknown, or a value is not finite), with the reason.
    public static func rows(_ transfers: [LoadedTransfer]) -> [Result<[Double], FeatureProblem>] {
        var perToken = [String: Int](), perSender = [String: Int]()
        for t in transfers {
            perToken[t.transfer.token, default: 0] += 1
            perSender[t.transfer.from, default: 0] += 1
        }
        return transfers.map { t in
            guard let gas = t.gasCost else { return .failure(FeatureProblem(reason: "no receipt with gasUsed and effectiveGasPrice for the transaction")) }
            let value = t.amount.doubleValue, cost = gas.doubleValue
            let row = [value, cost, log10(1 + value), Double(perToken[t.transfer.token] ?? 0),
                       Double(perSender[t.transfer.from] ?? 0), t.metadata.isIncomplete ? 1 : 0]
            if let bad = row.indices.first(where: { !row[$0].isFinite }) {
                return .failure(FeatureProblem(reason: "\(names[bad]) is \(row[bad]), not a finite number"))
            }
            return .success(row)
        }
    }
}

/// Why a transfer has no feature row.
public struct FeatureProblem: Error, Sendable, Equatable {
    public var reason: String
}
