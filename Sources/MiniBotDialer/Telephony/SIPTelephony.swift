import Logging
import Metrics
import MiniBotAudio
import MiniBotCore
import MiniBotSIP

/// The ``Telephony`` backend on the built-in SIP user agent.
public struct SIPTelephony: Telephony {
    public let agent: SIPAgent
    let resolve: @Sendable (DialRequest) throws -> SIPTarget

    /// Dials through `agent`, turning numbers into SIP URIs with `config`
    /// (the trunk, `sip.routes`, the number format, the caller ID).
    public init(agent: SIPAgent, config: MiniBotConfig) {
        self.agent = agent
        self.resolve = { request in try SIPTarget.resolve(request.phone, callerID: request.callerID, config: config) }
    }

    public func dial(_ request: DialRequest) async throws -> any CallLeg {
        let target = try resolve(request)
        do {
            let call = try await agent.call(target.uri, from: target.from, assertedIdentity: target.from, ringTimeout: request.ringTimeout)
            Self.count(response: "200")
            return SIPCallLeg(call: call)
        } catch let failure as CallFailure {
            // No final response (ring timeout, unreachable trunk) counts as "none".
            Self.count(response: failure.code.map(String.init) ?? "none")
            throw failure
        }
    }

    /// `minibot_sip_invite_responses_total{code}`: how INVITEs ended, for /metrics.
    static func count(response code: String) {
        Counter(label: "minibot_sip_invite_responses_total", dimensions: [("code", code)]).increment()
    }
}

/// An answered ``SIPCall`` as a ``CallLeg``.
struct SIPCallLeg: CallLeg {
    let call: SIPCall

    var id: String { call.callID }
    var inbound: AsyncStream<AudioFrame> { call.rtp.inbound }
    func play(_ audio: PCMBuffer) async -> Bool { await call.rtp.play(audio) }
    func stopPlayback() { call.rtp.stopPlayback() }
    func hangup() async { await call.hangup() }
    var asteriskAMD: AsteriskAMDVerdict? { nil }

    func ended() async -> CallEnding {
        let end = await call.ended()
        return CallEnding(remoteHangup: end.remoteHangup,
                          cause: end.remoteHangup ? "BYE from the callee" : end.code.map { "SIP \($0)" } ?? "hung up")
    }
}
