/// Detection quality measures against 0/1 labels (1 = anomaly).
public enum Metrics {
    /// Area under the ROC curve, ties counted as half (the trapezoidal rule), as scikit-learn's
    /// `roc_auc_score`: AUC = (Σ ranks of positives − P(P+1)/2) / (P·N) with average ranks for ties.
    public static func rocAUC(labels: [Double], scores: [Double]) throws -> Double {
        let (pos, neg) = try counts(labels: labels, scores: scores)
        guard pos > 0, neg > 0 else {
            throw VigilError.invalidLabels("ROC AUC needs both classes; got \(pos) anomalies and \(neg) normal rows")
        }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSumPositives = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            // Ranks i+1 … j+1 share their average.
            let averageRank = Double(i + j + 2) / 2
            for k in i...j where labels[order[k]] == 1 { rankSumPositives += averageRank }
            i = j + 1
        }
        let p = Double(pos), n = Double(neg)
        return (rankSumPositives - p * (p + 1) / 2) / (p * n)
    }

    /// Average precision, as scikit-learn's `average_precision_score`:
    /// AP = Σ_k (R_k − R_{k−1}) · P_k over the distinct score thresholds, highest first.
    public static func averagePrecision(labels: [Double], scores: [Double]) throws -> Double {
        let (pos, _) = try counts(labels: labels, scores: scores)
        guard pos > 0 else { throw VigilError.invalidLabels("average precision needs at least one anomaly") }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var truePositives = 0, seen = 0
        var previousRecall = 0.0, ap = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            for k in i...j where labels[order[k]] == 1 { truePositives += 1 }
            seen = j + 1
            let recall = Double(truePositives) / Double(pos)
            let precision = Double(truePositives) / Double(seen)
            ap += (recall - previousRecall) * precision
            previousRecall = recall
            i = j + 1
        }
        return ap
    }

    /// Precision, recall and F1 of `predicted` (true = flagged) against the labels.
    public static func classification(labels: [Double], predicted: [Bool]) throws -> (precision: Double, recall: Double, f1: Double) {
        guard labels.count == predicted.count else {
            throw VigilError.invalidLabels("\(labels.count) labels for \(predicted.count) predictions")
        }
        var tp = 0, fp = 0, fn = 0
        for (label, flagged) in zip(labels, predicted) {
            switch (label == 1, flagged) {
            case (true, true): tp += 1
            case (false, true): fp += 1
            case (true, false): fn += 1
            case (false, false): break
            }
        }
        let precision = tp + fp == 0 ? 0 : Double(tp) / Double(tp + fp)
        let recall = tp + fn == 0 ? 0 : Double(tp) / Double(tp + fn)
        let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
        return (precision, recall, f1)
    }

    private static func counts(labels: [Double], scores: [Double]) throws -> (Int, Int) {
        guard labels.count == scores.count else {
            throw VigilError.invalidLabels("\(labels.count) labels for \(scores.count) scores")
        }
        var pos = 0, neg = 0
        for (index, label) in labels.enumerated() {
            if label == 1 { pos += 1 } else if label == 0 { neg += 1 } else {
                throw VigilError.invalidLabels("label \(label) at row \(index) is not 0 or 1")
            }
        }
        for (index, s) in scores.enumerated() where s.isNaN {
            throw VigilError.invalidLabels("score at row \(index) is NaN")
        }
        return (pos, neg)
    }
}
