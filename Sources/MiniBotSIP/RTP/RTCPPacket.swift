/// RTCP packets (RFC 3550 §6): sender and receiver reports with their report
/// blocks, and the SDES CNAME a compound packet must carry. Other packet
/// types (BYE, APP, feedback) are kept as their type only.
public enum RTCPPacket: Sendable, Equatable {
    case senderReport(SenderReport)
    case receiverReport(ReceiverReport)
    case sourceDescription(ssrc: UInt32, cname: String)
    case other(type: UInt8)

    /// One reception report (§6.4.1): how well `ssrc`'s stream arrives.
    public struct ReportBlock: Sendable, Equatable {
        public var ssrc: UInt32
        /// Lost since the last report, in 1/256ths.
        public var fractionLost: UInt8
        /// Lost since the start (24 bits, signed: duplicates can make it negative).
        public var cumulativeLost: Int32
        /// The highest extended sequence number received.
        public var highestSequence: UInt32
        /// Interarrival jitter, in timestamp units.
        public var jitter: UInt32
        /// The middle 32 bits of the NTP timestamp of the last SR from `ssrc` (0: none yet).
        public var lastSR: UInt32
        /// Since that SR, in 1/65536 s.
        public var delaySinceLastSR: UInt32

        public init(ssrc: UInt32, fractionLost: UInt8, cumulativeLost: Int32, highestSequence: UInt32, jitter: UInt32,
                    lastSR: UInt32, delaySinceLastSR: UInt32) {
            self.ssrc = ssrc
            self.fractionLost = fractionLost
            self.cumulativeLost = cumulativeLost
            self.highestSequence = highestSequence
            self.jitter = jitter
            self.lastSR = lastSR
            self.delaySinceLastSR = delaySinceLastSR
        }
    }

    public struct SenderReport: Sendable, Equatable {
        public var ssrc: UInt32
        /// NTP time (seconds since 1900 in the high 32 bits, fraction in the low 32).
        public var ntpTimestamp: UInt64
        public var rtpTimestamp: UInt32
        public var packetCount: UInt32
        /// Payload octets sent.
        public var octetCount: UInt32
        public var reports: [ReportBlock]

        public init(ssrc: UInt32, ntpTimestamp: UInt64, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32, reports: [ReportBlock]) {
            self.ssrc = ssrc
            self.ntpTimestamp = ntpTimestamp
            self.rtpTimestamp = rtpTimestamp
            self.packetCount = packetCount
            self.octetCount = octetCount
            self.reports = reports
        }
    }

    public struct ReceiverReport: Sendable, Equatable {
        public var ssrc: UInt32
        public var reports: [ReportBlock]

        public init(ssrc: UInt32, reports: [ReportBlock]) {
            self.ssrc = ssrc
            self.reports = reports
        }
    }

    public enum ParseError: Error, Equatable, Sendable {
        case tooShort(Int)
        case badVersion(UInt8)
        case badLength
    }

    /// Parses a compound RTCP datagram into its packets.
    public static func parse(compound bytes: some Collection<UInt8>) throws(ParseError) -> [RTCPPacket] {
        let data = Array(bytes)
        guard data.count >= 4 else { throw .tooShort(data.count) }
        var packets: [RTCPPacket] = []
        var offset = 0
        while offset < data.count {
            guard data.count - offset >= 4 else { throw .badLength }
            let version = data[offset] >> 6
            guard version == 2 else { throw .badVersion(version) }
            let count = Int(data[offset] & 0x1F)
            let type = data[offset + 1]
            let length = (Int(data[offset + 2]) << 8 | Int(data[offset + 3]) + 1) * 4
            guard length >= 4, offset + length <= data.count else { throw .badLength }
            let body = Array(data[(offset + 4)..<(offset + length)])
            packets.append(try parse(type: type, count: count, body: body))
            offset += length
        }
        return packets
    }

    private static func parse(type: UInt8, count: Int, body: [UInt8]) throws(ParseError) -> RTCPPacket {
        switch type {
        case 200:
            guard body.count >= 24 + 24 * count else { throw .badLength }
            let ntp = UInt64(word(body, 4)) << 32 | UInt64(word(body, 8))
            return .senderReport(SenderReport(ssrc: word(body, 0), ntpTimestamp: ntp, rtpTimestamp: word(body, 12),
                                              packetCount: word(body, 16), octetCount: word(body, 20),
                                              reports: (0..<count).map { block(body, 24 + 24 * $0) }))
        case 201:
            guard body.count >= 4 + 24 * count else { throw .badLength }
            return .receiverReport(ReceiverReport(ssrc: word(body, 0), reports: (0..<count).map { block(body, 4 + 24 * $0) }))
        case 202:
            // The first chunk's CNAME item, if any.
            guard count >= 1, body.count >= 4 else { return .other(type: type) }
            var index = 4
            while index + 2 <= body.count, body[index] != 0 {
                let item = body[index]
                let length = Int(body[index + 1])
                guard index + 2 + length <= body.count else { throw .badLength }
                if item == 1 {
                    return .sourceDescription(ssrc: word(body, 0), cname: String(decoding: body[(index + 2)..<(index + 2 + length)], as: UTF8.self))
                }
                index += 2 + length
            }
            return .other(type: type)
        default:
            return .other(type: type)
        }
    }

    private static func word(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    private static func block(_ bytes: [UInt8], _ at: Int) -> ReportBlock {
        let lost = word(bytes, at + 4) & 0x00FF_FFFF
        // Sign-extend the 24-bit count.
        let cumulative = lost & 0x80_0000 != 0 ? Int32(bitPattern: lost | 0xFF00_0000) : Int32(lost)
        return ReportBlock(ssrc: word(bytes, at), fractionLost: bytes[at + 4], cumulativeLost: cumulative,
                           highestSequence: word(bytes, at + 8), jitter: word(bytes, at + 12),
                           lastSR: word(bytes, at + 16), delaySinceLastSR: word(bytes, at + 20))
    }

    /// This packet on the wire (one packet; concatenate for a compound one).
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        func append(_ value: UInt32) {
            out += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        }
        func append(_ block: ReportBlock) {
            append(block.ssrc)
            append(UInt32(block.fractionLost) << 24 | (UInt32(bitPattern: block.cumulativeLost) & 0x00FF_FFFF))
            append(block.highestSequence)
            append(block.jitter)
            append(block.lastSR)
            append(block.delaySinceLastSR)
        }
        func header(count: Int, type: UInt8) {
            out = [0x80 | UInt8(count & 0x1F), type, 0, 0] + out
            let words = out.count / 4 - 1
            out[2] = UInt8(words >> 8)
            out[3] = UInt8(words & 0xFF)
        }
        switch self {
        case .senderReport(let report):
            append(report.ssrc)
            append(UInt32(report.ntpTimestamp >> 32))
            append(UInt32(report.ntpTimestamp & 0xFFFF_FFFF))
            append(report.rtpTimestamp)
            append(report.packetCount)
            append(report.octetCount)
            for block in report.reports.prefix(31) { append(block) }
            header(count: min(31, report.reports.count), type: 200)
        case .receiverReport(let report):
            append(report.ssrc)
            for block in report.reports.prefix(31) { append(block) }
            header(count: min(31, report.reports.count), type: 201)
        case .sourceDescription(let ssrc, let cname):
            append(ssrc)
            let name = Array(cname.utf8.prefix(255))
            out += [1, UInt8(name.count)] + name
            // The item list ends with a zero octet, padded to a 32-bit boundary.
            out += [UInt8](repeating: 0, count: 4 - out.count % 4)
            header(count: 1, type: 202)
        case .other(let type):
            header(count: 0, type: type)
        }
        return out
    }
}

/// What an RTP receiver counts to fill a report block (RFC 3550 A.1, A.3, A.8).
public struct RTPReceptionStatistics: Sendable, Equatable {
    public private(set) var ssrc: UInt32?
    private var baseSequence: UInt32 = 0
    private var maxSequence: UInt16 = 0
    private var cycles: UInt32 = 0
    public private(set) var received: UInt32 = 0
    private var expectedPrior: UInt32 = 0
    private var receivedPrior: UInt32 = 0
    /// Interarrival jitter, in timestamp units ×16 (A.8's fixed point).
    private var jitterScaled: UInt32 = 0
    private var lastTransit: Int64?

    public init() {}

    /// A packet arrived at `arrival` (the sender's clock rate: 8,000 units a second).
    public mutating func record(sequence: UInt16, timestamp: UInt32, ssrc: UInt32, arrival: UInt32) {
        if self.ssrc != ssrc {
            self = RTPReceptionStatistics()
            self.ssrc = ssrc
            baseSequence = UInt32(sequence)
            maxSequence = sequence
        } else {
            let delta = sequence &- maxSequence
            if delta < 0x8000, delta != 0 {
                if sequence < maxSequence { cycles &+= 1 << 16 }
                maxSequence = sequence
            }
        }
        received &+= 1
        let transit = Int64(Int32(bitPattern: arrival &- timestamp))
        if let last = lastTransit {
            let d = UInt32(min(Int64(UInt32.max >> 4), abs(transit - last)))
            // J += (|D| - J) / 16, kept ×16.
            jitterScaled = UInt32(max(0, Int64(jitterScaled) + Int64(d) - Int64((jitterScaled + 8) >> 4)))
        }
        lastTransit = transit
    }

    public var highestSequence: UInt32 { cycles | UInt32(maxSequence) }
    public var expected: UInt32 { ssrc == nil ? 0 : highestSequence &- baseSequence &+ 1 }
    public var cumulativeLost: Int32 { Int32(clamping: Int64(expected) - Int64(received)) }
    public var jitter: UInt32 { jitterScaled >> 4 }

    /// The report block for the next report; moves the "since last report" interval on.
    public mutating func makeReportBlock(lastSR: UInt32, delaySinceLastSR: UInt32) -> RTCPPacket.ReportBlock? {
        guard let ssrc else { return nil }
        let expectedInterval = Int64(expected) - Int64(expectedPrior)
        let receivedInterval = Int64(received) - Int64(receivedPrior)
        expectedPrior = expected
        receivedPrior = received
        let lostInterval = expectedInterval - receivedInterval
        let fraction = expectedInterval <= 0 || lostInterval <= 0 ? 0 : UInt8(min(255, (lostInterval << 8) / expectedInterval))
        let cumulative = max(-0x80_0000, min(0x7F_FFFF, cumulativeLost))
        return RTCPPacket.ReportBlock(ssrc: ssrc, fractionLost: fraction, cumulativeLost: cumulative, highestSequence: highestSequence,
                                      jitter: jitter, lastSR: lastSR, delaySinceLastSR: delaySinceLastSR)
    }
}

/// NTP time (RFC 5905 era 0) for sender reports.
enum NTPTime {
    /// Seconds from 1900 to 1970.
    static let unixOffset: UInt64 = 2_208_988_800

    static func from(unixNanoseconds: UInt64) -> UInt64 {
        let seconds = unixNanoseconds / 1_000_000_000 + unixOffset
        let fraction = (unixNanoseconds % 1_000_000_000) << 32 / 1_000_000_000
        return seconds << 32 | fraction
    }

    /// The middle 32 bits (16.16 seconds), as LSR and DLSR use.
    static func middle(_ ntp: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: ntp >> 16) }
}
