import MiniBotCore

/// Why an ARI call that was never answered failed: Asterisk's Q.850 hang-up
/// cause (from `ChannelDestroyed`), read with the `Dial` status when the cause
/// alone says nothing (0 or 16 before an answer), mapped to the same
/// ``CallFailure`` outcomes as the SIP backend's response codes.
public enum HangupCause {
    /// The failure for a channel destroyed before it was answered. Asterisk
    /// often destroys an originated Local or PJSIP channel with cause 0
    /// ("Unknown") and says why only in the `Dial` event's status before it.
    /// - Parameters:
    ///   - cause: the Q.850 cause of `ChannelDestroyed`.
    ///   - text: Asterisk's words for it (`cause_txt`).
    ///   - dialStatus: the last non-empty `dialstatus` of a `Dial` event for the channel, if any.
    public static func failure(cause: Int, text: String, dialStatus: String?) -> CallFailure {
        let text = text.isEmpty ? "cause \(cause)" : text
        switch cause {
        case 17: return .busy(code: cause)
        case 18, 19, 20, 102: return .noAnswer(code: cause)
        case 1, 3, 22, 28: return .invalidNumber(code: cause)
        case 21: return .rejected(code: cause)
        case 27, 34, 38, 41, 42, 44, 47: return .network(code: cause, reason: "Q.850 \(cause) \(text)")
        case 0, 16:
            // Normal clearing before an answer: the dial status (if any) says why.
            switch dialStatus?.uppercased() {
            case "BUSY": return .busy(code: 17)
            case "NOANSWER": return .noAnswer(code: 19)
            case "CANCEL": return .noAnswer(code: cause)
            case "CONGESTION": return .network(code: 34, reason: "congestion (Q.850 \(cause) \(text))")
            case "CHANUNAVAIL": return .network(code: nil, reason: "channel unavailable (Q.850 \(cause) \(text))")
            default:
                // Cleared normally while ringing: no answer. Cause 0 with no dial status: the
                // call never got anywhere (a Local channel to a missing extension, say).
                return cause == 16 ? .noAnswer(code: cause) : .failed(code: cause, reason: "Q.850 \(cause) \(text)")
            }
        default:
            return .failed(code: cause, reason: "Q.850 \(cause) \(text)")
        }
    }
}
