import Foundation

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
