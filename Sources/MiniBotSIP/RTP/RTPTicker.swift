import Synchronization

/// One 20 ms clock for every RTP session of an agent. Each tick is scheduled
/// from a fixed origin (deadline = origin + n × 20 ms), so lateness never
/// accumulates, and all sessions send in one pass: one wake-up per tick
/// instead of one per call.
public final class RTPTicker: Sendable {
    private let sessions = Mutex<[ObjectIdentifier: RTPSession]>([:])

    public init() {}

    public func add(_ session: RTPSession) {
        sessions.withLock { $0[ObjectIdentifier(session)] = session }
    }

    public func remove(_ session: RTPSession) {
        _ = sessions.withLock { $0.removeValue(forKey: ObjectIdentifier(session)) }
    }

    public var count: Int { sessions.withLock { $0.count } }

    /// Ticks until cancelled. When a tick is missed entirely (the machine
    /// stalled), the next deadlines are skipped rather than sent in a burst.
    public func run<C: Clock>(clock: C) async throws where C.Duration == Duration {
        let origin = clock.now
        var tick = 0
        while !Task.isCancelled {
            tick += 1
            try await clock.sleep(until: origin.advanced(by: .milliseconds(20) * tick), tolerance: nil)
            let lateness = origin.duration(to: clock.now) - .milliseconds(20) * tick
            if lateness > .milliseconds(20) {
                tick += Int(lateness / .milliseconds(20))
            }
            let deadline = Duration.milliseconds(20) * tick
            for session in sessions.withLock({ Array($0.values) }) {
                // Lateness as this session's packet leaves, not as the pass starts.
                session.tick(lateness: origin.duration(to: clock.now) - deadline)
            }
        }
    }
}
