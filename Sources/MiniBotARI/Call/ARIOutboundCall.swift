import MiniBotCore

/// One originated call as the ARI events tell it, from the originate to the
/// channel's destruction: a value-type state machine that takes events and
/// returns what the agent must do. No sockets, no clock.
public struct ARIOutboundCall: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// Originated, not answered yet.
        case dialing
        /// Answered (`StasisStart`); the media channel and bridge are being set up.
        case connectingMedia
        /// Answered and bridged to our RTP session: the dialer has the call.
        case answered
        /// We asked Asterisk to hang up; waiting for `ChannelDestroyed`.
        case hangingUp(wasAnswered: Bool)
        /// The events connection is down; the call waits for it to come back.
        case suspended(wasAnswered: Bool)
        case ended
    }

    public enum Action: Sendable, Equatable {
        /// Create the externalMedia channel, the bridge, and bridge them.
        case connectMedia
        /// The call is answered and bridged: return it to the dialer.
        case answered
        /// The call will not be answered: throw this from the dial.
        case failed(CallFailure)
        /// `DELETE /channels/{id}` with this reason.
        case hangup(reason: String)
        /// The answered call is over: tear the media down and tell whoever waits.
        case ended(ARICallEnd)
        /// The events came back: check the channel still exists and resubscribe.
        case resubscribe
    }

    public let channelID: String
    public private(set) var state: State = .dialing
    /// The last non-empty `dialstatus` of a `Dial` event (BUSY, NOANSWER…).
    public private(set) var dialStatus: String?
    /// Set when we end the call ourselves: what the dial throws, or the ending's cause.
    private var ownFailure: CallFailure?
    private var ownCause: String?

    public init(channelID: String) {
        self.channelID = channelID
    }

    /// An event about the call's channel.
    public mutating func received(_ event: ARIEvent) -> [Action] {
        switch event {
        case .stasisStart(let channel, _) where channel.id == channelID:
            guard state == .dialing else { return [] }
            state = .connectingMedia
            return [.connectMedia]
        case .dial(let peer, _, let status) where peer.id == channelID:
            if !status.isEmpty { dialStatus = status }
            return []
        case .channelDestroyed(let channel, let cause, let text) where channel.id == channelID:
            return destroyed(cause: cause, text: text)
        default:
            return []
        }
    }

    private mutating func destroyed(cause: Int, text: String) -> [Action] {
        let words = "Q.850 \(cause)" + (text.isEmpty ? "" : " \(text)")
        switch state {
        case .dialing, .connectingMedia:
            state = .ended
            return [.failed(ownFailure ?? HangupCause.failure(cause: cause, text: text, dialStatus: dialStatus))]
        case .hangingUp(let wasAnswered), .suspended(let wasAnswered):
            state = .ended
            if wasAnswered { return [.ended(ARICallEnd(remoteHangup: false, cause: ownCause ?? "hung up (\(words))"))] }
            return [.failed(ownFailure ?? HangupCause.failure(cause: cause, text: text, dialStatus: dialStatus))]
        case .answered:
            state = .ended
            return [.ended(ARICallEnd(remoteHangup: true, cause: words))]
        case .ended:
            return []
        }
    }

    /// The externalMedia channel is bridged with the callee.
    public mutating func mediaConnected() -> [Action] {
        guard state == .connectingMedia else { return [] }
        state = .answered
        return [.answered]
    }

    /// The media could not be set up: the call fails (it never reached the dialer).
    public mutating func mediaFailed(_ reason: String) -> [Action] {
        guard state == .connectingMedia else { return [] }
        return hangUp(failure: .network(code: nil, reason: "externalMedia: \(reason)"), reason: "normal")
    }

    /// The media channel went away under an answered call.
    public mutating func mediaLost(_ reason: String) -> [Action] {
        guard state == .answered else { return [] }
        ownCause = reason
        state = .hangingUp(wasAnswered: true)
        return [.hangup(reason: "normal")]
    }

    /// The ring timeout passed with no answer.
    public mutating func ringTimeout() -> [Action] {
        guard state == .dialing else { return [] }
        return hangUp(failure: .noAnswer(code: nil), reason: "no_answer")
    }

    /// The dial was cancelled (the dialer shuts down) before the answer.
    public mutating func cancel() -> [Action] {
        guard state == .dialing || state == .connectingMedia else { return [] }
        return hangUp(failure: .cancelled, reason: "normal")
    }

    /// The dialer hangs up the answered call.
    public mutating func hangup() -> [Action] {
        switch state {
        case .answered:
            state = .hangingUp(wasAnswered: true)
            return [.hangup(reason: "normal")]
        case .suspended(true):
            ownCause = ownCause ?? "hung up"
            return []
        default:
            return []
        }
    }

    /// `POST /channels` failed: the call never existed.
    public mutating func originateFailed(_ error: ARIError) -> [Action] {
        guard state == .dialing else { return [] }
        state = .ended
        return [.failed(.network(code: nil, reason: error.description))]
    }

    private mutating func hangUp(failure: CallFailure, reason: String) -> [Action] {
        ownFailure = failure
        state = .hangingUp(wasAnswered: false)
        return [.hangup(reason: reason)]
    }

    /// The events connection dropped: the call waits for it (``reconnected()``)
    /// or for ``connectionLost(_:)`` once the grace is over.
    public mutating func disconnected() -> [Action] {
        switch state {
        case .dialing, .connectingMedia: state = .suspended(wasAnswered: false)
        case .answered: state = .suspended(wasAnswered: true)
        case .hangingUp(let wasAnswered): state = .suspended(wasAnswered: wasAnswered)
        case .suspended, .ended: break
        }
        return []
    }

    /// The events are back: the agent checks the channel and resubscribes.
    public mutating func reconnected() -> [Action] {
        guard case .suspended = state else { return [] }
        return [.resubscribe]
    }

    /// After reconnecting, the channel still exists and is subscribed again.
    public mutating func resumed(answered channelIsUp: Bool) -> [Action] {
        guard case .suspended(let wasAnswered) = state else { return [] }
        if ownCause != nil || ownFailure != nil {
            // We meant to hang up meanwhile: do it now.
            state = .hangingUp(wasAnswered: wasAnswered)
            return [.hangup(reason: "normal")]
        }
        if wasAnswered {
            state = .answered
            return []
        }
        // Not answered before the loss: its StasisStart may have been missed.
        state = .dialing
        return channelIsUp ? received(.stasisStart(channel: ARIChannel(id: channelID, name: "", state: "Up"), args: [])) : []
    }

    /// The events connection did not come back in time, or the channel was
    /// gone when it did: the call ends with `cause` (`ARI connection lost: …`).
    public mutating func connectionLost(_ cause: String) -> [Action] {
        switch state {
        case .suspended(let wasAnswered), .hangingUp(let wasAnswered):
            state = .ended
            return wasAnswered ? [.ended(ARICallEnd(remoteHangup: false, cause: ownCause ?? cause))]
                               : [.failed(ownFailure ?? .network(code: nil, reason: cause))]
        case .dialing, .connectingMedia:
            state = .ended
            return [.failed(.network(code: nil, reason: cause))]
        case .answered:
            state = .ended
            return [.ended(ARICallEnd(remoteHangup: false, cause: cause))]
        case .ended:
            return []
        }
    }
}

/// How an answered ARI call ended.
public struct ARICallEnd: Sendable, Equatable {
    /// The callee hung up (the channel was destroyed without our asking).
    public var remoteHangup: Bool
    /// The Q.850 cause as Asterisk gave it, or why we ended the call.
    public var cause: String

    public init(remoteHangup: Bool, cause: String) {
        self.remoteHangup = remoteHangup
        self.cause = cause
    }
}
