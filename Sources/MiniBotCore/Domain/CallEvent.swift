import Foundation

/// What happened, as integrations hear of it (webhooks).
public enum CallEventKind: String, Codable, Sendable, CaseIterable {
    /// A call finished, whatever its outcome.
    case callEnded = "call.ended"
    /// A call made its contact a lead.
    case lead
}

/// One entry of the durable event log. It is written in the same transaction
/// that completes the call, so a call that ended always has its events; ids
/// grow in commit order, so a reader that remembers the last id it handled
/// misses none. Only the call is referenced: what is sent is read when it is
/// sent, so erasing a person (GDPR) erases them from what is still to send.
public struct CallEvent: Sendable, Equatable {
    public var id: Int64
    public var kind: CallEventKind
    public var callID: String
    public var createdAt: Date

    public init(id: Int64, kind: CallEventKind, callID: String, createdAt: Date) {
        self.id = id
        self.kind = kind
        self.callID = callID
        self.createdAt = createdAt
    }

    /// The events a completed call gives.
    public static func kinds(for call: Call) -> [CallEventKind] {
        call.isLead || call.outcome == .leads ? [.callEnded, .lead] : [.callEnded]
    }
}

/// Where one webhook endpoint is in the event log. One process at a time
/// delivers to an endpoint: the one holding the lease.
public struct WebhookCursor: Sendable, Equatable {
    /// The endpoint's URL, as configured.
    public var endpoint: String
    /// The last event delivered, skipped (not subscribed, call erased) or given up.
    public var lastEventID: Int64
    /// Failed attempts at the event after ``lastEventID``.
    public var attempts: Int
    /// Not before this time, after a failure.
    public var nextAttemptAt: Date?
    public var lastError: String?
    /// Events delivered and given up, since the endpoint was first seen.
    public var delivered: Int
    public var abandoned: Int

    public init(endpoint: String, lastEventID: Int64, attempts: Int = 0, nextAttemptAt: Date? = nil, lastError: String? = nil,
                delivered: Int = 0, abandoned: Int = 0) {
        self.endpoint = endpoint
        self.lastEventID = lastEventID
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.delivered = delivered
        self.abandoned = abandoned
    }
}

/// An event an endpoint never accepted, kept so an operator can see it.
public struct WebhookFailure: Sendable, Equatable {
    public var endpoint: String
    public var eventID: Int64
    public var attempts: Int
    public var error: String
    public var failedAt: Date

    public init(endpoint: String, eventID: Int64, attempts: Int, error: String, failedAt: Date) {
        self.endpoint = endpoint
        self.eventID = eventID
        self.attempts = attempts
        self.error = error
        self.failedAt = failedAt
    }
}
