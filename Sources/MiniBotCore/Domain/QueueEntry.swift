import Foundation

/// Where a contact stands in a campaign's queue.
///
/// `pending` → `claimed` (a worker holds a lease, nothing dialled yet) →
/// `calling` (the call is being placed) → `completed`, or `pending` again
/// for a retry. A claimed row can also go back to `pending` (released) or to
/// `skipped` (a compliance rule said never). A worker that dies loses its
/// lease: its claimed rows return to `pending`, its calling rows become
/// `interrupted` and are never dialled again in this campaign.
public enum QueueStatus: String, Codable, Sendable, CaseIterable {
    case pending, claimed, calling, completed, skipped, interrupted

    /// True once the row will not be dialled again.
    public var isFinal: Bool {
        switch self {
        case .pending, .claimed, .calling: false
        case .completed, .skipped, .interrupted: true
        }
    }
}

/// A contact waiting to be dialled for a campaign. A worker that claims the
/// row writes its name and a lease expiry; a crashed worker's rows are
/// reclaimed once the lease has passed.
public struct QueueEntry: Codable, Sendable, Equatable {
    public var campaignID: String
    public var phone: String
    /// Higher is dialled first.
    public var priority: Int
    public var status: QueueStatus
    /// Calls placed for this row (counted when a call begins).
    public var attempts: Int
    public var maxAttempts: Int
    public var nextAttemptAt: Date
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    /// The latest call placed for this row.
    public var callID: String?
    /// What the latest call made of the contact (a ``ContactStatus`` raw value, or the call status).
    public var lastOutcome: String?
    /// Why the row was skipped or released: a rule code and a sentence (`no_consent: no recorded prior consent`).
    public var skipReason: String?
    /// When the row last changed state; nil for rows written before the dialer kept it.
    public var updatedAt: Date?

    public init(campaignID: String, phone: String, priority: Int = 0, status: QueueStatus = .pending,
                attempts: Int = 0, maxAttempts: Int = 3, nextAttemptAt: Date,
                leaseOwner: String? = nil, leaseExpiresAt: Date? = nil, callID: String? = nil,
                lastOutcome: String? = nil, skipReason: String? = nil, updatedAt: Date? = nil) {
        self.campaignID = campaignID
        self.phone = phone
        self.priority = priority
        self.status = status
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.nextAttemptAt = nextAttemptAt
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.callID = callID
        self.lastOutcome = lastOutcome
        self.skipReason = skipReason
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case phone, priority, status, attempts
        case campaignID = "campaign_id", maxAttempts = "max_attempts", nextAttemptAt = "next_attempt_at"
        case leaseOwner = "lease_owner", leaseExpiresAt = "lease_expires_at"
        case callID = "call_id", lastOutcome = "last_outcome", skipReason = "skip_reason", updatedAt = "updated_at"
    }
}
