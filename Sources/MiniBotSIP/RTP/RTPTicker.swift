import NIOCore
import NIOPosix
import Synchronization

/// The 20 ms clock of an agent's RTP sessions. It runs on SwiftNIO event
/// loops, not on Swift's cooperative thread pool, so work elsewhere in the
/// process (a blocking call, a busy task) cannot delay the audio. Each tick is
/// scheduled from a fixed origin (deadline = origin + n × 20 ms), so lateness
/// never accumulates.
///
/// There is one clock per event loop of the group: a session is ticked on the
/// loop its sockets live on (``RTPSession/bind(host:ports:codec:group:logger:)``
/// spreads sessions over the loops), so its packet is written straight to the
/// socket with no hop to another thread, and the loops share the calls
/// instead of one of them sending every packet of every call.
///
/// Within a loop, sessions are spread over ten 2 ms slots of the 20 ms
/// period: each call still sends exactly every 20 ms, but 500 calls are sent
/// as ten passes of 25 per loop rather than one burst of 250, so the last
/// packet of a pass is not late by the time the whole burst takes.
public final class RTPTicker: Sendable {
    /// Slots per 20 ms period, and the time between two slots.
    static let slots = 10
    static let slotInterval: Int64 = 20 / 10

    private final class Lane: Sendable {
        let loop: any EventLoop
        /// The sessions of each slot.
        let sessions = Mutex<[[RTPSession]]>(Array(repeating: [], count: RTPTicker.slots))
        init(loop: any EventLoop) { self.loop = loop }
    }

    private final class StopFlag: Sendable {
        let stopped = Atomic<Bool>(false)
        var isStopped: Bool { stopped.load(ordering: .relaxed) }
    }

    private let lanes: [Lane]

    /// One clock on each loop of `group`.
    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        var loops: [any EventLoop] = []
        for loop in group.makeIterator() { loops.append(loop) }
        lanes = loops.map(Lane.init)
    }

    /// One clock on `eventLoop`, for every session wherever its sockets live.
    public init(eventLoop: any EventLoop) {
        lanes = [Lane(loop: eventLoop)]
    }

    private func lane(for session: RTPSession) -> Lane {
        let loop = session.eventLoop
        return lanes.first { $0.loop === loop } ?? lanes[Int(UInt(bitPattern: ObjectIdentifier(session).hashValue) % UInt(lanes.count))]
    }

    /// Ticks `session` from now on, in its loop's least busy slot.
    public func add(_ session: RTPSession) {
        lane(for: session).sessions.withLock { slots in
            let slot = slots.indices.min { slots[$0].count < slots[$1].count } ?? 0
            slots[slot].append(session)
        }
    }

    public func remove(_ session: RTPSession) {
        lane(for: session).sessions.withLock { slots in
            for slot in slots.indices {
                if let index = slots[slot].firstIndex(where: { $0 === session }) {
                    slots[slot].remove(at: index)
                    return
                }
            }
        }
    }

    public var count: Int { lanes.reduce(0) { total, lane in total + lane.sessions.withLock { $0.reduce(0) { $0 + $1.count } } } }

    /// Ticks until the calling task is cancelled. A slot that fires late is
    /// still served (its packets are late, not lost); when the loop stalled
    /// for a whole period or more, the missed periods are skipped rather than
    /// sent in a burst.
    public func run() async {
        let stopped = StopFlag()
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                let origin = NIODeadline.now()
                for lane in lanes {
                    group.addTask { await Self.run(lane, origin: origin, stopped: stopped) }
                }
            }
        } onCancel: {
            stopped.stopped.store(true, ordering: .relaxed)
        }
    }

    private static func run(_ lane: Lane, origin: NIODeadline, stopped: StopFlag) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let eventLoop = lane.loop
            @Sendable func schedule(_ tick: Int64) {
                let deadline = origin + .milliseconds(slotInterval * tick)
                eventLoop.scheduleTask(deadline: deadline) {
                    if stopped.isStopped {
                        done.resume()
                        return
                    }
                    let late = NIODeadline.now() - deadline
                    // The array is copied by reference: no allocation unless a call came or went.
                    let sessions = lane.sessions.withLock { $0[Int(tick % Int64(slots))] }
                    for session in sessions {
                        // Lateness as this session's packet leaves, not as the pass starts.
                        session.tick(lateness: .nanoseconds((NIODeadline.now() - deadline).nanoseconds))
                    }
                    let missedPeriods = late.nanoseconds / 20_000_000
                    schedule(tick + 1 + Int64(slots) * missedPeriods)
                }
            }
            schedule(1)
        }
    }
}
