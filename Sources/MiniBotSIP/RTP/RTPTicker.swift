import NIOCore
import NIOPosix
import Synchronization

/// One 20 ms clock for every RTP session of an agent. It runs on a SwiftNIO
/// event loop, not on Swift's cooperative thread pool, so work elsewhere in
/// the process (a blocking call, a busy task) cannot delay the audio. Each
/// tick is scheduled from a fixed origin (deadline = origin + n × 20 ms), so
/// lateness never accumulates, and all sessions send in one pass.
public final class RTPTicker: Sendable {
    private let sessions = Mutex<[ObjectIdentifier: RTPSession]>([:])
    private let eventLoop: any EventLoop

    public init(eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()) {
        self.eventLoop = eventLoop
    }

    public func add(_ session: RTPSession) {
        sessions.withLock { $0[ObjectIdentifier(session)] = session }
    }

    public func remove(_ session: RTPSession) {
        _ = sessions.withLock { $0.removeValue(forKey: ObjectIdentifier(session)) }
    }

    public var count: Int { sessions.withLock { $0.count } }

    /// Ticks until the calling task is cancelled. When a tick is missed
    /// entirely (the machine stalled), the missed deadlines are skipped
    /// rather than sent in a burst.
    public func run() async {
        let stopped = Mutex(false)
        let eventLoop = self.eventLoop
        await withTaskCancellationHandler {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let origin = NIODeadline.now()
                @Sendable func schedule(_ tick: Int64) {
                    let deadline = origin + .milliseconds(20 * tick)
                    eventLoop.scheduleTask(deadline: deadline) {
                        if stopped.withLock({ $0 }) {
                            done.resume()
                            return
                        }
                        let late = NIODeadline.now() - deadline
                        for session in self.sessions.withLock({ Array($0.values) }) {
                            // Lateness as this session's packet leaves, not as the pass starts.
                            session.tick(lateness: .nanoseconds((NIODeadline.now() - deadline).nanoseconds))
                        }
                        schedule(tick + 1 + max(0, late.nanoseconds / 20_000_000))
                    }
                }
                schedule(1)
            }
        } onCancel: {
            stopped.withLock { $0 = true }
        }
    }
}
