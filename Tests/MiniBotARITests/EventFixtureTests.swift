import Foundation
import MiniBotARI
import MiniBotCore
import Testing

/// Event JSON as Asterisk 22.10.1 sent it (captured by scripts/ari-capture-events
/// from the callees of ARIAgentTests), decoded and fed to the call state machine.
@Suite("ARI events from captured JSON")
struct EventFixtureTests {
    static func fixture(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
        return try Data(contentsOf: url)
    }

    static func event(_ name: String) throws -> ARIEvent {
        try ARIEvent(json: fixture(name))
    }

    @Test func answeredCallTheCalleeHangsUp() throws {
        guard case .stasisStart(let channel, let args) = try Self.event("stasis-start") else { Issue.record("not a StasisStart"); return }
        #expect(channel.id == "capture-answered" && channel.state == "Up" && args.isEmpty)
        #expect(channel.caller?.number == "+33162000000")
        var call = ARIOutboundCall(channelID: "capture-answered")
        #expect(call.received(try Self.event("channel-state-change-up")) == [])
        #expect(call.received(try Self.event("stasis-start")) == [.connectMedia])
        // The externalMedia channel enters the application too; it is not the call.
        #expect(call.received(try Self.event("stasis-start-external-media")) == [])
        #expect(call.mediaConnected() == [.answered])
        #expect(call.received(try Self.event("channel-varset")) == [])
        #expect(call.received(try Self.event("channel-hangup-request")) == [])
        #expect(call.received(try Self.event("stasis-end")) == [])
        #expect(call.received(try Self.event("channel-destroyed-normal"))
                == [.ended(ARICallEnd(remoteHangup: true, cause: "Q.850 16 Normal Clearing"))])
    }

    /// Asterisk destroys the busy, congested and rejecting callees' channels
    /// with cause 0 (or 21) and says why in the Dial event before.
    @Test(arguments: [("busy", CallFailure.busy(code: 17)),
                      ("congestion", .network(code: 34, reason: "congestion (Q.850 0 Unknown)")),
                      ("rejected", .rejected(code: 21))])
    func unanswered(label: String, expected: CallFailure) throws {
        var call = ARIOutboundCall(channelID: "capture-\(label)")
        #expect(call.received(try Self.event("dial-\(label)")) == [])
        #expect(call.dialStatus != nil)
        #expect(call.received(try Self.event("channel-destroyed-\(label)")) == [.failed(expected)])
    }

    @Test func decodedFields() throws {
        guard case .channelDestroyed(let channel, let cause, let text) = try Self.event("channel-destroyed-rejected") else {
            Issue.record("not a ChannelDestroyed"); return
        }
        #expect(channel.id == "capture-rejected" && cause == 21 && text == "Call Rejected")
        guard case .channelHangupRequest(_, let requestCause, let soft) = try Self.event("channel-hangup-request") else {
            Issue.record("not a ChannelHangupRequest"); return
        }
        // Our DELETE: a soft hang-up with cause 32.
        #expect(requestCause == 32 && soft)
        guard case .dial(let peer, _, let status) = try Self.event("dial-busy") else { Issue.record("not a Dial"); return }
        #expect(peer.id == "capture-busy" && status == "BUSY")
        guard case .playbackFinished(let id, let target, let state) = try Self.event("playback-finished") else {
            Issue.record("not a PlaybackFinished"); return
        }
        // As captured: Asterisk could not play the file to the Local channel; the decoding is what is tested.
        #expect(id == "capture-playback" && target == "channel:capture-answered" && state == "failed")
        #expect(try Self.event("channel-varset") == .other(type: "ChannelVarset"))
        #expect(try Self.event("stasis-end").channelID == "capture-answered")
    }

    @Test func restAnswers() throws {
        let info = try JSONDecoder().decode(AsteriskInfo.self, from: Self.fixture("asterisk-info"))
        #expect(info.version == "22.10.1")
        let media = try JSONDecoder().decode(ARIChannel.self, from: Self.fixture("external-media-channel"))
        #expect(media.id == "capture-media" && media.name.hasPrefix("UnicastRTP/"))
        #expect(media.channelvars?["UNICASTRTP_LOCAL_ADDRESS"] == "127.0.0.1")
        #expect(media.channelvars?["UNICASTRTP_LOCAL_PORT"].flatMap(Int.init) != nil)
    }

    @Test func badJSONSaysWhat() {
        #expect(throws: ARIError.self) { _ = try ARIEvent(json: Data("{\"no_type\": 1}".utf8)) }
        #expect(throws: ARIError.self) { _ = try ARIEvent(json: Data("{\"type\": \"ChannelDestroyed\"}".utf8)) }
    }
}
