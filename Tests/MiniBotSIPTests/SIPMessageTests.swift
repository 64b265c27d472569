import Testing
@testable import MiniBotSIP

@Suite("SIP messages")
struct SIPMessageTests {
    /// A 200 OK as baresip sends it.
    static let ok = """
        SIP/2.0 200 OK\r
        Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKabc123;rport=5070;received=127.0.0.1\r
        Contact: <sip:alice-0x55@127.0.0.1:5072;transport=udp>\r
        Record-Route: <sip:127.0.0.1:5060;lr>, <sip:10.0.0.1;lr>\r
        From: "Mini Bot" <sip:robot@127.0.0.1>;tag=fromtag\r
        To: <sip:alice@127.0.0.1:5072>;tag=totag\r
        Call-ID: call-1@127.0.0.1\r
        CSeq: 1 INVITE\r
        Server: baresip v1.0.0 (x86_64/linux)\r
        Allow: INVITE,ACK,BYE,CANCEL,OPTIONS,NOTIFY,SUBSCRIBE,INFO,MESSAGE,UPDATE,REFER\r
        Content-Type: application/sdp\r
        Content-Length: 155\r
        \r
        v=0\r
        o=- 1234 5678 IN IP4 127.0.0.1\r
        s=-\r
        c=IN IP4 127.0.0.1\r
        t=0 0\r
        m=audio 20004 RTP/AVP 8 101\r
        a=rtpmap:8 PCMA/8000\r
        a=rtpmap:101 telephone-event/8000\r

        """

    @Test func parsesARealResponse() throws {
        let message = try SIPMessage(parsing: Array(Self.ok.utf8))
        #expect(message.statusCode == 200)
        #expect(message.cseq == CSeq(number: 1, method: "INVITE"))
        #expect(message.via?.branch == "z9hG4bKabc123")
        #expect(message.via?.parameter("received") == "127.0.0.1")
        #expect(message.headers.values("Record-Route") == ["<sip:127.0.0.1:5060;lr>", "<sip:10.0.0.1;lr>"])
        #expect(message.body.count == 155)
        let sdp = try SessionDescription(parsing: message.body)
        let media = try NegotiatedMedia(answer: sdp)
        #expect(media == NegotiatedMedia(remoteAddress: "127.0.0.1", remotePort: 20004, codec: .pcma, telephoneEvent: 101, direction: "sendrecv"))
    }

    @Test func compactFormsFoldingCaseAndBareLF() throws {
        let text = "INVITE sip:bob@example.com SIP/2.0\nv: SIP/2.0/TCP host;branch=z9hG4bK1\ni: abc\nf: <sip:a@b>;tag=1\n"
            + "t: <sip:bob@example.com>\ncseq: 7\n  INVITE\nSUBJECT: hello\n\tworld\nl: 0\n\n"
        let message = try SIPMessage(parsing: Array(text.utf8))
        #expect(message.method == "INVITE")
        #expect(message.callID == "abc")
        #expect(message.cseq == CSeq(number: 7, method: "INVITE"))
        #expect(message.headers["Subject"] == "hello world")
        #expect(message.headers["content-length"] == "0")
    }

    @Test func roundTripsThroughBytes() throws {
        let message = try SIPMessage(parsing: Array(Self.ok.utf8))
        #expect(try SIPMessage(parsing: message.bytes) == message)
    }

    @Test("Malformed messages are refused with a reason", arguments: [
        ("", SIPParseError.empty),
        ("\r\n\r\n", .empty),
        ("INVITE sip:a@b SIP/2.0\r\nVia: x\r\n", .incompleteHeaders),
        ("HELLO\r\n\r\n", .badStartLine("HELLO")),
        ("SIP/2.0 2000 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n", .badStartLine("SIP/2.0 2000 OK")),
        ("INVITE nothing SIP/2.0\r\n\r\n", .badStartLine("INVITE nothing SIP/2.0")),
        ("INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n", .missingHeader("From")),
        ("INVITE sip:a@b SIP/2.0\r\nno colon here\r\n\r\n", .badHeader("no colon here")),
    ])
    func malformed(_ text: String, _ error: SIPParseError) {
        #expect(throws: error) { try SIPMessage(parsing: Array(text.utf8)) }
    }

    @Test func contentLengthIsChecked() {
        let head = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n"
        #expect(throws: SIPParseError.truncatedBody(expected: 10, got: 3)) {
            try SIPMessage(parsing: Array((head + "Content-Length: 10\r\n\r\nabc").utf8))
        }
        #expect(throws: SIPParseError.badContentLength("-1")) {
            try SIPMessage(parsing: Array((head + "Content-Length: -1\r\n\r\n").utf8))
        }
        #expect(throws: SIPParseError.badHeader("CSeq: one INVITE")) {
            try SIPMessage(parsing: Array(head.replacingOccurrences(of: "CSeq: 1 INVITE", with: "CSeq: one INVITE").utf8 + Array("\r\n".utf8)))
        }
        #expect(throws: SIPParseError.tooLarge(70_000)) { try SIPMessage(parsing: [UInt8](repeating: 65, count: 70_000)) }
    }

    @Test func tcpStreamIsFramedByContentLength() throws {
        let one = Array(Self.ok.utf8)
        var framer = SIPStreamFramer()
        var messages: [SIPMessage] = []
        let stream = Array("\r\n\r\n".utf8) + one + one
        for chunk in stride(from: 0, to: stream.count, by: 37) {
            messages += try framer.feed(stream[chunk..<min(chunk + 37, stream.count)])
        }
        #expect(messages.count == 2)
        #expect(messages.allSatisfy { $0.body.count == 155 })
    }

    @Test func urisAndAddresses() throws {
        let uri = try SIPURI(parsing: "sip:+33612345678@trunk.example.com:5080;transport=tcp;user=phone?X-Foo=1")
        #expect(uri.user == "+33612345678" && uri.host == "trunk.example.com" && uri.port == 5080)
        #expect(uri.parameter("transport") == "tcp" && uri.headers == "X-Foo=1")
        #expect(uri.description == "sip:+33612345678@trunk.example.com:5080;transport=tcp;user=phone?X-Foo=1")
        #expect(try SIPURI(parsing: "sip:[::1]:5060").host == "[::1]")
        #expect(throws: SIPParseError.self) { try SIPURI(parsing: "tel:+33612345678") }
        #expect(throws: SIPParseError.self) { try SIPURI(parsing: "sip:host:99999") }

        let from = try NameAddress(parsing: "\"Léa \\\"L\\\" Roux\" <sip:lea@example.fr>;tag=abc;x=1")
        #expect(from.displayName == "Léa \"L\" Roux" && from.tag == "abc" && from.uri.user == "lea")
        let bare = try NameAddress(parsing: "sip:bob@example.com;tag=xyz")
        #expect(bare.tag == "xyz" && bare.uri.parameters.isEmpty)
        let unquoted = try NameAddress(parsing: "Bob <sip:bob@b>")
        #expect(unquoted.displayName == "Bob")
        #expect(throws: SIPParseError.self) { try NameAddress(parsing: "\"open <sip:a@b>") }

        let via = try Via(parsing: "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK77;rport")
        #expect(via.transport == "UDP" && via.host == "192.0.2.1" && via.port == 5060 && via.branch == "z9hG4bK77")
        #expect(via.description == "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK77;rport")
    }
}
