/// Runs one call through a ``Scenario``: a value-type state machine that is
/// told what happened (``begin(amd:)``, ``answer(_:)``) and says what to do
/// next. It does no I/O and keeps no time.
public struct ScenarioEngine: Sendable {
    public enum Action: Sendable, Equatable {
        /// Play this step's prompt; then listen if it is a listening step, or hang up if it is final.
        case play(ScenarioStep)
        /// Hang up now.
        case hangUp
    }

    public let scenario: Scenario
    /// The step being played or listened to; nil before the start and after the end.
    public private(set) var current: ScenarioStep?
    /// The steps played so far, in order.
    public private(set) var path: [String] = []
    /// The contact's new status, once a transition or final step set it.
    public private(set) var outcome: ContactStatus?
    /// Why the call ended, once it did.
    public private(set) var endReason: String?
    public private(set) var isFinished = false
    private var turns = 0

    public init(scenario: Scenario) {
        self.scenario = scenario
    }

    /// A lead is a call that reached `Leads` and was not overturned later (an opt-out at confirm).
    public var isLead: Bool { outcome == .leads }

    /// The call was answered: `amd` says by whom. A machine follows the start
    /// step's `machine` transition, or hangs up as `No_answer`.
    public mutating func begin(amd: AMDResult?) -> Action {
        precondition(path.isEmpty && !isFinished, "begin(amd:) is called once, first")
        let start = scenario.steps[scenario.start]!
        if amd == .machine {
            return follow(start.transitions[.machine] ?? ScenarioTransition(next: nil, outcome: .noAnswer), event: .machine)
        }
        return enter(start)
    }

    /// What the callee did after the current listening step's prompt.
    public mutating func answer(_ event: ScenarioEvent) -> Action {
        guard !isFinished, let step = current else { return .hangUp }
        guard !step.isFinal else { return finish(reason: "final step \(step.name) played") }
        turns += 1
        guard let transition = step.transitions[event] else {
            return finish(reason: "step \(step.name) has no transition for \(event.rawValue)")
        }
        if turns >= scenario.maxTurns, transition.next != nil {
            if let outcome = transition.outcome { self.outcome = outcome }
            return finish(reason: "reached the scenario's limit of \(scenario.maxTurns) answers")
        }
        return follow(transition, event: event)
    }

    /// The prompt of a final step was played (or the call must stop): the call is over.
    public mutating func promptFinished() -> Action {
        guard let step = current, step.isFinal, !isFinished else { return .hangUp }
        return finish(reason: "final step \(step.name) played")
    }

    private mutating func follow(_ transition: ScenarioTransition, event: ScenarioEvent) -> Action {
        if let outcome = transition.outcome { self.outcome = outcome }
        guard let next = transition.next, let step = scenario.steps[next] else {
            return finish(reason: "\(event.rawValue) at \(current?.name ?? "answer") ends the call")
        }
        return enter(step)
    }

    private mutating func enter(_ step: ScenarioStep) -> Action {
        current = step
        path.append(step.name)
        if step.isFinal, outcome == nil { outcome = step.outcome }
        return .play(step)
    }

    private mutating func finish(reason: String) -> Action {
        isFinished = true
        if endReason == nil { endReason = reason }
        return .hangUp
    }
}
