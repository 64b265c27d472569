import ArgumentParser
import Foundation
import MiniBotCore

/// `minibot-bench intent`: classification speed on the dev set, and accuracy with
/// per-intent precision / recall / F1 on the dev set and the held-out sets.
struct IntentBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intent",
        abstract: "Intent classifier: utterances per second, accuracy and per-intent precision/recall/F1."
    )

    @Option(help: "Labelled set the speed is measured on and the lexicon is tuned on.")
    var dev = "data/intent/dev.tsv"

    @Option(help: "Held-out labelled sets (never tuned on); repeat the option for several.")
    var heldout: [String] = ["data/intent/heldout.tsv", "data/intent/heldout-2.tsv", "data/intent/heldout-3.tsv"]

    @Option(help: "A lexicon JSON file instead of the bundled French one.")
    var lexicon: String?

    @Option(help: "How long to measure the speed, in seconds.")
    var seconds: Double = 3

    func run() async throws {
        let chosen = try lexicon.map { try IntentLexicon(contentsOf: URL(fileURLWithPath: $0)) } ?? .default
        let classifier = IntentClassifier(lexicon: chosen)
        let devSamples = try Self.load(dev)
        let sets = try [(name: "dev", path: dev, samples: devSamples)]
            + heldout.map { (name: Self.name(of: $0), path: $0, samples: try Self.load($0)) }

        // Speed: classify the dev set over and over for `seconds`.
        let texts = devSamples.map(\.text)
        let clock = ContinuousClock()
        var classified = 0
        var checksum = 0
        let cpuStart = Self.threadCPUSeconds()
        let start = clock.now
        var elapsed = Duration.zero
        repeat {
            for text in texts { checksum &+= classifier.classify(text).intent.rawValue.utf8.count }
            classified += texts.count
            elapsed = clock.now - start
        } while elapsed < .seconds(seconds)
        let cpuSeconds = Self.threadCPUSeconds() - cpuStart
        let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let perSecond = Double(classified) / elapsedSeconds
        let perCPUSecond = Double(classified) / cpuSeconds

        var json: [String: Any] = [
            "benchmark": "intent",
            "patterns": chosen.patternCount,
            "utterances_per_second": Int(perSecond.rounded()),
            "utterances_per_cpu_second": Int(perCPUSecond.rounded()),
            "microseconds_per_utterance": (1e6 / perSecond * 100).rounded() / 100,
            "classified": classified,
            "checksum": checksum,
        ]
        print("Intent classifier: \(chosen.patternCount) patterns, \(classified) utterances in \(String(format: "%.2f", elapsedSeconds)) s")
        print("speed: \(Int(perSecond.rounded())) utterances/s wall clock (\(String(format: "%.2f", 1e6 / perSecond)) µs each), "
            + "\(Int(perCPUSecond.rounded())) per second of CPU time (one thread; the two differ on a busy machine)\n")
        var setsJSON: [[String: Any]] = []
        for set in sets {
            let evaluation = IntentEvaluation(classifier: classifier, samples: set.samples)
            print(evaluation.table(title: "\(set.name) (\(set.path))") + "\n")
            setsJSON.append([
                "name": set.name,
                "file": set.path,
                "total": evaluation.total,
                "correct": evaluation.correct,
                "accuracy": Self.round(evaluation.accuracy),
                "classes": evaluation.classes.map {
                    [
                        "intent": $0.intent.rawValue, "support": $0.support, "precision": Self.round($0.precision),
                        "recall": Self.round($0.recall), "f1": Self.round($0.f1),
                    ] as [String: Any]
                },
                "misses": evaluation.misses.map {
                    ["line": $0.sample.line, "expected": $0.sample.intent.rawValue, "got": $0.result.intent.rawValue, "text": $0.sample.text] as [String: Any]
                },
            ])
        }
        json["sets"] = setsJSON
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
    }

    static func load(_ path: String) throws -> [IntentSample] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path); run from the repository root or pass --dev / --heldout")
        }
        return try IntentSample.parseTSV(String(decoding: data, as: UTF8.self), source: path)
    }

    static func name(of path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }

    static func round(_ x: Double) -> Double { (x * 10000).rounded() / 10000 }

    /// CPU time this thread has used, in seconds.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
