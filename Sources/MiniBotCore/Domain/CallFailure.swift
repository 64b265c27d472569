/// Why an outbound call was not answered, the same for every telephony
/// backend (the built-in SIP agent maps SIP responses, Asterisk ARI maps
/// Q.850 causes). The SIP code or cause is kept.
public enum CallFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// 486, 600; Q.850 17.
    case busy(code: Int)
    /// 480, 408, the ring timeout; Q.850 18, 19.
    case noAnswer(code: Int?)
    /// 404, 484, 604; Q.850 1, 28.
    case invalidNumber(code: Int)
    /// 403, 603; Q.850 21.
    case rejected(code: Int)
    /// 5xx, no response, an unreachable trunk; Q.850 34, 38.
    case network(code: Int?, reason: String)
    /// The trunk refused our credentials.
    case authentication(String)
    /// Any other final response.
    case failed(code: Int, reason: String)
    /// We hung up before the callee answered.
    case cancelled

    /// The call status this failure leaves in the call history.
    public var callStatus: CallStatus {
        switch self {
        case .busy: .busy
        case .noAnswer: .noAnswer
        case .rejected, .invalidNumber: .rejected
        case .network, .authentication, .failed: .failed
        case .cancelled: .cancelled
        }
    }

    /// The SIP code, when there was one.
    public var code: Int? {
        switch self {
        case .busy(let code), .invalidNumber(let code), .rejected(let code), .failed(let code, _): code
        case .noAnswer(let code), .network(let code, _): code
        case .authentication, .cancelled: nil
        }
    }

    /// Maps a final SIP response code (≥ 300) to a failure (RFC 3261 §21).
    public init(sipCode code: Int, reason: String) {
        switch code {
        case 486, 600: self = .busy(code: code)
        case 408, 480, 487: self = .noAnswer(code: code)
        case 404, 484, 604, 410, 416, 485: self = .invalidNumber(code: code)
        case 403, 603: self = .rejected(code: code)
        case 500...599: self = .network(code: code, reason: reason)
        default: self = .failed(code: code, reason: reason)
        }
    }

    public var description: String {
        switch self {
        case .busy(let code): "busy (\(code))"
        case .noAnswer(let code): code.map { "no answer (\($0))" } ?? "no answer"
        case .invalidNumber(let code): "invalid number (\(code))"
        case .rejected(let code): "rejected (\(code))"
        case .network(let code, let reason): code.map { "network failure (\($0) \(reason))" } ?? "network failure: \(reason)"
        case .authentication(let reason): "authentication failed: \(reason)"
        case .failed(let code, let reason): "failed (\(code) \(reason))"
        case .cancelled: "cancelled"
        }
    }
}
