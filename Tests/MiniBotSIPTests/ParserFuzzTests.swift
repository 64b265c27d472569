import MiniBotTestSupport
import Testing
@testable import MiniBotSIP

/// Random and mutated messages must never crash or hang the parser: each
/// either parses or throws a `SIPParseError`.
@Suite("SIP parser fuzzing")
struct ParserFuzzTests {
    static let seeds: [[UInt8]] = [
        Array(SIPMessageTests.ok.utf8),
        Array("INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h:5060;branch=z9hG4bK1;rport\r\nFrom: \"A\" <sip:a@b>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: x@y\r\nCSeq: 1 INVITE\r\nContact: <sip:a@h>\r\nProxy-Authorization: Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:b\", response=\"0\"\r\nContent-Length: 4\r\n\r\nabcd".utf8),
        Array("BYE sip:a@b SIP/2.0\nv: SIP/2.0/TCP h\ni: 1\nf: <sip:a@b>;tag=2\nt: <sip:c@d>;tag=3\nCSeq: 2 BYE\nl: 0\n\n".utf8),
    ]

    static let tokens: [[UInt8]] = ["\r\n", "\r\n\r\n", ":", ";", ",", "\"", "<", ">", "@", " ", "\t", "\0", "Content-Length: 99999",
                                    "l: -5", "CSeq: 4294967296 INVITE", "Via:", "SIP/2.0", "\u{FF}", "%00", "[::1]"].map { Array($0.utf8) }

    @Test("Mutated real messages", arguments: 0..<8)
    func mutated(round: Int) {
        var random = SeededRandom(seed: UInt64(round) &* 7919)
        for _ in 0..<2_000 {
            var bytes = Self.seeds.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                guard !bytes.isEmpty else { break }
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<5, using: &random) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes.remove(at: index)
                case 2: bytes.insert(contentsOf: Self.tokens.randomElement(using: &random)!, at: index)
                case 3: bytes.removeSubrange(index..<min(bytes.count, index + Int.random(in: 1...40, using: &random)))
                default: bytes.insert(contentsOf: bytes[index..<min(bytes.count, index + 30)], at: index)
                }
            }
            exercise(bytes)
        }
    }

    @Test func randomBytes() {
        var random = SeededRandom(seed: 42)
        for _ in 0..<5_000 {
            let count = Int.random(in: 0..<600, using: &random)
            exercise((0..<count).map { _ in UInt8.random(in: 0...255, using: &random) })
        }
    }

    @Test func hostileShapes() {
        exercise(Array(repeating: UInt8(ascii: "a"), count: 65_535))
        exercise(Array(("SIP/2.0 200 OK\r\n" + String(repeating: "X-A: b\r\n", count: 5_000) + "\r\n").utf8))
        exercise(Array(("SIP/2.0 200 OK\r\nSubject: a\r\n" + String(repeating: " b\r\n", count: 3_000) + "\r\n").utf8))
        exercise(Array(("INVITE sip:a@b SIP/2.0\r\nVia: " + String(repeating: "SIP/2.0/UDP h;branch=z9hG4bK1,", count: 2_000) + "\r\n\r\n").utf8))
    }

    /// Parses, and when that works, uses everything a handler would read.
    func exercise(_ bytes: [UInt8]) {
        do {
            let message = try SIPMessage(parsing: bytes)
            _ = message.via
            _ = message.cseq
            _ = message.headers.values("Via")
            _ = message.headers.values("Record-Route").map { try? NameAddress(parsing: $0) }
            _ = message.headers["From"].map { try? NameAddress(parsing: $0) }
            if case .request(_, let uri) = message.startLine { _ = try? SIPURI(parsing: uri) }
            _ = try? SessionDescription(parsing: message.body)
            _ = try? SIPMessage(parsing: message.bytes)
            var framer = SIPStreamFramer()
            _ = try? framer.feed(bytes)
        } catch {
            // Refused with a reason: what we want.
        }
        _ = try? DigestChallenge(parsing: String(decoding: bytes.prefix(300), as: UTF8.self))
        _ = try? RTPPacket(parsing: bytes.prefix(200))
    }
}
