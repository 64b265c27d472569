@testable import MiniBotSIP
import Testing

/// Packets that are not 20 ms (Asterisk's last packet of a played file is
/// shorter) become one 20 ms frame instead of trapping.
@Suite("RTP payloads of other sizes")
struct RTPFrameSizeTests {
    @Test(arguments: [0, 1, 138, 160, 240])
    func everyPayloadBecomesOneFrame(samples: Int) {
        let frame = RTPSession.oneFrame([Int16](repeating: 7, count: samples))
        #expect(frame.count == 160)
        #expect(frame.prefix(min(samples, 160)).allSatisfy { $0 == 7 })
        #expect(frame.dropFirst(min(samples, 160)).allSatisfy { $0 == 0 })
    }
}
