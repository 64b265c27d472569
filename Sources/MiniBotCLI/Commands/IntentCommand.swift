import ArgumentParser
import Foundation
import MiniBotCore

struct IntentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intent",
        abstract: "Classify French answers: positive, negative, neutral, question, callback or opt_out.",
        discussion: """
        Each TEXT argument is one utterance (quote it: minibot intent "je suis pas contre"). With --file, \
        each line of the file is one utterance ("-" reads standard input). Results come in the same order: \
        with --json one object {"text","intent","confidence"} a line, otherwise a table. --lexicon uses a \
        campaign's tuned lexicon (docs/INTENT.md); --explain shows the cues behind each decision.
        """
    )

    @Argument(help: "Utterances to classify, one per argument.")
    var text: [String] = []

    @Option(name: .long, help: "A file with one utterance a line (\"-\" for standard input).")
    var file: String?

    @Option(name: .long, help: "A lexicon JSON file to use instead of the bundled French one.")
    var lexicon: String?

    @Flag(help: "Print one JSON object a line: {\"text\",\"intent\",\"confidence\"}.")
    var json = false

    @Flag(help: "Show the words, cues and scores behind each decision (for tuning a lexicon).")
    var explain = false

    func validate() throws {
        if text.isEmpty, file == nil {
            throw ValidationError("give the utterances as arguments, or --file PATH with one utterance a line")
        }
        if !text.isEmpty, file != nil {
            throw ValidationError("give utterances as arguments or with --file, not both")
        }
        if json, explain {
            throw ValidationError("--explain prints a readable report; leave out --json")
        }
    }

    func run() async throws {
        let chosen = try lexicon.map { try IntentLexicon(contentsOf: URL(fileURLWithPath: $0)) } ?? .default
        let classifier = IntentClassifier(lexicon: chosen)
        let utterances = try file.map(Self.readLines) ?? text

        if explain {
            for utterance in utterances {
                Output.write(Self.report(classifier.explain(utterance), text: utterance) + "\n")
            }
        } else if json {
            var out = ""
            for utterance in utterances {
                out += try Self.jsonLine(utterance, classifier.classify(utterance)) + "\n"
            }
            Output.write(out)
        } else {
            var table = Table(["text", "intent", "confidence"], alignments: [.left, .left, .right])
            for utterance in utterances {
                let result = classifier.classify(utterance)
                table.add([utterance, result.intent.rawValue, Self.format(result.confidence)])
            }
            Output.write(table.render())
        }
    }

    /// The lines of a file (or standard input), keeping empty lines so the output lines up with the input.
    static func readLines(_ path: String) throws -> [String] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read \(path): no such file or not readable")
            }
            data = contents
        }
        var lines = String(decoding: data, as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// `{"text":…,"intent":…,"confidence":…}` with the keys in that order.
    static func jsonLine(_ text: String, _ result: IntentResult) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let quoted = String(decoding: try encoder.encode(text), as: UTF8.self)
        return "{\"text\":\(quoted),\"intent\":\"\(result.intent.rawValue)\",\"confidence\":\(format(result.confidence))}"
    }

    /// A confidence with three decimals: `0.934`.
    static func format(_ confidence: Double) -> String {
        let thousandths = Int((confidence * 1000).rounded())
        let text = String(thousandths)
        return thousandths >= 1000 ? "1.000" : "0." + String(repeating: "0", count: 3 - text.count) + text
    }

    static func report(_ explanation: IntentExplanation, text: String) -> String {
        var lines = ["\(text)", "  → \(explanation.result.intent.rawValue) (confidence \(format(explanation.result.confidence)))",
                     "  words: \(explanation.tokens.joined(separator: " "))"]
        for cue in explanation.cues {
            let turned = cue.negated ? " (negated)" : ""
            lines.append("  cue \"\(cue.pattern)\" on \"\(cue.matched)\"\(turned): \(cue.intent.rawValue) +\(String(format: "%.2f", cue.weight))")
        }
        for signal in explanation.signals {
            lines.append("  \(signal.name): \(signal.intent.rawValue) +\(String(format: "%.2f", signal.weight))")
        }
        let scores = Intent.allCases.map { "\($0.rawValue) \(String(format: "%.2f", explanation.scores[$0] ?? 0))" }
        lines.append("  scores: " + scores.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}
