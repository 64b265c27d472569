/// A scenario file as written (YAML or JSON), before validation.
///
/// ```yaml
/// name: universal
/// start: hello
/// prompts: .                      # folder of the audio, relative to this file
/// on:                             # for every listening step, unless it says otherwise
///   opt_out: {goto: bye_failed, outcome: Opt_out}
/// steps:
///   hello:
///     prompt: hello.wav
///     text: "Bonjour, …"
///     max_silence_seconds: 5
///     wait_before_stop: 1.5
///     barge_in: true
///     on:
///       positive: q1                # go to a step
///       negative: {goto: retry}
///       silence: {end: No_answer}   # hang up now, with this outcome
///       otherwise: retry            # every event not named
///   bye_success:
///     prompt: bye_success.wav
///     final: true                   # play, then hang up
///     outcome: Leads
/// ```
public struct ScenarioDocument: Decodable, Sendable, Equatable {
    public var name: String?
    public var description: String?
    public var language: String?
    public var start: String?
    public var prompts: String?
    public var maxTurns: Int?
    public var recordingNotice: PromptSpec?
    public var voicemail: PromptSpec?
    public var on: [String: TransitionSpec]?
    public var steps: [String: StepSpec]

    enum CodingKeys: String, CodingKey {
        case name, description, language, start, prompts, on, steps, voicemail
        case maxTurns = "max_turns", recordingNotice = "recording_notice"
    }

    public struct PromptSpec: Decodable, Sendable, Equatable {
        public var file: String
        public var text: String?
    }

    public struct StepSpec: Decodable, Sendable, Equatable {
        public var prompt: String?
        public var text: String?
        public var maxSilenceSeconds: Double?
        public var waitBeforeStop: Double?
        public var maxListenSeconds: Double?
        public var bargeIn: Bool?
        public var hint: String?
        public var on: [String: TransitionSpec]?
        public var final: Bool?
        public var outcome: String?

        enum CodingKeys: String, CodingKey {
            case prompt, text, hint, on, final, outcome
            case maxSilenceSeconds = "max_silence_seconds", waitBeforeStop = "wait_before_stop"
            case maxListenSeconds = "max_listen_seconds", bargeIn = "barge_in"
        }
    }

    /// `step`, or `{goto: step, outcome: Status}`, or `{end: Status}`.
    public struct TransitionSpec: Decodable, Sendable, Equatable {
        public var goto: String?
        public var outcome: String?
        public var end: String?

        enum CodingKeys: String, CodingKey { case goto, outcome, end }

        public init(goto: String?, outcome: String? = nil, end: String? = nil) {
            self.goto = goto
            self.outcome = outcome
            self.end = end
        }

        public init(from decoder: any Decoder) throws {
            if let single = try? decoder.singleValueContainer(), let step = try? single.decode(String.self) {
                self.init(goto: step)
                return
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(goto: try container.decodeIfPresent(String.self, forKey: .goto),
                      outcome: try container.decodeIfPresent(String.self, forKey: .outcome),
                      end: try container.decodeIfPresent(String.self, forKey: .end))
        }
    }
}

/// What is wrong with a scenario, each problem with where it is.
public struct ScenarioError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [String]

    public init(problems: [String]) {
        self.problems = problems
    }

    public var description: String {
        problems.count == 1 ? "invalid scenario: \(problems[0])"
            : "invalid scenario (\(problems.count) problems):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

extension Scenario {
    /// The outcomes a transition or final step may set.
    public static let outcomes: [ContactStatus] = [.leads, .notInterested, .noAnswer, .callback, .optOut, .failed]

    /// Builds and validates a scenario. Prompt files are not looked at here
    /// (no I/O in the core): see ``Scenario/promptProblems(_:)``.
    public init(document: ScenarioDocument, defaultName: String = "scenario",
                defaultTimeouts: (String) -> ListenTimeouts = { _ in ListenTimeouts(maxSilenceSeconds: 4, waitBeforeStop: 1.2) }) throws {
        var problems: [String] = []
        func outcome(_ text: String?, at place: String) -> ContactStatus? {
            guard let text else { return nil }
            guard let status = ContactStatus(lenient: text), Scenario.outcomes.contains(status) else {
                problems.append("\(place): unknown outcome '\(text)' (one of \(Scenario.outcomes.map(\.rawValue).joined(separator: ", ")))")
                return nil
            }
            return status
        }
        func transitions(_ specs: [String: ScenarioDocument.TransitionSpec]?, at place: String) -> (events: [ScenarioEvent: ScenarioTransition], otherwise: ScenarioTransition?) {
            var events: [ScenarioEvent: ScenarioTransition] = [:]
            var otherwise: ScenarioTransition?
            for (key, spec) in (specs ?? [:]).sorted(by: { $0.key < $1.key }) {
                let where_ = "\(place).on.\(key)"
                if spec.goto != nil && spec.end != nil {
                    problems.append("\(where_): give either goto or end, not both")
                }
                if spec.end != nil && spec.outcome != nil {
                    problems.append("\(where_): end already names the outcome; drop outcome")
                }
                if spec.goto == nil && spec.end == nil && spec.outcome == nil {
                    problems.append("\(where_): says neither where to go (goto) nor how to end (end)")
                }
                let transition = ScenarioTransition(next: spec.goto, outcome: outcome(spec.end ?? spec.outcome, at: where_))
                if key == "otherwise" || key == "default" {
                    otherwise = transition
                } else if let event = ScenarioEvent(rawValue: key) {
                    events[event] = transition
                } else {
                    problems.append("\(where_): '\(key)' is not an intent or event (one of \(ScenarioEvent.allCases.map(\.rawValue).joined(separator: ", ")), otherwise)")
                }
            }
            return (events, otherwise)
        }

        let common = transitions(document.on, at: "on")
        if common.otherwise != nil { problems.append("on.otherwise: a common fallback would hide each step's own; put otherwise in the steps") }
        var steps: [String: ScenarioStep] = [:]
        for (name, spec) in document.steps {
            let place = "steps.\(name)"
            let prompt = ScenarioPrompt(file: spec.prompt ?? "\(name).wav", text: spec.text ?? "")
            if spec.final == true {
                if spec.on != nil { problems.append("\(place): a final step hangs up after its prompt; it cannot have transitions (on)") }
                if spec.maxSilenceSeconds != nil || spec.waitBeforeStop != nil || spec.maxListenSeconds != nil {
                    problems.append("\(place): a final step does not listen; drop its listen timeouts")
                }
                steps[name] = ScenarioStep(name: name, prompt: prompt, listen: nil, bargeIn: spec.bargeIn ?? false, hint: nil,
                                           transitions: [:], outcome: outcome(spec.outcome, at: "\(place).outcome"))
                continue
            }
            if spec.outcome != nil { problems.append("\(place).outcome: only a final step sets an outcome; set it on a transition") }
            let fallback = defaultTimeouts(name)
            let listen = ListenTimeouts(maxSilenceSeconds: spec.maxSilenceSeconds ?? fallback.maxSilenceSeconds,
                                        waitBeforeStop: spec.waitBeforeStop ?? fallback.waitBeforeStop,
                                        maxListenSeconds: spec.maxListenSeconds ?? fallback.maxListenSeconds)
            for (key, value) in [("max_silence_seconds", listen.maxSilenceSeconds), ("wait_before_stop", listen.waitBeforeStop),
                                 ("max_listen_seconds", listen.maxListenSeconds)] where !(value > 0 && value <= 600) {
                problems.append("\(place).\(key): \(value) is not a number of seconds in 0…600")
            }
            let own = transitions(spec.on, at: place)
            var merged = common.events.merging(own.events) { _, mine in mine }
            if let otherwise = own.otherwise {
                for event in ScenarioEvent.answers where merged[event] == nil { merged[event] = otherwise }
            }
            let missing = ScenarioEvent.answers.filter { merged[$0] == nil }
            if !missing.isEmpty {
                problems.append("\(place).on: says nothing for \(missing.map(\.rawValue).joined(separator: ", ")) (add them, or otherwise)")
            }
            steps[name] = ScenarioStep(name: name, prompt: prompt, listen: listen, bargeIn: spec.bargeIn ?? true, hint: spec.hint,
                                       transitions: merged, outcome: nil)
        }

        let start = document.start ?? "hello"
        self.init(name: document.name ?? defaultName, description: document.description ?? "", language: document.language ?? "fr",
                  start: start, promptDirectory: document.prompts ?? ".",
                  recordingNotice: document.recordingNotice.map { ScenarioPrompt(file: $0.file, text: $0.text ?? "") },
                  voicemail: document.voicemail.map { ScenarioPrompt(file: $0.file, text: $0.text ?? "") },
                  steps: steps, maxTurns: document.maxTurns ?? 20)
        if !(1...100).contains(maxTurns) { problems.append("max_turns: \(maxTurns) is not in 1…100") }
        problems += structuralProblems()
        if !problems.isEmpty { throw ScenarioError(problems: problems) }
    }

    /// Unknown steps, unreachable steps, and steps from which no end can be reached.
    func structuralProblems() -> [String] {
        var problems: [String] = []
        if steps.isEmpty { return ["steps: the scenario has no steps"] }
        if steps[start] == nil { problems.append("start: no step named '\(start)' (steps: \(steps.keys.sorted().joined(separator: ", ")))") }
        for step in steps.values.sorted(by: { $0.name < $1.name }) {
            var unknown: [String: [ScenarioEvent]] = [:]
            for event in ScenarioEvent.allCases {
                if let next = step.transitions[event]?.next, steps[next] == nil { unknown[next, default: []].append(event) }
            }
            for (next, events) in unknown.sorted(by: { $0.key < $1.key }) {
                problems.append("steps.\(step.name).on: no step named '\(next)' (for \(events.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        guard problems.isEmpty else { return problems }

        var reachable: Set<String> = []
        var queue = [start]
        while let name = queue.popLast() {
            guard reachable.insert(name).inserted, let step = steps[name] else { continue }
            queue += step.targets
        }
        for name in steps.keys.sorted() where !reachable.contains(name) {
            problems.append("steps.\(name): unreachable from '\(start)'")
        }
        // A step can end the call if it is final, has a transition that hangs
        // up, or leads to a step that can.
        var canEnd: Set<String> = Set(steps.values.filter { step in
            step.isFinal || step.transitions.values.contains { $0.next == nil }
        }.map(\.name))
        var grew = true
        while grew {
            grew = false
            for step in steps.values where !canEnd.contains(step.name) && step.targets.contains(where: canEnd.contains) {
                canEnd.insert(step.name)
                grew = true
            }
        }
        let trapped = reachable.subtracting(canEnd).sorted()
        if !trapped.isEmpty {
            problems.append("steps \(trapped.joined(separator: ", ")): a loop with no exit (no path from them ends the call)")
        }
        return problems
    }

    /// Every prompt file the scenario plays, by step name (`notice` and `voicemail` included when set).
    public var promptFiles: [(step: String, prompt: ScenarioPrompt)] {
        var all = orderedSteps.map { (step: $0.name, prompt: $0.prompt) }
        if let recordingNotice { all.append((step: "recording_notice", prompt: recordingNotice)) }
        if let voicemail { all.append((step: "voicemail", prompt: voicemail)) }
        return all
    }

    /// Checks the steps' prompt files with `check`, which returns a problem (`no such file`,
    /// `not a WAV file: …`) or nil; throws every problem found at once. The
    /// recording notice and voicemail are checked by the campaign that uses them.
    public func validatePrompts(_ check: (ScenarioPrompt) -> String?) throws {
        let problems = orderedSteps.map { (step: $0.name, prompt: $0.prompt) }.compactMap { entry in
            check(entry.prompt).map { "steps.\(entry.step).prompt: \(entry.prompt.file): \($0)" }
        }
        if !problems.isEmpty { throw ScenarioError(problems: problems) }
    }
}
