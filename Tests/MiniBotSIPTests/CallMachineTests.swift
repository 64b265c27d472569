import MiniBotCore
import Testing
@testable import MiniBotSIP

/// Drives ``OutboundCall`` with the far end's messages, as a phone would send them.
@Suite("Outbound call state machine")
struct CallMachineTests {
    static let offer = SessionDescription.offer(address: "127.0.0.1", port: 30000, sessionID: 1)

    static func request(ring: Duration = .seconds(30), password: String? = nil) throws -> CallRequest {
        CallRequest(
            target: try SIPURI(parsing: "sip:alice@127.0.0.1:5072"),
            from: NameAddress(displayName: "Robot", uri: try SIPURI(parsing: "sip:+33100000000@127.0.0.1")),
            assertedIdentity: NameAddress(uri: try SIPURI(parsing: "sip:+33100000000@127.0.0.1")),
            contact: try SIPURI(parsing: "sip:robot@127.0.0.1:5070"), viaHost: "127.0.0.1", viaPort: 5070,
            callID: "call-1", offer: offer, username: password == nil ? nil : "robot", password: password, ringTimeout: ring)
    }

    static func sent(_ actions: [OutboundCall.Action]) -> [SIPMessage] {
        actions.compactMap { if case .send(let m) = $0 { m } else { nil } }
    }

    /// The far end's response to `request`, with a To tag.
    static func reply(_ request: SIPMessage, _ code: Int, _ reason: String = "", body: [UInt8] = [], headers extra: [(String, String)] = []) -> SIPMessage {
        var headers = SIPHeaders()
        for via in request.headers.values("Via") { headers.add("Via", via) }
        headers.add("From", request.headers["From"]!)
        let to = request.headers["To"]!
        headers.add("To", to.contains("tag=") || code == 100 ? to : to + ";tag=far")
        headers.add("Call-ID", request.callID!)
        headers.add("CSeq", request.headers["CSeq"]!)
        if (200..<300).contains(code) { headers.add("Contact", "<sip:alice@127.0.0.1:5072>") }
        for (name, value) in extra { headers.add(name, value) }
        return SIPMessage(startLine: .response(code: code, reason: reason), headers: headers, body: body)
    }

    static let answer = Array("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 20004 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n".utf8)

    @Test func answeredThenHungUpByUs() throws {
        var call = OutboundCall(request: try Self.request())
        let start = call.start()
        let invite = try #require(Self.sent(start).first)
        #expect(invite.method == "INVITE" && invite.headers["P-Asserted-Identity"] == "<sip:+33100000000@127.0.0.1>")
        #expect(invite.headers["From"]!.hasPrefix("\"Robot\" <sip:+33100000000@127.0.0.1>;tag="))
        #expect(start.contains(.startTimer(.ring, .seconds(30))))

        #expect(Self.sent(call.received(response: Self.reply(invite, 100, "Trying"))).isEmpty)
        #expect(call.received(response: Self.reply(invite, 180, "Ringing")) == [.progress(code: 180, earlyMedia: nil)])
        #expect(call.phase == .ringing)
        let ok = Self.reply(invite, 200, "OK", body: Self.answer, headers: [("Record-Route", "<sip:proxy.example;lr>")])
        let answered = call.received(response: ok)
        let ack = try #require(Self.sent(answered).first)
        #expect(ack.method == "ACK" && ack.cseq == CSeq(number: 1, method: "ACK"))
        #expect(ack.startLine == .request(method: "ACK", uri: "sip:alice@127.0.0.1:5072"))
        #expect(ack.headers["Route"] == "<sip:proxy.example;lr>" && ack.headers["To"]!.hasSuffix(";tag=far"))
        #expect(answered.contains(.answered(NegotiatedMedia(remoteAddress: "127.0.0.1", remotePort: 20004, codec: .pcma, telephoneEvent: 101, direction: "sendrecv"))))
        #expect(answered.contains(.cancelTimer(.ring)))
        // A retransmitted 200 is acknowledged again, and nothing else happens.
        let again = call.received(response: ok)
        #expect(Self.sent(again).map(\.method) == ["ACK"] && again.count == 1)

        let bye = try #require(Self.sent(call.hangup()).first)
        #expect(bye.method == "BYE" && bye.cseq == CSeq(number: 2, method: "BYE") && bye.headers["Route"] == "<sip:proxy.example;lr>")
        #expect(call.received(response: Self.reply(bye, 200, "OK")) == [.cancelTimer(.transaction(branch: bye.via!.branch!, .e)),
                                                                     .cancelTimer(.transaction(branch: bye.via!.branch!, .f)),
                                                                     .ended(failure: nil, remoteHangup: false, code: 200),
                                                                     .startTimer(.transaction(branch: bye.via!.branch!, .k), .seconds(5))])
        #expect(call.phase == .ended)
    }

    @Test("Final responses map to outcomes", arguments: [
        (486, CallFailure.busy(code: 486)), (600, .busy(code: 600)), (480, .noAnswer(code: 480)), (408, .noAnswer(code: 408)),
        (404, .invalidNumber(code: 404)), (484, .invalidNumber(code: 484)), (604, .invalidNumber(code: 604)),
        (403, .rejected(code: 403)), (603, .rejected(code: 603)), (503, .network(code: 503, reason: "X")),
        (488, .failed(code: 488, reason: "X")),
    ])
    func failures(code: Int, failure: CallFailure) throws {
        var call = OutboundCall(request: try Self.request())
        let invite = try #require(Self.sent(call.start()).first)
        let actions = call.received(response: Self.reply(invite, code, "X"))
        let ack = try #require(Self.sent(actions).first)
        #expect(ack.method == "ACK" && ack.via?.branch == invite.via?.branch)
        #expect(actions.contains(.ended(failure: failure, remoteHangup: false, code: code)))
        #expect(call.phase == .ended)
    }

    @Test func ringTimeoutCancels() throws {
        var call = OutboundCall(request: try Self.request(ring: .seconds(5)))
        let invite = try #require(Self.sent(call.start()).first)
        _ = call.received(response: Self.reply(invite, 180, "Ringing"))
        let cancel = try #require(Self.sent(call.timerFired(.ring)).first)
        #expect(cancel.method == "CANCEL" && cancel.via?.branch == invite.via?.branch && cancel.cseq == CSeq(number: 1, method: "CANCEL"))
        #expect(!cancel.headers["To"]!.contains("tag="))
        _ = call.received(response: Self.reply(cancel, 200, "OK"))
        let terminated = call.received(response: Self.reply(invite, 487, "Request Terminated"))
        #expect(Self.sent(terminated).first?.method == "ACK")
        #expect(terminated.contains(.ended(failure: .noAnswer(code: nil), remoteHangup: false, code: nil)))
    }

    @Test func cancelWaitsForAProvisionalResponse() throws {
        var call = OutboundCall(request: try Self.request())
        let invite = try #require(Self.sent(call.start()).first)
        #expect(Self.sent(call.hangup()).isEmpty)
        let actions = call.received(response: Self.reply(invite, 100, "Trying"))
        #expect(Self.sent(actions).first?.method == "CANCEL")
    }

    @Test func answerRacingOurCancelIsHungUp() throws {
        var call = OutboundCall(request: try Self.request())
        let invite = try #require(Self.sent(call.start()).first)
        _ = call.received(response: Self.reply(invite, 180, "Ringing"))
        _ = call.hangup()
        let actions = call.received(response: Self.reply(invite, 200, "OK", body: Self.answer))
        #expect(Self.sent(actions).map(\.method) == ["ACK", "BYE"])
        #expect(actions.contains(.ended(failure: .cancelled, remoteHangup: false, code: nil)))
    }

    @Test func digestChallengeIsAnsweredOnce() throws {
        var call = OutboundCall(request: try Self.request(password: "secret"))
        let invite = try #require(Self.sent(call.start()).first)
        let challenge = Self.reply(invite, 407, "Proxy Authentication Required",
                                   headers: [("Proxy-Authenticate", #"Digest realm="test", nonce="n1", qop="auth", algorithm=MD5"#)])
        let retry = Self.sent(call.received(response: challenge))
        #expect(retry.map(\.method) == ["ACK", "INVITE"])
        let second = retry[1]
        #expect(second.cseq == CSeq(number: 2, method: "INVITE") && second.callID == invite.callID)
        #expect(second.via?.branch != invite.via?.branch && second.headers["From"] == invite.headers["From"])
        #expect(second.headers["Proxy-Authorization"]?.contains(#"username="robot""#) == true)
        // A second refusal ends the call: the password is wrong.
        let refused = call.received(response: Self.reply(second, 407, "Proxy Authentication Required",
                                                         headers: [("Proxy-Authenticate", #"Digest realm="test", nonce="n2""#)]))
        #expect(refused.contains { if case .ended(.authentication(let text)?, _, _) = $0 { text.contains("refused") } else { false } })
    }

    @Test func challengeWithoutCredentialsSaysSo() throws {
        var call = OutboundCall(request: try Self.request())
        let invite = try #require(Self.sent(call.start()).first)
        let actions = call.received(response: Self.reply(invite, 401, "Unauthorized", headers: [("WWW-Authenticate", #"Digest realm="trunk", nonce="x""#)]))
        #expect(actions.contains { if case .ended(.authentication(let text)?, _, _) = $0 { text.contains("none is configured") } else { false } })
    }

    @Test func farEndByeReInviteAndOptions() throws {
        var call = OutboundCall(request: try Self.request())
        let invite = try #require(Self.sent(call.start()).first)
        _ = call.received(response: Self.reply(invite, 200, "OK", body: Self.answer))
        let localTag = try #require(try NameAddress(parsing: invite.headers["From"]!).tag)

        func inDialog(_ method: String, cseq: Int, body: [UInt8] = []) -> SIPMessage {
            var headers = SIPHeaders()
            headers.add("Via", "SIP/2.0/UDP 127.0.0.1:5072;branch=z9hG4bKfar\(cseq)")
            headers.add("From", "<sip:alice@127.0.0.1:5072>;tag=far")
            headers.add("To", "<sip:+33100000000@127.0.0.1>;tag=\(localTag)")
            headers.add("Call-ID", "call-1")
            headers.add("CSeq", "\(cseq) \(method)")
            return .request(method, uri: "sip:robot@127.0.0.1:5070", headers: headers, body: body)
        }
        #expect(Self.sent(call.received(request: inDialog("OPTIONS", cseq: 10))).first?.statusCode == 200)
        let moved = Array(String(decoding: Self.answer, as: UTF8.self).replacingOccurrences(of: "20004", with: "20010").utf8)
        let reinvite = call.received(request: inDialog("INVITE", cseq: 11, body: moved))
        let ok = try #require(Self.sent(reinvite).first)
        #expect(ok.statusCode == 200 && ok.headers["Content-Type"] == "application/sdp")
        #expect(try SessionDescription(parsing: ok.body).media[0].formats == [8, 101])
        #expect(reinvite.contains { if case .mediaChanged(let media) = $0 { media.remotePort == 20010 } else { false } })
        #expect(Self.sent(call.received(request: inDialog("INFO", cseq: 5))).first?.statusCode == 500)
        let bye = call.received(request: inDialog("BYE", cseq: 12))
        #expect(Self.sent(bye).first?.statusCode == 200)
        #expect(bye.contains(.ended(failure: nil, remoteHangup: true, code: nil)))
        #expect(call.phase == .ended)
        var stranger = inDialog("BYE", cseq: 13)
        stranger.headers.set("Call-ID", "other")
        #expect(Self.sent(call.received(request: stranger)).first?.statusCode == 481)
    }

    @Test func silentTrunkTimesOut() throws {
        var call = OutboundCall(request: try Self.request(), timers: SIPTimers(t1: .milliseconds(100)))
        let start = call.start()
        let branch = try #require(Self.sent(start).first?.via?.branch)
        #expect(start.contains(.startTimer(.transaction(branch: branch, .a), .milliseconds(100))))
        let retransmit = call.timerFired(.transaction(branch: branch, .a))
        #expect(Self.sent(retransmit).count == 1 && retransmit.contains(.startTimer(.transaction(branch: branch, .a), .milliseconds(200))))
        let timeout = call.timerFired(.transaction(branch: branch, .b))
        #expect(timeout.contains { if case .ended(.network(408, _)?, false, 408) = $0 { true } else { false } })
    }

    @Test func lostByeResponseStillEndsTheCall() throws {
        var call = OutboundCall(request: try Self.request())
        let invite = try #require(Self.sent(call.start()).first)
        _ = call.received(response: Self.reply(invite, 200, "OK", body: Self.answer))
        let bye = try #require(Self.sent(call.hangup()).first)
        let actions = call.timerFired(.transaction(branch: bye.via!.branch!, .f))
        #expect(actions.contains(.ended(failure: nil, remoteHangup: false, code: 408)))
    }
}
