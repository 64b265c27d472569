/// One labelled utterance of a data set (`label<TAB>text`, as in data/intent/*.tsv).
public struct IntentSample: Sendable, Equatable {
    public var intent: Intent
    public var text: String
    /// 1-based line in the file, for reports.
    public var line: Int

    public init(intent: Intent, text: String, line: Int = 0) {
        self.intent = intent
        self.text = text
        self.line = line
    }

    /// Parses a labelled set: one `label<TAB>text` a line; empty lines and lines
    /// starting with "#" are skipped; a label with no text is an empty utterance.
    public static func parseTSV(_ tsv: String, source: String = "<tsv>") throws -> [IntentSample] {
        var samples: [IntentSample] = []
        for (index, rawLine) in tsv.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            guard let intent = Intent(rawValue: String(parts[0])) else {
                throw IntentDatasetError(source: source, line: index + 1, problem: "\"\(parts[0])\" is not a label; start the line with one of \(Intent.allCases.map(\.rawValue).joined(separator: ", ")) and a tab")
            }
            samples.append(IntentSample(intent: intent, text: parts.count > 1 ? String(parts[1]) : "", line: index + 1))
        }
        return samples
    }
}

/// A labelled set that cannot be read, with the line to fix.
public struct IntentDatasetError: Error, CustomStringConvertible, Sendable {
    public var source: String
    public var line: Int
    public var problem: String
    public var description: String { "\(source):\(line): \(problem)" }
}

/// Accuracy, per-intent precision / recall / F1 and the confusion matrix of a classifier on a labelled set.
public struct IntentEvaluation: Sendable {
    public struct ClassReport: Sendable, Codable, Equatable {
        public var intent: Intent
        /// Samples labelled with this intent.
        public var support: Int
        /// Samples the classifier gave this intent.
        public var predicted: Int
        public var correct: Int
        public var precision: Double
        public var recall: Double
        public var f1: Double
    }

    /// A sample the classifier got wrong.
    public struct Miss: Sendable {
        public var sample: IntentSample
        public var result: IntentResult
    }

    public var total: Int
    public var correct: Int
    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }
    public var classes: [ClassReport]
    /// `confusion[expected][predicted]`, both indexed like `Intent.allCases`.
    public var confusion: [[Int]]
    public var misses: [Miss]

    public init(classifier: IntentClassifier, samples: [IntentSample]) {
        let intents = Intent.allCases
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: intents.count), count: intents.count)
        var misses: [Miss] = []
        for sample in samples {
            let result = classifier.classify(sample.text)
            confusion[sample.intent.index][result.intent.index] += 1
            if result.intent != sample.intent { misses.append(Miss(sample: sample, result: result)) }
        }
        self.confusion = confusion
        self.misses = misses
        self.total = samples.count
        self.correct = intents.reduce(0) { $0 + confusion[$1.index][$1.index] }
        self.classes = intents.map { intent in
            let i = intent.index
            let support = confusion[i].reduce(0, +)
            let predicted = confusion.reduce(0) { $0 + $1[i] }
            let correct = confusion[i][i]
            let precision = predicted == 0 ? 0 : Double(correct) / Double(predicted)
            let recall = support == 0 ? 0 : Double(correct) / Double(support)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            return ClassReport(intent: intent, support: support, predicted: predicted, correct: correct,
                               precision: precision, recall: recall, f1: f1)
        }
    }

    /// A readable table: one row per intent, then the accuracy.
    public func table(title: String) -> String {
        func pct(_ x: Double) -> String {
            let text = String(Int((x * 1000).rounded()))
            let padded = String(repeating: "0", count: max(0, 2 - text.count)) + text
            return "\(padded.dropLast()).\(padded.suffix(1))%"
        }
        func pad(_ s: String, _ width: Int, right: Bool = true) -> String {
            let fill = String(repeating: " ", count: max(0, width - s.count))
            return right ? fill + s : s + fill
        }
        var lines = ["\(title): \(correct)/\(total) correct, accuracy \(pct(accuracy))"]
        lines.append(pad("intent", 10, right: false) + pad("support", 9) + pad("precision", 11) + pad("recall", 9) + pad("F1", 9))
        for report in classes {
            lines.append(pad(report.intent.rawValue, 10, right: false) + pad("\(report.support)", 9)
                + pad(pct(report.precision), 11) + pad(pct(report.recall), 9) + pad(pct(report.f1), 9))
        }
        return lines.joined(separator: "\n")
    }
}
