import Logging
import MiniBotARI
import MiniBotAudio
import MiniBotCore
import MiniBotSIP

/// The ``Telephony`` backend on an existing Asterisk, through ARI: numbers
/// become endpoints by `ari.endpoint` (`PJSIP/{number}@trunk`), the answered
/// call's audio reaches the same RTP session type as the SIP backend's.
public struct ARITelephony: Telephony {
    public let agent: ARIAgent
    let settings: MiniBotConfig.ARI
    let callerID: MiniBotConfig.CallerID

    public init(agent: ARIAgent, config: MiniBotConfig) {
        self.agent = agent
        self.settings = config.ari
        self.callerID = config.callerID
    }

    /// The agent's settings from the configuration's `ari:` section.
    public static func agentConfiguration(_ config: MiniBotConfig) -> ARIAgent.Configuration {
        let ari = config.ari
        return ARIAgent.Configuration(url: ari.url, username: ari.username, password: ari.password, app: ari.app,
                                      mediaHost: ari.mediaHost, rtpPorts: ari.rtpPortMin...ari.rtpPortMax,
                                      reconnectGrace: .milliseconds(Int(ari.reconnectGrace * 1000)),
                                      readsAsteriskAMD: ari.asteriskAMD != .ignore)
    }

    public func dial(_ request: DialRequest) async throws -> any CallLeg {
        var generator = SystemRandomNumberGenerator()
        let caller = request.callerID ?? callerID.next(using: &generator)
        let call = try await agent.call(endpoint: settings.endpoint(for: request.phone), callerID: caller, ringTimeout: request.ringTimeout)
        return ARICallLeg(call: call)
    }

    public var unavailability: String? {
        get async { await agent.unavailability }
    }

    /// Reachability, version and the Stasis application's connection.
    public func health() async -> ARIHealth {
        await agent.health()
    }
}

/// An answered ``ARICall`` as a ``CallLeg``.
struct ARICallLeg: CallLeg {
    let call: ARICall

    var id: String { call.channelID }
    var inbound: AsyncStream<AudioFrame> { call.rtp.inbound }
    func play(_ audio: PCMBuffer) async -> Bool { await call.rtp.play(audio) }
    func stopPlayback() { call.rtp.stopPlayback() }
    func hangup() async { await call.hangup() }
    var asteriskAMD: AsteriskAMDVerdict? { call.asteriskAMD }

    func ended() async -> CallEnding {
        let end = await call.ended()
        return CallEnding(remoteHangup: end.remoteHangup, cause: end.cause)
    }
}
