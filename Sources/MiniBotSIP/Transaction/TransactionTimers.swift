/// RFC 3261's timer values (§17.1.1.1, table 4). Shorter values make tests fast.
public struct SIPTimers: Sendable, Equatable {
    /// Round-trip estimate; retransmissions start at T1 and double.
    public var t1: Duration
    /// Longest retransmission interval of non-INVITE requests.
    public var t2: Duration
    /// Longest time a message stays in the network.
    public var t4: Duration

    public init(t1: Duration = .milliseconds(500), t2: Duration = .seconds(4), t4: Duration = .seconds(5)) {
        self.t1 = t1
        self.t2 = t2
        self.t4 = t4
    }

    /// Transaction timeout (timers B and F).
    public var timeout: Duration { t1 * 64 }
}

/// The timers a client transaction asks its I/O layer to run.
public enum TransactionTimer: Sendable, Hashable {
    /// INVITE retransmission.
    case a
    /// INVITE transaction timeout.
    case b
    /// Wait for response retransmissions after a final non-2xx (INVITE).
    case d
    /// Non-INVITE retransmission.
    case e
    /// Non-INVITE transaction timeout.
    case f
    /// Wait for response retransmissions after a final response (non-INVITE).
    case k
    /// Wait for 2xx retransmissions after the first one (RFC 6026).
    case m
}

/// What a transaction wants done.
public enum TransactionAction: Sendable, Equatable {
    case send(SIPMessage)
    case startTimer(TransactionTimer, Duration)
    case cancelTimer(TransactionTimer)
    /// Hand a response to the transaction user (the call).
    case deliver(SIPMessage)
    /// No final response came in time (timer B or F).
    case timedOut
    /// The transport could not send the request.
    case transportFailed
    /// The transaction is over; forget it.
    case terminated
}
