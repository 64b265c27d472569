import MiniBotAudio
import MiniBotCore

/// Places calls. Two backends: ``SIPTelephony`` (the built-in SIP user agent,
/// the default) and ``ARITelephony`` (Asterisk ARI). Everything after "answered" is the same code.
public protocol Telephony: Sendable {
    /// Returns once the callee answered; throws ``CallFailure`` (busy, no answer,
    /// invalid number, rejected, network…) otherwise.
    func dial(_ request: DialRequest) async throws -> any CallLeg
    /// Nil while calls can be placed; otherwise why not (ARI's events
    /// connection is down). The dialer launches nothing until it is nil again.
    var unavailability: String? { get async }
}

extension Telephony {
    /// Always available (the SIP agent fails each call on its own).
    public var unavailability: String? {
        get async { nil }
    }
}

/// One call to place.
public struct DialRequest: Sendable, Equatable {
    /// The number, in E.164.
    public var phone: String
    /// The number to present (From and P-Asserted-Identity); nil: the configured one.
    public var callerID: String?
    public var ringTimeout: Duration

    public init(phone: String, callerID: String? = nil, ringTimeout: Duration = .seconds(30)) {
        self.phone = phone
        self.callerID = callerID
        self.ringTimeout = ringTimeout
    }
}

/// An answered call: its audio both ways and how it ends.
public protocol CallLeg: Sendable {
    /// The backend's identifier of the call (the SIP Call-ID, the ARI channel id).
    var id: String { get }
    /// The callee's audio: one 20 ms, 8 kHz frame per tick from the answer on,
    /// silence for lost packets; finishes when the call ends.
    var inbound: AsyncStream<AudioFrame> { get }
    /// Plays 8 kHz mono audio; true once all of it was sent, false when
    /// ``stopPlayback()`` cut it short or the call ended.
    func play(_ audio: PCMBuffer) async -> Bool
    /// Stops the audio being played (barge-in).
    func stopPlayback()
    /// Hangs up; returns once the call is over.
    func hangup() async
    /// Returns when the call is over, whoever ended it.
    func ended() async -> CallEnding
    /// Asterisk's own `AMD()` verdict, when an ARI endpoint's dialplan ran it
    /// before the answer reached us; nil otherwise (and always with SIP).
    var asteriskAMD: AsteriskAMDVerdict? { get }
}

/// How an answered call ended.
public struct CallEnding: Sendable, Equatable {
    /// The callee hung up.
    public var remoteHangup: Bool
    /// The backend's cause: a SIP code (`BYE`, `408`) or a Q.850 cause.
    public var cause: String

    public init(remoteHangup: Bool, cause: String) {
        self.remoteHangup = remoteHangup
        self.cause = cause
    }
}
