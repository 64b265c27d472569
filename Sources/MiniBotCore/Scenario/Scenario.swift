/// A call script: named steps, each a prompt and what to do with the answer.
/// Build one from a ``ScenarioDocument`` (a YAML or JSON file) with
/// ``Scenario/init(document:)``, which validates it; drive it with a
/// ``ScenarioEngine``.
public struct Scenario: Sendable, Equatable {
    public var name: String
    public var description: String
    /// Language of the answers (ISO 639-1), for the recogniser.
    public var language: String
    /// The first step played once a person answered.
    public var start: String
    /// Folder of the prompts' audio, relative to the scenario file.
    public var promptDirectory: String
    /// A short notice that the call is recorded, played before the first step when the campaign asks for it.
    public var recordingNotice: ScenarioPrompt?
    /// The voicemail message, left after the beep when the campaign asks for it.
    public var voicemail: ScenarioPrompt?
    public var steps: [String: ScenarioStep]
    /// The most answers one call may go through before the robot hangs up.
    public var maxTurns: Int

    /// The steps from ``start`` in the order a call meets them (breadth first), then any others by name.
    public var orderedSteps: [ScenarioStep] {
        var order: [String] = []
        var seen: Set<String> = []
        var queue = [start]
        while !queue.isEmpty {
            let name = queue.removeFirst()
            guard let step = steps[name], seen.insert(name).inserted else { continue }
            order.append(name)
            queue += step.targets
        }
        order += steps.keys.filter { !seen.contains($0) }.sorted()
        return order.compactMap { steps[$0] }
    }
}

/// What the robot says at a step: an audio file, and the words it holds
/// (shown in transcripts, and used to synthesise the file when it is missing).
public struct ScenarioPrompt: Sendable, Equatable, Codable {
    /// Audio file name, relative to the scenario's prompt folder.
    public var file: String
    public var text: String

    public init(file: String, text: String = "") {
        self.file = file
        self.text = text
    }
}

/// One step of a scenario.
public struct ScenarioStep: Sendable, Equatable {
    public var name: String
    public var prompt: ScenarioPrompt
    /// How long to listen after the prompt; nil for a final step, which hangs up once played.
    public var listen: ListenTimeouts?
    /// Whether the callee may interrupt the prompt by speaking.
    public var bargeIn: Bool
    /// Expected vocabulary, passed to the recogniser.
    public var hint: String?
    /// What each kind of answer leads to (after the scenario's common transitions are merged in).
    public var transitions: [ScenarioEvent: ScenarioTransition]
    /// Outcome a final step gives the call when none was set on the way.
    public var outcome: ContactStatus?

    public var isFinal: Bool { listen == nil }

    /// The steps this one can lead to.
    public var targets: [String] {
        ScenarioEvent.allCases.compactMap { transitions[$0]?.next }
    }
}

/// Listen settings of a step, in seconds (the seed's `max_silence_seconds` and `wait_before_stop`).
public struct ListenTimeouts: Sendable, Equatable, Codable {
    /// Silence before any speech after which the callee is taken as silent.
    public var maxSilenceSeconds: Double
    /// Silence after speech that ends the answer.
    public var waitBeforeStop: Double
    /// Longest answer recorded.
    public var maxListenSeconds: Double

    public init(maxSilenceSeconds: Double, waitBeforeStop: Double, maxListenSeconds: Double = 30) {
        self.maxSilenceSeconds = maxSilenceSeconds
        self.waitBeforeStop = waitBeforeStop
        self.maxListenSeconds = maxListenSeconds
    }
}

/// What the callee did, as a scenario's transitions name it: one of the
/// intents, or silence, an answer nothing could be made of, or an answering machine.
public enum ScenarioEvent: String, Sendable, CaseIterable, Codable, Comparable {
    case positive, negative, neutral, question, callback
    case optOut = "opt_out"
    case silence, unknown, machine

    public init(_ intent: Intent) {
        switch intent {
        case .positive: self = .positive
        case .negative: self = .negative
        case .neutral: self = .neutral
        case .question: self = .question
        case .callback: self = .callback
        case .optOut: self = .optOut
        }
    }

    /// Events a listening step must say what to do with (``machine`` only matters at the start).
    public static let answers: [ScenarioEvent] = allCases.filter { $0 != .machine }

    public static func < (lhs: ScenarioEvent, rhs: ScenarioEvent) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Where an answer leads: to a step, or to the end of the call, possibly setting its outcome.
public struct ScenarioTransition: Sendable, Equatable {
    /// The next step; nil hangs up at once.
    public var next: String?
    /// The contact's new status when this transition is taken (`Leads`, `Not_interested`…).
    public var outcome: ContactStatus?

    public init(next: String?, outcome: ContactStatus? = nil) {
        self.next = next
        self.outcome = outcome
    }
}
