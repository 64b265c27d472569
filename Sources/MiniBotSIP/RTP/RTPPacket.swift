/// An RTP packet (RFC 3550 §5.1).
public struct RTPPacket: Sendable, Equatable {
    public var marker: Bool
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    public var payload: [UInt8]

    public init(marker: Bool = false, payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32, payload: [UInt8]) {
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.payload = payload
    }

    public enum ParseError: Error, Equatable, Sendable {
        case tooShort(Int)
        case badVersion(UInt8)
        case badLength
    }

    /// Parses a datagram: CSRCs, the header extension and padding are skipped.
    public init(parsing bytes: some Collection<UInt8>) throws(ParseError) {
        let data = Array(bytes)
        guard data.count >= 12 else { throw .tooShort(data.count) }
        let version = data[0] >> 6
        guard version == 2 else { throw .badVersion(version) }
        let padding = data[0] & 0x20 != 0
        let hasExtension = data[0] & 0x10 != 0
        let csrcCount = Int(data[0] & 0x0F)
        marker = data[1] & 0x80 != 0
        payloadType = data[1] & 0x7F
        sequenceNumber = UInt16(data[2]) << 8 | UInt16(data[3])
        timestamp = UInt32(data[4]) << 24 | UInt32(data[5]) << 16 | UInt32(data[6]) << 8 | UInt32(data[7])
        ssrc = UInt32(data[8]) << 24 | UInt32(data[9]) << 16 | UInt32(data[10]) << 8 | UInt32(data[11])
        var start = 12 + 4 * csrcCount
        if hasExtension {
            guard data.count >= start + 4 else { throw .badLength }
            let words = Int(data[start + 2]) << 8 | Int(data[start + 3])
            start += 4 + 4 * words
        }
        var end = data.count
        if padding {
            guard let last = data.last, last > 0 else { throw .badLength }
            end -= Int(last)
        }
        guard start <= end else { throw .badLength }
        payload = Array(data[start..<end])
    }

    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 12)
        out.reserveCapacity(12 + payload.count)
        out[0] = 0x80
        out[1] = (marker ? 0x80 : 0) | (payloadType & 0x7F)
        out[2] = UInt8(sequenceNumber >> 8); out[3] = UInt8(sequenceNumber & 0xFF)
        out[4] = UInt8(timestamp >> 24); out[5] = UInt8(timestamp >> 16 & 0xFF)
        out[6] = UInt8(timestamp >> 8 & 0xFF); out[7] = UInt8(timestamp & 0xFF)
        out[8] = UInt8(ssrc >> 24); out[9] = UInt8(ssrc >> 16 & 0xFF)
        out[10] = UInt8(ssrc >> 8 & 0xFF); out[11] = UInt8(ssrc & 0xFF)
        out += payload
        return out
    }
}
