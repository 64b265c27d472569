/// A small receive buffer for one RTP stream: it reorders packets, drops
/// duplicates and those that come too late, and counts what was lost. The
/// media clock pulls one frame every 20 ms with ``pop()``; the buffer holds
/// back ``depth`` frames first so reordered packets can still be placed.
public struct JitterBuffer: Sendable {
    public struct Statistics: Sendable, Equatable {
        public var received = 0
        /// Frames played as missing (never arrived, or arrived too late).
        public var lost = 0
        public var late = 0
        public var duplicates = 0
        /// Packets that arrived after a later one but in time to be played.
        public var reordered = 0
    }

    /// Frames held before playing starts (3 × 20 ms by default).
    public let depth: Int
    /// Frames beyond which the oldest is dropped, so delay cannot grow without end.
    public let capacity: Int
    public private(set) var statistics = Statistics()

    private var slots: [UInt64: RTPPacket] = [:]
    /// The extended sequence number of the next frame to play.
    private var nextToPlay: UInt64?
    private var highest: UInt64?
    private var started = false

    public init(depth: Int = 3, capacity: Int = 50) {
        self.depth = max(1, depth)
        self.capacity = max(depth + 1, capacity)
    }

    public mutating func insert(_ packet: RTPPacket) {
        let extended = extend(packet.sequenceNumber)
        if let next = nextToPlay, extended < next {
            statistics.late += 1
            return
        }
        guard slots[extended] == nil else {
            statistics.duplicates += 1
            return
        }
        statistics.received += 1
        if let top = highest, extended < top { statistics.reordered += 1 }
        highest = max(highest ?? extended, extended)
        if nextToPlay == nil { nextToPlay = extended }
        slots[extended] = packet
        // Too far behind: skip ahead so delay stays bounded.
        while let next = nextToPlay, let top = highest, top >= next, top - next >= UInt64(capacity) {
            if slots.removeValue(forKey: next) == nil { statistics.lost += 1 }
            nextToPlay = next + 1
        }
    }

    /// The next frame in order, `.missing` for a gap, nil while filling or empty.
    public mutating func pop() -> Frame? {
        guard let next = nextToPlay, let top = highest else { return nil }
        guard next <= top else {
            // Drained: wait for more packets, then refill to the depth.
            started = false
            return nil
        }
        if !started {
            guard top - next + 1 >= UInt64(depth) else { return nil }
            started = true
        }
        nextToPlay = next + 1
        if let packet = slots.removeValue(forKey: next) { return .packet(packet) }
        statistics.lost += 1
        return .missing
    }

    public enum Frame: Sendable, Equatable {
        case packet(RTPPacket)
        case missing
    }

    /// Maps a 16-bit sequence number onto a 64-bit counter that does not wrap,
    /// choosing the value closest to the highest seen.
    private func extend(_ sequence: UInt16) -> UInt64 {
        guard let top = highest else { return UInt64(sequence) + (1 << 16) }
        let cycle = top & ~0xFFFF
        let candidates = [cycle &- (1 << 16), cycle, cycle + (1 << 16)].map { $0 | UInt64(sequence) }
        return candidates.min { distance($0, top) < distance($1, top) }!
    }

    private func distance(_ a: UInt64, _ b: UInt64) -> UInt64 { a > b ? a - b : b - a }
}
