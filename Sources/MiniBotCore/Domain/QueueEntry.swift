import Foundation

public enum QueueStatus: String, Codable, Sendable, CaseIterable {
    case pending, calling, completed, failed
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
    public var attempts: Int
    public var maxAttempts: Int
    public var nextAttemptAt: Date
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?

    public init(campaignID: String, phone: String, priority: Int = 0, status: QueueStatus = .pending,
                attempts: Int = 0, maxAttempts: Int = 3, nextAttemptAt: Date,
                leaseOwner: String? = nil, leaseExpiresAt: Date? = nil) {
        self.campaignID = campaignID
        self.phone = phone
        self.priority = priority
        self.status = status
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.nextAttemptAt = nextAttemptAt
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
    }

    enum CodingKeys: String, CodingKey {
        case phone, priority, status, attempts
        case campaignID = "campaign_id", maxAttempts = "max_attempts", nextAttemptAt = "next_attempt_at"
        case leaseOwner = "lease_owner", leaseExpiresAt = "lease_expires_at"
    }
}
