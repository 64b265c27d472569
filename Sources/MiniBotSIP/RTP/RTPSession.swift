import Logging
import MiniBotAudio
import NIOCore
import NIOPosix
import Synchronization

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
    private let channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
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
        var outgoing: [AudioFrame] = []
        var playbackDone: [(remaining: Int, continuation: CheckedContinuation<Bool, Never>)] = []
        var sequence = UInt16.random(in: 0...UInt16.max)
        var timestamp = UInt32.random(in: 0...UInt32.max)
        let ssrc = UInt32.random(in: 1...UInt32.max)
        var statistics = Statistics()
        var dtmf: [Character] = []
        var lastEventTimestamp: UInt32?
    }

    /// Binds the first free port of `ports` (even numbers, RTCP would take the odd one).
    public static func bind(host: String, ports: ClosedRange<Int>, codec: AudioCodec, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                            logger: Logger) async throws -> RTPSession {
        var port = ports.lowerBound + (ports.lowerBound % 2)
        var lastError: (any Error)?
        let start = Int.random(in: 0...max(0, (ports.count - 1) / 2)) * 2
        for offset in stride(from: 0, to: ports.count, by: 2) {
            port = ports.lowerBound + (ports.lowerBound % 2) + (start + offset) % max(2, ports.count)
            guard ports.contains(port) else { continue }
            do {
                let channel = try await DatagramBootstrap(group: group)
                    .bind(host: host, port: port) { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                        }
                    }
                return RTPSession(channel: channel, port: port, codec: codec, logger: logger)
            } catch {
                lastError = error
            }
        }
        throw SIPAgentError.noMediaPort(range: ports, underlying: lastError.map { "\($0)" } ?? "empty range")
    }

    private init(channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>, port: Int, codec: AudioCodec, logger: Logger) {
        self.channel = channel
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
                state.playbackDone.append((state.outgoing.count, continuation))
            }
        }
    }

    /// Drops the audio not sent yet (barge-in); pending `play` calls return false.
    public func stopPlayback() {
        let waiting = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.outgoing.removeAll()
            defer { state.playbackDone.removeAll() }
            return state.playbackDone.map(\.continuation)
        }
        for continuation in waiting { continuation.resume(returning: false) }
    }

    /// Receives until cancelled or closed; sending is driven by an ``RTPTicker``.
    public func run() async throws {
        try await channel.executeThenClose { inbound, _ in
            try await self.receive(inbound)
        }
    }

    public func close() {
        inboundContinuation.finish()
        stopPlayback()
    }

    private func receive(_ inbound: NIOAsyncChannelInboundStream<AddressedEnvelope<ByteBuffer>>) async throws {
        for try await envelope in inbound {
            guard let packet = try? RTPPacket(parsing: envelope.data.readableBytesView) else { continue }
            state.withLock { state in
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

    /// One 20 ms step, called by the ticker `lateness` after its deadline:
    /// sends the next frame (or silence, which keeps the stream and NAT
    /// bindings alive) and hands one received frame to ``inbound``.
    func tick(lateness: Duration) {
        let (datagram, frame, finished) = state.withLock { state -> (AddressedEnvelope<ByteBuffer>?, AudioFrame?, [CheckedContinuation<Bool, Never>]) in
            let micros = Int(lateness.components.seconds) * 1_000_000 + Int(lateness.components.attoseconds / 1_000_000_000_000)
            state.statistics.maxLatenessMicroseconds = max(state.statistics.maxLatenessMicroseconds, micros)
            state.statistics.latenessHistogram[min(1000, max(0, micros / 100))] += 1
            let outgoing = state.outgoing.isEmpty ? AudioFrame.silence() : state.outgoing.removeFirst()
            var finished: [CheckedContinuation<Bool, Never>] = []
            state.playbackDone = state.playbackDone.compactMap { entry in
                if entry.remaining <= 1 { finished.append(entry.continuation); return nil }
                return (entry.remaining - 1, entry.continuation)
            }
            let law: G711.Law = state.codec == .pcmu ? .muLaw : .aLaw
            let packet = RTPPacket(payloadType: state.codec.payloadType, sequenceNumber: state.sequence,
                                   timestamp: state.timestamp, ssrc: state.ssrc, payload: G711.encode(outgoing.samples, law: law))
            state.sequence &+= 1
            state.timestamp &+= 160
            var datagram: AddressedEnvelope<ByteBuffer>?
            if let remote = state.remote {
                datagram = AddressedEnvelope(remoteAddress: remote, data: ByteBuffer(bytes: packet.bytes))
                state.statistics.sent += 1
            }
            var incoming: AudioFrame?
            switch state.jitter.pop() {
            case .packet(let packet)?: incoming = AudioFrame(samples: G711.decode(packet.payload, law: packet.payloadType == 0 ? .muLaw : .aLaw))
            case .missing?: incoming = .silence()
            case nil: incoming = nil
            }
            state.statistics.received = state.jitter.statistics
            return (datagram, incoming, finished)
        }
        for continuation in finished { continuation.resume(returning: true) }
        if let frame { inboundContinuation.yield(frame) }
        // Straight onto the channel: no task hop per packet.
        if let datagram { channel.channel.writeAndFlush(datagram, promise: nil) }
    }
}
