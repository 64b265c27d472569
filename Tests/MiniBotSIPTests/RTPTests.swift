import Testing
@testable import MiniBotSIP

@Suite("RTP")
struct RTPTests {
    @Test func packetRoundTrip() throws {
        let packet = RTPPacket(marker: true, payloadType: 8, sequenceNumber: 65535, timestamp: 0xDEADBEEF, ssrc: 0x01020304, payload: [1, 2, 3])
        #expect(try RTPPacket(parsing: packet.bytes) == packet)
        #expect(throws: RTPPacket.ParseError.tooShort(5)) { try RTPPacket(parsing: [0x80, 0, 0, 0, 0]) }
        #expect(throws: RTPPacket.ParseError.badVersion(1)) { try RTPPacket(parsing: [0x40] + [UInt8](repeating: 0, count: 11)) }
        // Padding, a CSRC and a header extension are skipped.
        let complex: [UInt8] = [0xB1, 0x00, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, /* csrc */ 0, 0, 0, 7,
                                /* ext */ 0xBE, 0xDE, 0, 1, 1, 2, 3, 4, /* payload */ 42, 43, /* padding */ 0, 2]
        #expect(try RTPPacket(parsing: complex).payload == [42, 43])
    }

    func packet(_ sequence: UInt16) -> RTPPacket {
        RTPPacket(payloadType: 0, sequenceNumber: sequence, timestamp: UInt32(sequence) * 160, ssrc: 1, payload: [UInt8(truncatingIfNeeded: sequence)])
    }

    func drain(_ buffer: inout JitterBuffer) -> [UInt16?] {
        var out: [UInt16?] = []
        while let frame = buffer.pop() {
            if case .packet(let p) = frame { out.append(p.sequenceNumber) } else { out.append(nil) }
        }
        return out
    }

    @Test func reordersAcrossTheWrap() {
        var buffer = JitterBuffer(depth: 3)
        for sequence: UInt16 in [65533, 65535, 65534, 1, 0, 2] { buffer.insert(packet(sequence)) }
        #expect(drain(&buffer) == [65533, 65534, 65535, 0, 1, 2])
        #expect(buffer.statistics == .init(received: 6, lost: 0, late: 0, duplicates: 0, reordered: 2))
    }

    @Test func countsLossLateAndDuplicates() {
        var buffer = JitterBuffer(depth: 2)
        for sequence: UInt16 in [10, 11, 11, 13] { buffer.insert(packet(sequence)) }
        #expect(drain(&buffer) == [10, 11, nil, 13])
        buffer.insert(packet(12))
        #expect(buffer.statistics == .init(received: 3, lost: 1, late: 1, duplicates: 1, reordered: 0))
    }

    @Test func drainsThenRefills() {
        var buffer = JitterBuffer(depth: 2)
        for sequence: UInt16 in [1, 2] { buffer.insert(packet(sequence)) }
        #expect(drain(&buffer) == [1, 2])
        // Empty: popping again and again is harmless.
        for _ in 0..<5 { #expect(buffer.pop() == nil) }
        buffer.insert(packet(3))
        #expect(buffer.pop() == nil)
        buffer.insert(packet(4))
        #expect(drain(&buffer) == [3, 4])
        #expect(buffer.statistics.lost == 0)
    }

    @Test func waitsForDepthThenBoundsDelay() {
        var buffer = JitterBuffer(depth: 3, capacity: 10)
        buffer.insert(packet(1))
        buffer.insert(packet(2))
        #expect(buffer.pop() == nil)
        buffer.insert(packet(3))
        #expect(buffer.pop() == .packet(packet(1)))
        // A burst far ahead skips old frames instead of growing the delay.
        buffer.insert(packet(40))
        // Frames 4…30 are given up as lost; 31 is next and missing too.
        #expect(buffer.pop() == .missing)
        #expect(buffer.statistics.lost == 28)
    }
}
