import Foundation
import Testing
import MiniBotCore

/// Accuracy on the labelled sets in data/intent: the dev set the lexicon is tuned on,
/// and held-out sets it is not tuned on (they measure generalisation).
@Suite("Intent data sets")
struct IntentDatasetTests {
    static let dataFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("data/intent")

    static func load(_ name: String) throws -> [IntentSample] {
        let url = dataFolder.appendingPathComponent(name)
        let text = try String(contentsOf: url, encoding: .utf8)
        return try IntentSample.parseTSV(text, source: url.path)
    }

    let classifier = IntentClassifier(lexicon: .default)

    @Test func devSetIsLargeVariedAndAtLeast95PercentRight() throws {
        let samples = try Self.load("dev.tsv")
        #expect(samples.count >= 350)
        for intent in Intent.allCases {
            #expect(samples.filter { $0.intent == intent }.count >= 40, "too few \(intent) samples")
        }
        let evaluation = IntentEvaluation(classifier: classifier, samples: samples)
        print(evaluation.table(title: "dev"))
        #expect(evaluation.accuracy >= 0.95, "\(evaluation.misses.map { "\($0.sample.line): \($0.sample.text) → \($0.result.intent)" })")
        for report in evaluation.classes {
            #expect(report.precision >= 0.9 && report.recall >= 0.9, "\(report)")
        }
    }

    /// Floors are what the classifier reaches, a little under, so a regression fails.
    /// heldout.tsv was written before any tuning (but read while the first lexicon draft was
    /// written); heldout-2.tsv after that draft (first measured at 90.4%, since seen while
    /// tuning); heldout-3.tsv blind after the lexicon was frozen. None is tuned on.
    @Test("Held-out sets", arguments: [("heldout.tsv", 0.97), ("heldout-2.tsv", 0.95), ("heldout-3.tsv", 0.97)])
    func heldOut(_ file: String, _ floor: Double) throws {
        let samples = try Self.load(file)
        #expect(samples.count >= 120)
        let evaluation = IntentEvaluation(classifier: classifier, samples: samples)
        print(evaluation.table(title: file))
        #expect(evaluation.accuracy >= floor, "\(evaluation.misses.map { "\($0.sample.line): \($0.sample.text) → \($0.result.intent)" })")
    }

    @Test func heldOutPhrasingsAreNotInTheDevSet() throws {
        func key(_ text: String) -> String {
            text.lowercased().filter { $0.isLetter || $0 == " " }.split(separator: " ").joined(separator: " ")
        }
        let dev = Set(try Self.load("dev.tsv").map { key($0.text) })
        for file in ["heldout.tsv", "heldout-2.tsv", "heldout-3.tsv"] {
            let shared = try Self.load(file).filter { dev.contains(key($0.text)) }.map(\.text)
            #expect(shared.isEmpty, "\(file) repeats dev phrasings: \(shared)")
        }
    }

    @Test func evaluationCountsPrecisionAndRecall() {
        let samples = [
            IntentSample(intent: .positive, text: "oui"), IntentSample(intent: .positive, text: "non"),
            IntentSample(intent: .negative, text: "non"), IntentSample(intent: .question, text: "c'est qui"),
        ]
        let evaluation = IntentEvaluation(classifier: classifier, samples: samples)
        #expect(evaluation.total == 4 && evaluation.correct == 3)
        let positive = evaluation.classes.first { $0.intent == .positive }!
        let negative = evaluation.classes.first { $0.intent == .negative }!
        #expect(positive.precision == 1 && positive.recall == 0.5)
        #expect(negative.precision == 0.5 && negative.recall == 1)
        #expect(evaluation.confusion.flatMap { $0 }.reduce(0, +) == 4)
        #expect(evaluation.misses.map(\.sample.text) == ["non"])
    }

    @Test func tsvErrorsNameTheLine() {
        #expect(throws: IntentDatasetError.self) { try IntentSample.parseTSV("# c\npositive\toui\nyes\toui\n", source: "x.tsv") }
        do {
            _ = try IntentSample.parseTSV("positive\toui\nyes\toui\n", source: "x.tsv")
        } catch {
            #expect("\(error)".hasPrefix("x.tsv:2: \"yes\" is not a label"))
        }
        #expect((try? IntentSample.parseTSV("neutral\t\n\nneutral\n"))?.count == 2)
    }
}
