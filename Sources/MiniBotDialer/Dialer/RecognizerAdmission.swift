/// How many calls the recogniser can keep up with, learnt from how long its
/// answers take (additive increase, multiplicative decrease, as TCP does).
///
/// Every call shares one recogniser; past what it can transcribe, answers wait
/// in its queue until they time out and every call ends as if nobody had
/// answered. So the dialer places at most ``limit`` calls at once. It starts
/// at ``initialLimit`` (a first wave of a hundred answers at once would bury
/// any recogniser before the first latency comes back) and grows by a quarter
/// per ``increaseInterval`` of fast answers (faster than three quarters of the target) until
/// the first slow one; from then on by one. A transcription slower than
/// ``target`` cuts the limit by a quarter, once per `target`, and only while
/// the calls in progress are within the limit: above it, the slow answers come
/// from calls admitted before the last cut, which no launch adds to, and
/// cutting again for them would only punish one backlog many times (a call's
/// first answer comes seconds after its launch). Never above the configured
/// maximum, never below one. A value: fed latencies, instants and counts of
/// calls, tested without a clock.
public struct RecognizerAdmission: Sendable, Equatable {
    /// A transcription slower than this means the recogniser is behind.
    public var target: Duration
    public var increaseInterval: Duration
    /// The configured most calls at once.
    public private(set) var ceiling: Int
    /// Calls that may be in progress now.
    public private(set) var limit: Int
    private var lastDecrease: ContinuousClock.Instant?
    private var lastIncrease: ContinuousClock.Instant?

    /// Calls at once before any latency is known.
    public static let initialLimit = 8

    /// The dialer's target: a transcription (queue included) slower than this
    /// keeps a callee waiting after their answer, even with the transcription
    /// started at their pause (`speech.speculative_pause`).
    public static let answerWaitTarget = Duration.seconds(2)

    public init(ceiling: Int, target: Duration, increaseInterval: Duration = .seconds(2)) {
        self.ceiling = max(1, ceiling)
        self.limit = min(Self.initialLimit, self.ceiling)
        self.target = target
        self.increaseInterval = increaseInterval
    }

    /// A new configured maximum (a campaign's settings changed); the limit stays under it.
    public mutating func setCeiling(_ ceiling: Int) {
        self.ceiling = max(1, ceiling)
        limit = min(limit, self.ceiling)
        if lastDecrease == nil && lastIncrease == nil { limit = min(Self.initialLimit, self.ceiling) }
    }

    /// One transcription took `latency`, finishing at `now` with `inProgress`
    /// calls under way. True when the limit changed.
    @discardableResult
    public mutating func record(latency: Duration, at now: ContinuousClock.Instant, inProgress: Int) -> Bool {
        let before = limit
        if latency > target {
            if inProgress <= limit, lastDecrease.map({ now - $0 >= target }) ?? true {
                limit = max(1, limit * 3 / 4)
                lastDecrease = now
                lastIncrease = now
            }
        } else if latency * 4 < target * 3, limit < ceiling {
            if lastIncrease.map({ now - $0 >= increaseInterval }) ?? true {
                limit = min(ceiling, limit + (lastDecrease == nil ? max(1, limit / 4) : 1))
                lastIncrease = now
            }
        }
        return limit != before
    }
}
