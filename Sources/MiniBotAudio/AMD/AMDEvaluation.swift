import MiniBotCore

/// How a detector did on a labelled corpus: accuracy, per-class precision and
/// recall, how long after their greeting people were recognised, and whether
/// machines were recognised before their beep ended.
public struct AMDEvaluation: Sendable {
    /// One clip's truth and decision.
    public struct Outcome: Sendable {
        public var clip: AMDCorpus.Clip
        public var decision: AMDDecision
        public var isCorrect: Bool { decision.result == clip.label }

        public init(clip: AMDCorpus.Clip, decision: AMDDecision) {
            self.clip = clip
            self.decision = decision
        }
    }

    public var outcomes: [Outcome]

    public init(outcomes: [Outcome]) { self.outcomes = outcomes }

    public var accuracy: Double { share(outcomes.filter(\.isCorrect).count, of: outcomes.count) }

    /// Of the clips decided `result`, the share that were.
    public func precision(_ result: AMDResult) -> Double {
        let decided = outcomes.filter { $0.decision.result == result }
        return share(decided.filter(\.isCorrect).count, of: decided.count)
    }

    /// Of the clips that were `result`, the share decided so.
    public func recall(_ result: AMDResult) -> Double {
        let actual = outcomes.filter { $0.clip.label == result }
        return share(actual.filter(\.isCorrect).count, of: actual.count)
    }

    public func count(label: AMDResult) -> Int { outcomes.filter { $0.clip.label == label }.count }
    public func count(decided result: AMDResult) -> Int { outcomes.filter { $0.decision.result == result }.count }

    /// For people recognised as such: the time from the end of their greeting to the decision, sorted.
    public var humanLatencies: [Duration] {
        outcomes.filter { $0.clip.label == .human && $0.isCorrect }.map { $0.decision.decidedAt - $0.clip.speechEnd }.sorted()
    }

    /// The `q` quantile (0…1) of ``humanLatencies``, nearest rank; nil when none.
    public func humanLatency(quantile q: Double) -> Duration? {
        let sorted = humanLatencies
        guard !sorted.isEmpty else { return nil }
        return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }

    /// Of the machines with a beep, the share recognised as machines before the beep ended.
    public var machinesBeforeBeepEnd: Double {
        let beeping = outcomes.filter { $0.clip.label == .machine && $0.clip.beepEnd != nil }
        return share(beeping.filter { $0.isCorrect && $0.decision.decidedAt <= $0.clip.beepEnd! }.count, of: beeping.count)
    }

    /// The clips the detector got wrong.
    public var misses: [Outcome] { outcomes.filter { !$0.isCorrect } }

    private func share(_ n: Int, of total: Int) -> Double { total == 0 ? 0 : Double(n) / Double(total) }
}
