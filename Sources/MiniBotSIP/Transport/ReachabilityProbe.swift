import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Tells quickly whether a UDP destination is dead, so a call to a trunk that
/// is down fails at once instead of after timer B (32 s).
///
/// Linux reports an ICMP port/host/network unreachable only on a *connected*
/// UDP socket (on an unconnected one it is dropped unless `IP_RECVERR` is set,
/// and then SwiftNIO, which reads `SO_ERROR` but not the error queue, would
/// close the signalling channel on `EHOSTUNREACH`). So the SIP traffic stays
/// on the agent's one unconnected socket (a trunk may answer from another
/// address), and this probe connects a throw-away UDP socket to the same
/// destination, sends a CRLF keep-alive (RFC 5626 §3.5.1; RFC 3261 §7.5 says
/// to ignore it) and waits ``window`` for an ICMP error, which SwiftNIO
/// surfaces as `ECONNREFUSED`/`EHOSTUNREACH`/`ENETUNREACH`. Results are cached
/// per destination (``reachableTTL``, ``unreachableTTL``) and concurrent
/// probes of one destination share one socket.
final class ReachabilityProbe: Sendable {
    let window: Duration
    let reachableTTL: Duration
    let unreachableTTL: Duration
    private let group: any EventLoopGroup

    private enum Entry {
        case probing(EventLoopFuture<String?>)
        case known(String?, expires: ContinuousClock.Instant)
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let probeCount = Atomic<Int>(0)

    init(window: Duration = .seconds(3), reachableTTL: Duration = .seconds(30), unreachableTTL: Duration = .seconds(5),
         group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.window = window
        self.reachableTTL = reachableTTL
        self.unreachableTTL = unreachableTTL
        self.group = group
    }

    /// Sockets opened so far (for tests).
    var probes: Int { probeCount.load(ordering: .relaxed) }

    /// Why `destination` cannot be reached ("ICMP port unreachable"…), or nil
    /// when no error came back within the window.
    func unreachableReason(_ destination: SocketAddress) async -> String? {
        let key = "\(destination.ipAddress ?? "?"):\(destination.port ?? 0)"
        let (future, promise) = entries.withLock { entries -> (EventLoopFuture<String?>?, EventLoopPromise<String?>?) in
            switch entries[key] {
            case .known(let reason, let expires) where expires > .now:
                return (group.any().makeSucceededFuture(reason), nil)
            case .probing(let future):
                return (future, nil)
            default:
                let promise = group.any().makePromise(of: String?.self)
                entries[key] = .probing(promise.futureResult)
                return (nil, promise)
            }
        }
        if let future { return (try? await future.get()) ?? nil }
        guard let promise else { return nil }
        probeCount.add(1, ordering: .relaxed)
        let reason = await probe(destination)
        let ttl = reason == nil ? reachableTTL : unreachableTTL
        entries.withLock { $0[key] = .known(reason, expires: .now + ttl) }
        promise.succeed(reason)
        return reason
    }

    private func probe(_ destination: SocketAddress) async -> String? {
        let window = TimeAmount.nanoseconds(Int64(window.components.seconds) * 1_000_000_000
                                            + window.components.attoseconds / 1_000_000_000)
        do {
            // The async `connect` closes the socket if connecting fails.
            let channel = try await DatagramBootstrap(group: group)
                .connect(to: destination) { channel in
                    channel.eventLoop.makeCompletedFuture { () -> any Channel in
                        try channel.pipeline.syncOperations.addHandler(ProbeHandler())
                        return channel
                    }
                }
            return try await channel.eventLoop.flatSubmit {
                do {
                    return try channel.pipeline.syncOperations.handler(type: ProbeHandler.self).start(channel: channel, window: window)
                } catch {
                    channel.close(promise: nil)
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }.get()
        } catch {
            return Self.reason(error)
        }
    }

    /// The ICMP errors that mean "nobody there"; nil for anything else.
    static func reason(_ error: any Error) -> String? {
        guard let error = error as? IOError else { return nil }
        switch error.errnoCode {
        case ECONNREFUSED: return "ICMP port unreachable"
        case EHOSTUNREACH: return "ICMP host unreachable"
        case ENETUNREACH: return "ICMP network unreachable"
        default: return nil
        }
    }
}

/// Sends the keep-alive and reports the first ICMP error, or nil after the window.
private final class ProbeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private var promise: EventLoopPromise<String?>?
    private var channel: (any Channel)?

    func start(channel: any Channel, window: TimeAmount) -> EventLoopFuture<String?> {
        let promise = channel.eventLoop.makePromise(of: String?.self)
        self.promise = promise
        self.channel = channel
        let bound = NIOLoopBound(self, eventLoop: channel.eventLoop)
        channel.writeAndFlush(ByteBuffer(string: "\r\n\r\n")).whenFailure { error in
            bound.value.finish(ReachabilityProbe.reason(error))
        }
        channel.eventLoop.scheduleTask(in: window) { bound.value.finish(nil) }
        return promise.futureResult
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Anything coming back means somebody is there.
        finish(nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(ReachabilityProbe.reason(error))
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(nil)
    }

    private func finish(_ reason: String?) {
        guard let promise else { return }
        self.promise = nil
        promise.succeed(reason)
        channel?.close(promise: nil)
        channel = nil
    }
}
