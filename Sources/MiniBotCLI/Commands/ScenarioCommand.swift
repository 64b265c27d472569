import ArgumentParser
import Foundation
import MiniBotCore
import MiniBotDialer

/// `minibot scenario …`: check a call script and walk it with text answers.
struct ScenarioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario",
        abstract: "Check a scenario file, or walk it with text answers.",
        subcommands: [ScenarioCheckCommand.self, ScenarioSimulateCommand.self, ScenarioShowCommand.self]
    )
}

struct ScenarioCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a scenario: steps, transitions, loops, and every prompt file.",
        discussion: "FILE is a YAML or JSON scenario, or `universal` for the built-in one (its prompts in DATA_DIR/prompts/universal)."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Scenario file, or `universal`.")
    var file = ScenarioLoader.builtinName

    @Flag(help: "Do not open the prompt files.")
    var noPrompts = false

    @Flag(help: "Print one JSON object.")
    var json = false

    struct Report: Encodable {
        var scenario: String
        var source: String
        var promptDirectory: String
        var valid: Bool
        var problems: [String]
        var steps: [String]

        enum CodingKeys: String, CodingKey {
            case scenario, source, valid, problems, steps
            case promptDirectory = "prompt_directory"
        }
    }

    func run() async throws {
        let runtime = try Runtime(global)
        do {
            let loaded = try runtime.loadScenario(file, checkPrompts: !noPrompts)
            if json {
                try Output.json(Report(scenario: loaded.scenario.name, source: loaded.source, promptDirectory: loaded.promptDirectory,
                                       valid: true, problems: [], steps: loaded.scenario.orderedSteps.map(\.name)))
                return
            }
            var table = Table(["step", "prompt", "listen"])
            for step in loaded.scenario.orderedSteps {
                let listen = step.listen.map { String(format: "silence %.1f s, stop %.1f s", $0.maxSilenceSeconds, $0.waitBeforeStop) } ?? "final"
                table.add([step.name, step.prompt.file, listen])
            }
            Output.write(table.render() + "\n")
            for step in loaded.scenario.orderedSteps {
                Output.write("\(step.name): \(Self.summary(of: step))\n")
            }
            Output.write("\(loaded.scenario.name) (\(loaded.source)): valid, \(loaded.scenario.steps.count) steps"
                         + (noPrompts ? "" : ", prompts in \(loaded.promptDirectory)") + "\n")
        } catch let error as ScenarioError {
            if json {
                try Output.json(Report(scenario: file, source: file, promptDirectory: "", valid: false, problems: error.problems, steps: []))
            } else {
                Output.error("\(error)\n")
            }
            throw ExitCode.failure
        }
    }

    /// `positive, neutral → q1; negative → retry (Not_interested); silence → end (No_answer)`.
    static func summary(of step: ScenarioStep) -> String {
        if step.isFinal { return "hang up" + (step.outcome.map { " (\($0.rawValue))" } ?? "") }
        var groups: [String: [ScenarioEvent]] = [:]
        var order: [String] = []
        for event in ScenarioEvent.allCases {
            guard let transition = step.transitions[event] else { continue }
            let target = (transition.next ?? "end") + (transition.outcome.map { " (\($0.rawValue))" } ?? "")
            if groups[target] == nil { order.append(target) }
            groups[target, default: []].append(event)
        }
        return order.map { "\(groups[$0]!.map(\.rawValue).joined(separator: ", ")) → \($0)" }.joined(separator: "; ")
    }
}

struct ScenarioSimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Walk a scenario with text answers, classified by the real intent classifier.",
        discussion: """
        Each answer goes to the next listening step; an empty answer is silence. When the answers run out \
        the callee is silent. Example: minibot scenario simulate universal --answers "oui|non merci|c'est qui"
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Scenario file, or `universal`.")
    var file = ScenarioLoader.builtinName

    @Option(help: "The callee's answers, separated by |.")
    var answers: String = ""

    @Flag(help: "An answering machine picks up.")
    var machine = false

    @Flag(help: "Print one JSON object.")
    var json = false

    struct Turn: Encodable {
        var step: String
        var prompt: String
        var answer: String?
        var event: String?
        var confidence: Double?
    }

    struct Report: Encodable {
        var scenario: String
        var path: [String]
        var turns: [Turn]
        var outcome: String?
        var lead: Bool
        var endReason: String?

        enum CodingKeys: String, CodingKey {
            case scenario, path, turns, outcome, lead
            case endReason = "end_reason"
        }
    }

    func run() async throws {
        let runtime = try Runtime(global)
        let loaded: LoadedScenario
        do {
            loaded = try runtime.loadScenario(file, checkPrompts: false)
        } catch let error as ScenarioError {
            Output.error("\(error)\n")
            throw ExitCode.failure
        }
        let report = Self.simulate(loaded.scenario, answers: answers.isEmpty ? [] : answers.components(separatedBy: "|"),
                                   machine: machine, classifier: IntentClassifier())
        if json { return try Output.json(report) }
        var table = Table(["step", "answer", "intent", "confidence"])
        for turn in report.turns {
            table.add([turn.step, turn.answer.map { $0.isEmpty ? "(silence)" : $0 } ?? "-", turn.event ?? "-",
                       turn.confidence.map { String(format: "%.2f", $0) } ?? "-"])
        }
        Output.write(table.render())
        Output.write("path: \(report.path.joined(separator: " → "))\n")
        Output.write("outcome: \(report.outcome ?? "none")\(report.lead ? " (lead)" : "")\n")
        if let reason = report.endReason { Output.write("ended: \(reason)\n") }
    }

    static func simulate(_ scenario: Scenario, answers: [String], machine: Bool, classifier: IntentClassifier) -> Report {
        var engine = ScenarioEngine(scenario: scenario)
        var remaining = answers[...]
        var turns: [Turn] = []
        var action = engine.begin(amd: machine ? .machine : .human)
        while case .play(let step) = action {
            guard !step.isFinal else {
                turns.append(Turn(step: step.name, prompt: step.prompt.text))
                action = engine.promptFinished()
                continue
            }
            let answer = remaining.popFirst()?.trimmingCharacters(in: .whitespaces) ?? ""
            let event: ScenarioEvent
            var confidence: Double?
            if answer.isEmpty {
                event = .silence
            } else {
                let result = classifier.classify(answer)
                event = ScenarioEvent(result.intent)
                confidence = result.confidence
            }
            turns.append(Turn(step: step.name, prompt: step.prompt.text, answer: answer, event: event.rawValue, confidence: confidence))
            action = engine.answer(event)
        }
        return Report(scenario: scenario.name, path: engine.path, turns: turns, outcome: engine.outcome?.rawValue,
                      lead: engine.isLead, endReason: engine.endReason)
    }
}

struct ScenarioShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the built-in universal scenario, to copy and adapt."
    )

    func run() async throws {
        Output.write(try ScenarioLoader.builtinText)
    }
}

extension Runtime {
    /// Where the prompts of the built-in scenario live: DATA_DIR/prompts/universal.
    var builtinPromptDirectory: String {
        (config.dataDir as NSString).appendingPathComponent("prompts/\(ScenarioLoader.builtinName)")
    }

    func loadScenario(_ nameOrPath: String, checkPrompts: Bool) throws -> LoadedScenario {
        let listen = config.listen
        return try ScenarioLoader.load(nameOrPath, defaultPromptDirectory: builtinPromptDirectory, checkPrompts: checkPrompts) { step in
            let timeouts = listen.timeouts(for: step)
            return ListenTimeouts(maxSilenceSeconds: timeouts.maxSilenceSeconds, waitBeforeStop: timeouts.waitBeforeStop)
        }
    }
}
