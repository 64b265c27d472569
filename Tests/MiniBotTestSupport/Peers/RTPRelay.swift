import Foundation
import Synchronization

/// A small UDP relay between us and a far end's RTP that damages one
/// direction on purpose: on the way back to us it drops every `dropEvery`th
/// packet and swaps every `swapEvery`th packet with the one after it. The far
/// end's SDP points us at the relay; the relay learns our address from our
/// first packet and forwards to `farEndPort` (e.g. sipp `-rtp_echo`, which
/// sends our audio back, so we receive a real peer's stream, damaged).
public final class RTPRelay: Sendable {
    public struct Counts: Sendable, Equatable {
        /// Packets from the far end passed on to us (swapped ones included).
        public var forwarded = 0
        public var dropped = 0
        /// Pairs sent in the wrong order.
        public var swapped = 0
        /// Packets from us passed on to the far end.
        public var fromUs = 0
    }

    private let socket: UDPSocket
    public let farEndPort: Int
    public let dropEvery: Int
    public let swapEvery: Int
    private let state = Mutex<(counts: Counts, running: Bool)>((Counts(), true))
    private let finished = Mutex<Bool>(false)

    public var port: Int { socket.port }
    public var counts: Counts { state.withLock { $0.counts } }

    public init(farEndPort: Int, dropEvery: Int, swapEvery: Int) throws {
        socket = try UDPSocket(timeout: 0.05)
        self.farEndPort = farEndPort
        self.dropEvery = dropEvery
        self.swapEvery = swapEvery
        let thread = Thread { [self] in self.loop() }
        thread.name = "rtp-relay"
        thread.start()
    }

    public func stop() {
        state.withLock { $0.running = false }
        for _ in 0..<100 where !finished.withLock({ $0 }) { usleep(10_000) }
    }

    private func loop() {
        defer { finished.withLock { $0 = true } }
        var ourPort: Int?
        var index = 0
        var held: [UInt8]?
        while state.withLock({ $0.running }) {
            guard let (bytes, from) = socket.receive() else { continue }
            if from == farEndPort {
                guard let ourPort else { continue }
                index += 1
                if let packet = held {
                    // The held packet goes after the one that followed it.
                    socket.send(bytes, toPort: ourPort)
                    socket.send(packet, toPort: ourPort)
                    held = nil
                    state.withLock { $0.counts.forwarded += 2; $0.counts.swapped += 1 }
                } else if index % dropEvery == 0 {
                    state.withLock { $0.counts.dropped += 1 }
                } else if index % swapEvery == 0 {
                    held = bytes
                } else {
                    socket.send(bytes, toPort: ourPort)
                    state.withLock { $0.counts.forwarded += 1 }
                }
            } else {
                ourPort = from
                socket.send(bytes, toPort: farEndPort)
                state.withLock { $0.counts.fromUs += 1 }
            }
        }
    }
}
