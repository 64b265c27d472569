import Testing
@testable import MiniBotSIP

@Suite("RTCP sender/receiver reports (RFC 3550 §6.4)")
struct RTCPTests {
    let block = RTCPPacket.ReportBlock(ssrc: 0xCAFE_BABE, fractionLost: 25, cumulativeLost: -3, highestSequence: 0x0001_0005,
                                       jitter: 42, lastSR: 0x1234_5678, delaySinceLastSR: 0x0001_8000)

    @Test func senderReportRoundTrips() throws {
        let report = RTCPPacket.senderReport(.init(ssrc: 7, ntpTimestamp: 0xE1B2_C3D4_8000_0000, rtpTimestamp: 160_000,
                                                   packetCount: 1000, octetCount: 160_000, reports: [block, block]))
        let bytes = report.bytes
        #expect(bytes.count == 28 + 2 * 24)
        #expect(bytes[0] == 0x82 && bytes[1] == 200)
        #expect(Int(bytes[2]) << 8 | Int(bytes[3]) == bytes.count / 4 - 1)
        #expect(try RTCPPacket.parse(compound: bytes) == [report])
    }

    @Test func receiverReportAndCNAMEInOneCompoundPacket() throws {
        let rr = RTCPPacket.receiverReport(.init(ssrc: 9, reports: [block]))
        let sdes = RTCPPacket.sourceDescription(ssrc: 9, cname: "minibot@host")
        #expect(sdes.bytes.count % 4 == 0)
        #expect(try RTCPPacket.parse(compound: rr.bytes + sdes.bytes) == [rr, sdes])
    }

    /// A receiver report written out by hand from §6.4.2's layout.
    @Test func parsesAHandWrittenReceiverReport() throws {
        let bytes: [UInt8] = [0x81, 201, 0, 7,  0, 0, 0, 1,
                              0, 0, 0, 2,  0x40, 0xFF, 0xFF, 0xFE,  0, 1, 0, 9,  0, 0, 0, 33,  0xAB, 0xCD, 0, 0,  0, 0, 0x80, 0]
        let parsed = try RTCPPacket.parse(compound: bytes)
        #expect(parsed == [.receiverReport(.init(ssrc: 1, reports: [
            .init(ssrc: 2, fractionLost: 0x40, cumulativeLost: -2, highestSequence: 0x10009, jitter: 33, lastSR: 0xABCD_0000, delaySinceLastSR: 0x8000),
        ]))])
    }

    @Test func otherPacketTypesAreKeptByType() throws {
        let bye: [UInt8] = [0x81, 203, 0, 1, 0, 0, 0, 5]
        #expect(try RTCPPacket.parse(compound: bye) == [.other(type: 203)])
    }

    @Test("Malformed datagrams throw, never crash", arguments: [
        [UInt8](), [0x80, 200], [0x40, 200, 0, 0], [0x80, 200, 0, 9, 0, 0, 0, 0], [0x81, 201, 0, 1, 0, 0, 0, 1],
    ])
    func malformed(bytes: [UInt8]) {
        #expect(throws: RTCPPacket.ParseError.self) { try RTCPPacket.parse(compound: bytes) }
    }

    @Test func randomBytesNeverCrashTheParser() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            var bytes = (0..<Int.random(in: 0...120, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            if !bytes.isEmpty, Bool.random(using: &random) { bytes[0] = 0x80 | (bytes[0] & 0x1F) }
            _ = try? RTCPPacket.parse(compound: bytes)
        }
    }

    @Test func receptionCountsLossAndTheFractionSinceTheLastReport() throws {
        var reception = RTPReceptionStatistics()
        for sequence in 0..<100 where sequence % 10 != 3 {
            reception.record(sequence: UInt16(sequence), timestamp: UInt32(sequence * 160), ssrc: 5, arrival: UInt32(sequence * 160))
        }
        let firstBlock = reception.makeReportBlock(lastSR: 0, delaySinceLastSR: 0)
        let first = try #require(firstBlock)
        #expect(first.cumulativeLost == 10 && first.highestSequence == 99)
        #expect(first.fractionLost == UInt8(10 * 256 / 100))
        #expect(first.jitter == 0, "perfectly paced arrivals have no jitter")
        for sequence in 100..<150 {
            reception.record(sequence: UInt16(sequence), timestamp: UInt32(sequence * 160), ssrc: 5, arrival: UInt32(sequence * 160))
        }
        let secondBlock = reception.makeReportBlock(lastSR: 0, delaySinceLastSR: 0)
        let second = try #require(secondBlock)
        #expect(second.fractionLost == 0 && second.cumulativeLost == 10)
    }

    @Test func sequenceWrapCountsACycleAndReorderingIsNotLoss() {
        var reception = RTPReceptionStatistics()
        for (index, sequence) in [65533, 65535, 65534, 0, 2, 1, 3].enumerated() {
            reception.record(sequence: UInt16(sequence), timestamp: UInt32(index * 160), ssrc: 1, arrival: UInt32(index * 160))
        }
        #expect(reception.highestSequence == 0x1_0003)
        #expect(reception.cumulativeLost == 0)
    }

    @Test func jitterGrowsWithIrregularArrivals() {
        var reception = RTPReceptionStatistics()
        for sequence in 0..<200 {
            let wobble = sequence % 2 == 0 ? 0 : 80   // every other packet 10 ms late
            reception.record(sequence: UInt16(sequence), timestamp: UInt32(sequence * 160), ssrc: 1, arrival: UInt32(sequence * 160 + wobble))
        }
        // J converges to |D| = 80 units.
        #expect(reception.jitter > 60 && reception.jitter <= 80, "\(reception.jitter)")
    }

    @Test func ntpTime() {
        // 1970-01-01T00:00:00.5Z is 2,208,988,800.5 s after 1900.
        let ntp = NTPTime.from(unixNanoseconds: 500_000_000)
        #expect(ntp >> 32 == 2_208_988_800)
        #expect(ntp & 0xFFFF_FFFF == 0x8000_0000)
        #expect(NTPTime.middle(ntp) == UInt32(truncatingIfNeeded: 2_208_988_800 << 16) | 0x8000)
    }
}
