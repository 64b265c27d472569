import Foundation
import MiniBotCore
import MiniBotStore

/// What a delivery attempt does to an endpoint's cursor: pure, so the retry
/// schedule is tested without a network.
public struct WebhookPolicy: Sendable, Equatable {
    /// Wait after the first failure; doubled after each further one.
    public var firstRetry: Duration
    /// The longest wait between two attempts.
    public var longestRetry: Duration

    public init(firstRetry: Duration = .seconds(5), longestRetry: Duration = .seconds(900)) {
        self.firstRetry = firstRetry
        self.longestRetry = longestRetry
    }

    /// The wait after `failures` failed attempts (1 → ``firstRetry``).
    public func delay(afterFailures failures: Int) -> Duration {
        let doublings = min(max(failures - 1, 0), 30)
        return min(firstRetry * (1 << doublings), longestRetry)
    }

    /// The event was accepted (or is not for this endpoint): move past it.
    public func passed(_ cursor: WebhookCursor, eventID: Int64, delivered: Bool) -> WebhookCursor {
        var next = cursor
        next.lastEventID = eventID
        next.attempts = 0
        next.nextAttemptAt = nil
        if delivered {
            next.delivered += 1
            next.lastError = nil
        }
        return next
    }

    /// The attempt failed: wait and retry, or give the event up after
    /// `maxAttempts`, moving on to the next one.
    public func failed(_ cursor: WebhookCursor, eventID: Int64, error: String, maxAttempts: Int, now: Date)
        -> (cursor: WebhookCursor, abandoned: WebhookFailure?) {
        var next = cursor
        next.attempts += 1
        next.lastError = error
        guard next.attempts >= maxAttempts else {
            let wait = delay(afterFailures: next.attempts)
            next.nextAttemptAt = now.addingTimeInterval(Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
            return (next, nil)
        }
        let failure = WebhookFailure(endpoint: cursor.endpoint, eventID: eventID, attempts: next.attempts, error: error, failedAt: now)
        next.lastEventID = eventID
        next.attempts = 0
        next.nextAttemptAt = nil
        next.abandoned += 1
        return (next, failure)
    }
}
