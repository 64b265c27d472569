import Logging
import MiniBotAudio
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

/// The audio of one call over RTP: its own UDP port, G.711 both ways, sends
/// driven every 20 ms by the agent's ``RTPTicker`` (one clock for every call,
/// from a fixed origin, so a long call does not drift), a jitter buffer on the
/// way in, and symmetric RTP (we answer to where the far end's packets come
/// from, for NAT).
public final class RTPSession: Sendable {
    public struct Statistics: Sendable, Equatable {
        public init(latenessHistogram: [Int] = [Int](repeating: 0, count: 1001)) {
            self.latenessHistogram = latenessHistogram
        }

        public var sent = 0
        public var received: JitterBuffer.Statistics = .init()
        /// Largest lateness of a send tick, in microseconds.
        public var maxLatenessMicroseconds = 0
        /// How late each send tick was: bucket `i` counts ticks `i`×100 µs late (the last bucket: 100 ms or more).
        public var latenessHistogram: [Int]
        /// RTCP compound packets (SR + SDES) sent, and reports (SR/RR) received.
        public var rtcpSent = 0
        public var rtcpReceived = 0
        /// From the far end's last report about our stream (RFC 3550 §6.4.1), when it sent one.
        public var roundTripTime: Duration?
        /// What the far end last said about our stream: fraction and count lost, jitter.
        public var farEndReport: RTCPPacket.ReportBlock?
        /// What we say about the far end's stream in our reports.
        public var reception = RTPReceptionStatistics()

        /// The lateness, in milliseconds, below which `fraction` of the ticks were sent.
        public func latenessPercentile(_ fraction: Double) -> Double {
            Self.percentile(latenessHistogram, fraction)
        }

        static func percentile(_ histogram: [Int], _ fraction: Double) -> Double {
            let total = histogram.reduce(0, +)
            guard total > 0 else { return 0 }
            var seen = 0
            for (bucket, count) in histogram.enumerated() {
                seen += count
                if Double(seen) >= fraction * Double(total) { return Double(bucket) / 10 }
            }
            return Double(histogram.count - 1) / 10
        }
    }

    public let localPort: Int
    private let channel: any Channel
    /// RTCP, on the next (odd) port.
    private let rtcpChannel: any Channel
    /// Ticks between two RTCP reports (250 × 20 ms = 5 s, RFC 3550's minimum interval).
    static let rtcpInterval = 250
    private let origin = ContinuousClock.now
    private let state: Mutex<State>
    private let logger: Logger
    /// Decoded 20 ms frames from the far end, in order, one per tick (silence for lost ones).
    public let inbound: AsyncStream<AudioFrame>
    private let inboundContinuation: AsyncStream<AudioFrame>.Continuation

    private struct State {
        var remote: SocketAddress?
        var learnedRemote = false
        /// The address the last SDP gave.
        var signalledRemote: SocketAddress?
        /// Where the audio went before the SDP moved it; its late packets
        /// must not win it back until `abandonedUntil`.
        var abandoned: SocketAddress?
        var abandonedUntil: ContinuousClock.Instant?
        var codec: AudioCodec
        var telephoneEvent: Int?
        var jitter = JitterBuffer()
        /// Frames to send, from `outgoingHead` on (no shifting per tick).
        var outgoing: [AudioFrame] = []
        var outgoingHead = 0
        /// Frames queued and sent since the start; each `play` waits for its end.
        var framesQueued = 0
        var framesSent = 0
        var playbackDone: [(end: Int, continuation: CheckedContinuation<Bool, Never>)] = []
        /// The buffer every RTP packet is written into: once the socket took
        /// the last one, it is ours alone again and is reused without allocating.
        var sendBuffer = ByteBufferAllocator().buffer(capacity: 12 + 160)
        var sequence = UInt16.random(in: 0...UInt16.max)
        var timestamp = UInt32.random(in: 0...UInt32.max)
        let ssrc = UInt32.random(in: 1...UInt32.max)
        var statistics = Statistics()
        var dtmf: [Character] = []
        var lastEventTimestamp: UInt32?
        var sentOctets: UInt32 = 0
        var ticks = 0
        /// Where RTCP goes: where the far end's RTCP comes from, else RTP's port + 1.
        var rtcpRemote: SocketAddress?
        /// The middle of the NTP time of the far end's last SR, and when it came.
        var lastSR: (middle: UInt32, at: ContinuousClock.Instant)?
    }

    /// Binds the first free pair of `ports`: RTP on an even port, RTCP on the next one.
    public static func bind(host: String, ports: ClosedRange<Int>, codec: AudioCodec, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                            logger: Logger) async throws -> RTPSession {
        var port = ports.lowerBound + (ports.lowerBound % 2)
        var lastError: (any Error)?
        let start = Int.random(in: 0...max(0, (ports.count - 1) / 2)) * 2
        for offset in stride(from: 0, to: ports.count, by: 2) {
            port = ports.lowerBound + (ports.lowerBound % 2) + (start + offset) % max(2, ports.count)
            guard ports.contains(port) else { continue }
            guard ports.contains(port + 1) else { continue }
            let loop = group.next()
            let channel: any Channel
            let route = Route()
            do {
                channel = try await Self.bindChannel(host: host, port: port, on: loop, route: route, rtcp: false)
            } catch {
                lastError = error
                continue
            }
            do {
                let rtcp = try await Self.bindChannel(host: host, port: port + 1, on: loop, route: route, rtcp: true)
                let session = RTPSession(channel: channel, rtcpChannel: rtcp, port: port, codec: codec, logger: logger)
                route.session.withLock { $0 = session }
                return session
            } catch {
                lastError = error
                try? await channel.close()
            }
        }
        throw SIPAgentError.noMediaPort(range: ports, underlying: lastError.map { "\($0)" } ?? "empty range")
    }

    /// Binds one socket whose datagrams go straight to the session on the
    /// socket's event loop: no task and no hop to another thread per packet.
    /// (The async `bind` closes the socket when binding fails; the
    /// future-based one leaves it open, one descriptor per taken port.)
    private static func bindChannel(host: String, port: Int, on loop: any EventLoop, route: Route, rtcp: Bool) async throws -> any Channel {
        try await DatagramBootstrap(group: loop)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { () -> any Channel in
                    try channel.pipeline.syncOperations.addHandler(Receiver(route: route, rtcp: rtcp))
                    return channel
                }
            }
    }

    /// Where a socket's datagrams go: set once the session exists; the
    /// session and its sockets hold each other until the sockets close.
    private final class Route: Sendable {
        let session = Mutex<RTPSession?>(nil)
    }

    private final class Receiver: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let route: Route
        let rtcp: Bool

        init(route: Route, rtcp: Bool) {
            self.route = route
            self.rtcp = rtcp
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            guard let session = route.session.withLock({ $0 }) else { return }
            if rtcp { session.receivedRTCP(envelope) } else { session.receivedRTP(envelope) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            route.session.withLock { $0 = nil }
            context.fireChannelInactive()
        }
    }

    private init(channel: any Channel, rtcpChannel: any Channel,
                 port: Int, codec: AudioCodec, logger: Logger) {
        self.channel = channel
        self.rtcpChannel = rtcpChannel
        self.localPort = port
        self.logger = logger
        self.state = Mutex(State(codec: codec))
        (inbound, inboundContinuation) = AsyncStream.makeStream(of: AudioFrame.self, bufferingPolicy: .bufferingNewest(500))
    }

    /// Where to send: the far end's SDP address, until its own packets show
    /// another (symmetric RTP). An SDP that gives a *new* address (a
    /// re-INVITE or UPDATE moving the media) wins over what the packets
    /// taught; learning from packets then starts again, except that packets
    /// still coming from the old address for ``abandonGrace`` do not move the
    /// audio back. An IP literal is used as is; a host name is resolved here,
    /// blocking (the agent resolves first and calls ``connect(to:address:)``).
    public func connect(to media: NegotiatedMedia) throws {
        let address = try (try? SocketAddress(ipAddress: media.remoteAddress, port: media.remotePort))
            ?? SocketAddress.makeAddressResolvingHost(media.remoteAddress, port: media.remotePort)
        connect(to: media, address: address)
    }

    /// How long packets from the address an SDP moved the media away from are ignored.
    public static let abandonGrace: Duration = .seconds(2)

    /// ``connect(to:)`` with the SDP address already resolved.
    public func connect(to media: NegotiatedMedia, address: SocketAddress) {
        state.withLock {
            if $0.signalledRemote != address {
                if let old = $0.remote, old != address {
                    $0.abandoned = old
                    $0.abandonedUntil = .now + Self.abandonGrace
                }
                $0.signalledRemote = address
                $0.remote = address
                $0.learnedRemote = false
            }
            $0.codec = media.codec
            $0.telephoneEvent = media.telephoneEvent
        }
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// The event loop both sockets live on; the ticker sends from it.
    var eventLoop: any EventLoop { channel.eventLoop }

    /// Where the audio goes now: the far end's SDP address, or where its packets come from.
    public var remoteAddress: SocketAddress? { state.withLock { $0.remote } }

    /// DTMF digits received as RFC 4733 events, in order.
    public var dtmfDigits: [Character] { state.withLock { $0.dtmf } }

    /// Queues audio to send; returns once it has all been sent (true) or was
    /// interrupted by ``stopPlayback()`` (false).
    @discardableResult
    public func play(_ audio: PCMBuffer) async -> Bool {
        let frames = audio.frames()
        guard !frames.isEmpty else { return true }
        return await withCheckedContinuation { continuation in
            state.withLock { state in
                state.outgoing += frames
                state.framesQueued += frames.count
                state.playbackDone.append((state.framesQueued, continuation))
            }
        }
    }

    /// Drops the audio not sent yet (barge-in); pending `play` calls return false.
    public func stopPlayback() {
        let waiting = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.outgoing.removeAll()
            state.outgoingHead = 0
            state.framesSent = state.framesQueued
            defer { state.playbackDone.removeAll() }
            return state.playbackDone.map(\.continuation)
        }
        for continuation in waiting { continuation.resume(returning: false) }
    }

    /// Receives RTP and RTCP (on the sockets' event loop) until cancelled or
    /// a socket is closed, then closes both; sending is driven by an ``RTPTicker``.
    public func run() async throws {
        let channel = self.channel, rtcpChannel = self.rtcpChannel
        await withTaskCancellationHandler {
            _ = try? await channel.closeFuture.get()
        } onCancel: {
            channel.close(promise: nil)
        }
        channel.close(promise: nil)
        try? await rtcpChannel.close()
    }

    /// The RTP media clock now: 8,000 units a second from the session's start.
    private var arrivalTimestamp: UInt32 {
        let elapsed = origin.duration(to: .now)
        let units = Int64(elapsed.components.seconds) * 8000 + elapsed.components.attoseconds / 125_000_000_000_000
        return UInt32(truncatingIfNeeded: units)
    }

    /// Wall-clock time as NTP, for sender reports and round-trip times.
    static func ntpNow() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return NTPTime.from(unixNanoseconds: UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec))
    }

    private func receivedRTCP(_ envelope: AddressedEnvelope<ByteBuffer>) {
        do {
            guard let packets = try? RTCPPacket.parse(compound: envelope.data.readableBytesView) else { return }
            let now = Self.ntpNow()
            state.withLock { state in
                state.rtcpRemote = envelope.remoteAddress
                for packet in packets {
                    var blocks: [RTCPPacket.ReportBlock] = []
                    switch packet {
                    case .senderReport(let report):
                        state.lastSR = (NTPTime.middle(report.ntpTimestamp), .now)
                        state.statistics.rtcpReceived += 1
                        blocks = report.reports
                    case .receiverReport(let report):
                        state.statistics.rtcpReceived += 1
                        blocks = report.reports
                    default:
                        continue
                    }
                    for block in blocks where block.ssrc == state.ssrc {
                        state.statistics.farEndReport = block
                        // RTT = arrival − LSR − DLSR, in 1/65536 s (RFC 3550 §6.4.1).
                        if block.lastSR != 0 {
                            let rtt = Int32(bitPattern: NTPTime.middle(now) &- block.lastSR &- block.delaySinceLastSR)
                            // On loopback the true RTT is microseconds and the peer's rounding of
                            // DLSR (1/65536 s) can make it a hair negative: up to 10 ms below zero is zero.
                            if rtt >= -655 {
                                state.statistics.roundTripTime = .nanoseconds(Int64(max(rtt, 0)) * 1_000_000_000 / 65536)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Our report: an SR (we always send) with one block about the far end's
    /// stream once we have heard it, and the SDES CNAME (§6.1).
    private static func report(_ state: inout State) -> [UInt8] {
        var delay: UInt32 = 0
        if let last = state.lastSR {
            let since = last.at.duration(to: .now)
            delay = UInt32(clamping: Int64(since.components.seconds) * 65536 + since.components.attoseconds / 15_258_789_062_500)
        }
        let block = state.statistics.reception.makeReportBlock(lastSR: state.lastSR?.middle ?? 0, delaySinceLastSR: delay)
        let report = RTCPPacket.SenderReport(ssrc: state.ssrc, ntpTimestamp: ntpNow(), rtpTimestamp: state.timestamp,
                                             packetCount: UInt32(truncatingIfNeeded: state.statistics.sent), octetCount: state.sentOctets,
                                             reports: block.map { [$0] } ?? [])
        return RTCPPacket.senderReport(report).bytes + RTCPPacket.sourceDescription(ssrc: state.ssrc, cname: "minibot@\(state.ssrc)").bytes
    }

    public func close() {
        inboundContinuation.finish()
        stopPlayback()
    }

    private func receivedRTP(_ envelope: AddressedEnvelope<ByteBuffer>) {
        do {
            guard let packet = try? RTPPacket(parsing: envelope.data.readableBytesView) else { return }
            let arrival = arrivalTimestamp
            state.withLock { state in
                if packet.payloadType == 0 || packet.payloadType == 8 {
                    state.statistics.reception.record(sequence: packet.sequenceNumber, timestamp: packet.timestamp,
                                                      ssrc: packet.ssrc, arrival: arrival)
                }
                // Symmetric RTP: send back to where the audio comes from.
                if state.remote != envelope.remoteAddress {
                    if let until = state.abandonedUntil, envelope.remoteAddress == state.abandoned, ContinuousClock.now < until {
                        // A straggler from before the media moved.
                    } else {
                        state.remote = envelope.remoteAddress
                        state.learnedRemote = true
                    }
                }
                if let event = state.telephoneEvent, Int(packet.payloadType) == event {
                    Self.readEvent(packet, into: &state)
                } else if packet.payloadType == 0 || packet.payloadType == 8 {
                    state.jitter.insert(packet)
                }
            }
        }
    }

    /// RFC 4733: one digit per event, taken when its end bit first shows.
    private static func readEvent(_ packet: RTPPacket, into state: inout State) {
        guard packet.payload.count >= 4, packet.payload[1] & 0x80 != 0, state.lastEventTimestamp != packet.timestamp else { return }
        state.lastEventTimestamp = packet.timestamp
        let digits = Array("0123456789*#ABCD")
        let event = Int(packet.payload[0])
        if event < digits.count { state.dtmf.append(digits[event]) }
    }

    /// Exactly one 20 ms frame of samples: a packet of another size (Asterisk
    /// sends a short one at the end of a played file) is padded with silence
    /// or cut, rather than trapping in `AudioFrame`.
    static func oneFrame(_ samples: [Int16]) -> [Int16] {
        let count = AudioFrame.sampleCount(sampleRate: 8_000)
        if samples.count == count { return samples }
        if samples.count > count { return Array(samples.prefix(count)) }
        return samples + [Int16](repeating: 0, count: count - samples.count)
    }

    /// One 20 ms step, called by the ticker `lateness` after its deadline:
    /// sends the next frame (or silence, which keeps the stream and NAT
    /// bindings alive) and hands one received frame to ``inbound``.
    func tick(lateness: Duration) {
        let (datagram, frame, finished, rtcp) = state.withLock { state -> (AddressedEnvelope<ByteBuffer>?, AudioFrame?, [CheckedContinuation<Bool, Never>], AddressedEnvelope<ByteBuffer>?) in
            let micros = Int(lateness.components.seconds) * 1_000_000 + Int(lateness.components.attoseconds / 1_000_000_000_000)
            state.statistics.maxLatenessMicroseconds = max(state.statistics.maxLatenessMicroseconds, micros)
            state.statistics.latenessHistogram[min(1000, max(0, micros / 100))] += 1
            var finished: [CheckedContinuation<Bool, Never>] = []
            var datagram: AddressedEnvelope<ByteBuffer>?
            // Encoded in place: header, then the frame (or silence) straight into the reused buffer.
            var buffer = state.sendBuffer
            buffer.clear()
            buffer.writeInteger(UInt8(0x80))
            buffer.writeInteger(state.codec.payloadType & 0x7F)
            buffer.writeInteger(state.sequence)
            buffer.writeInteger(state.timestamp)
            buffer.writeInteger(state.ssrc)
            let law: G711.Law = state.codec == .pcmu ? .muLaw : .aLaw
            if state.outgoingHead < state.outgoing.count {
                state.outgoing[state.outgoingHead].samples.withUnsafeBufferPointer { samples in
                    _ = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: samples.count) { raw in
                        G711.encode(samples, into: raw.bindMemory(to: UInt8.self), law: law)
                        return samples.count
                    }
                }
                state.outgoingHead += 1
                state.framesSent += 1
                if state.outgoingHead == state.outgoing.count {
                    state.outgoing.removeAll(keepingCapacity: true)
                    state.outgoingHead = 0
                }
                while let first = state.playbackDone.first, first.end <= state.framesSent {
                    finished.append(first.continuation)
                    state.playbackDone.removeFirst()
                }
            } else {
                // Silence keeps the stream and NAT bindings alive.
                buffer.writeRepeatingByte(law == .muLaw ? 0xFF : 0xD5, count: 160)
            }
            state.sequence &+= 1
            state.timestamp &+= 160
            state.sendBuffer = buffer
            if let remote = state.remote {
                datagram = AddressedEnvelope(remoteAddress: remote, data: buffer)
                state.statistics.sent += 1
                state.sentOctets &+= UInt32(buffer.readableBytes - 12)
            }
            state.ticks += 1
            var rtcp: AddressedEnvelope<ByteBuffer>?
            if state.ticks % Self.rtcpInterval == 0, var target = state.rtcpRemote ?? state.remote {
                if state.rtcpRemote == nil, let port = target.port { target = (try? SocketAddress(ipAddress: target.ipAddress ?? "", port: port + 1)) ?? target }
                rtcp = AddressedEnvelope(remoteAddress: target, data: ByteBuffer(bytes: Self.report(&state)))
                state.statistics.rtcpSent += 1
            }
            var incoming: AudioFrame?
            switch state.jitter.pop() {
            case .packet(let packet)?:
                incoming = AudioFrame(samples: Self.oneFrame(G711.decode(packet.payload, law: packet.payloadType == 0 ? .muLaw : .aLaw)))
            case .missing?: incoming = .silence()
            case nil: incoming = nil
            }
            state.statistics.received = state.jitter.statistics
            return (datagram, incoming, finished, rtcp)
        }
        for continuation in finished { continuation.resume(returning: true) }
        if let frame { inboundContinuation.yield(frame) }
        // Straight onto the channel: no task hop per packet.
        if let datagram { channel.writeAndFlush(datagram, promise: nil) }
        if let rtcp { rtcpChannel.writeAndFlush(rtcp, promise: nil) }
    }
}
