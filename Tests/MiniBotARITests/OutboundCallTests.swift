import MiniBotARI
import MiniBotCore
import Testing

/// The call state machine driven by events, with no Asterisk, no socket and no clock.
@Suite("ARI outbound call state machine")
struct OutboundCallTests {
    static let id = "minibot-1"
    static func channel(_ id: String = OutboundCallTests.id, state: String = "Up") -> ARIChannel {
        ARIChannel(id: id, name: "PJSIP/trunk-00000001", state: state)
    }

    @Test func answeredThenCalleeHangsUp() {
        var call = ARIOutboundCall(channelID: Self.id)
        #expect(call.received(.channelStateChange(channel: Self.channel(state: "Ringing"))) == [])
        #expect(call.received(.stasisStart(channel: Self.channel(), args: [])) == [.connectMedia])
        // A StasisStart of another channel (the externalMedia one) is not ours.
        #expect(call.received(.stasisStart(channel: Self.channel("minibot-1-media"), args: [])) == [])
        #expect(call.mediaConnected() == [.answered])
        #expect(call.received(.channelHangupRequest(channel: Self.channel(), cause: 16, soft: false)) == [])
        #expect(call.received(.channelDestroyed(channel: Self.channel(), cause: 16, causeText: "Normal Clearing"))
                == [.ended(ARICallEnd(remoteHangup: true, cause: "Q.850 16 Normal Clearing"))])
        #expect(call.state == .ended)
    }

    @Test func weHangUp() {
        var call = ARIOutboundCall(channelID: Self.id)
        _ = call.received(.stasisStart(channel: Self.channel(), args: []))
        _ = call.mediaConnected()
        #expect(call.hangup() == [.hangup(reason: "normal")])
        #expect(call.hangup() == [])
        #expect(call.received(.channelDestroyed(channel: Self.channel(), cause: 16, causeText: "Normal Clearing"))
                == [.ended(ARICallEnd(remoteHangup: false, cause: "hung up (Q.850 16 Normal Clearing)"))])
    }

    @Test func busyBeforeAnswer() {
        var call = ARIOutboundCall(channelID: Self.id)
        #expect(call.received(.dial(peer: Self.channel(state: "Down"), caller: nil, dialStatus: "BUSY")) == [])
        #expect(call.received(.channelDestroyed(channel: Self.channel(state: "Down"), cause: 17, causeText: "User busy"))
                == [.failed(.busy(code: 17))])
    }

    @Test func ringTimeoutHangsUpAndFailsAsNoAnswer() {
        var call = ARIOutboundCall(channelID: Self.id)
        #expect(call.ringTimeout() == [.hangup(reason: "no_answer")])
        // Asterisk's cause for our own hang-up does not replace the reason we hung up.
        #expect(call.received(.channelDestroyed(channel: Self.channel(state: "Ringing"), cause: 16, causeText: "Normal Clearing"))
                == [.failed(.noAnswer(code: nil))])
    }

    @Test func cancelledWhileRinging() {
        var call = ARIOutboundCall(channelID: Self.id)
        #expect(call.cancel() == [.hangup(reason: "normal")])
        // Answered while our hang-up was on its way: still cancelled, no media set up.
        #expect(call.received(.stasisStart(channel: Self.channel(), args: [])) == [])
        #expect(call.received(.channelDestroyed(channel: Self.channel(), cause: 16, causeText: "")) == [.failed(.cancelled)])
    }

    @Test func mediaFailureFailsTheCall() {
        var call = ARIOutboundCall(channelID: Self.id)
        _ = call.received(.stasisStart(channel: Self.channel(), args: []))
        #expect(call.mediaFailed("HTTP 500") == [.hangup(reason: "normal")])
        #expect(call.received(.channelDestroyed(channel: Self.channel(), cause: 16, causeText: ""))
                == [.failed(.network(code: nil, reason: "externalMedia: HTTP 500"))])
    }

    @Test func originateRefused() {
        var call = ARIOutboundCall(channelID: Self.id)
        let error = ARIError.http(method: "POST", path: "/channels", status: 400, message: "Invalid endpoint")
        #expect(call.originateFailed(error) == [.failed(.network(code: nil, reason: error.description))])
        #expect(call.state == .ended)
    }

    @Test func connectionLostAfterGraceEndsTheCallWithThatCause() {
        var call = ARIOutboundCall(channelID: Self.id)
        _ = call.received(.stasisStart(channel: Self.channel(), args: []))
        _ = call.mediaConnected()
        #expect(call.disconnected() == [])
        #expect(call.state == .suspended(wasAnswered: true))
        #expect(call.connectionLost("ARI connection lost: refused")
                == [.ended(ARICallEnd(remoteHangup: false, cause: "ARI connection lost: refused"))])
    }

    @Test func reconnectedWithinGraceResumes() {
        var call = ARIOutboundCall(channelID: Self.id)
        _ = call.received(.stasisStart(channel: Self.channel(), args: []))
        _ = call.mediaConnected()
        _ = call.disconnected()
        #expect(call.reconnected() == [.resubscribe])
        #expect(call.resumed(answered: true) == [])
        #expect(call.state == .answered)
        // A dialing call whose StasisStart was missed while disconnected is taken as answered.
        var ringing = ARIOutboundCall(channelID: Self.id)
        _ = ringing.disconnected()
        #expect(ringing.reconnected() == [.resubscribe])
        #expect(ringing.resumed(answered: true) == [.connectMedia])
        // A hang-up asked for while disconnected is sent once the connection is back.
        var hanging = ARIOutboundCall(channelID: Self.id)
        _ = hanging.received(.stasisStart(channel: Self.channel(), args: []))
        _ = hanging.mediaConnected()
        _ = hanging.disconnected()
        _ = hanging.hangup()
        #expect(hanging.resumed(answered: true) == [.hangup(reason: "normal")])
    }

    @Test func failedDialLostConnection() {
        var call = ARIOutboundCall(channelID: Self.id)
        _ = call.disconnected()
        #expect(call.connectionLost("ARI connection lost: x") == [.failed(.network(code: nil, reason: "ARI connection lost: x"))])
    }
}
