import Foundation

/// What the rules need to know about one contact before a dial.
public struct ComplianceCandidate: Sendable, Equatable {
    /// The number to dial, E.164 (`+33612345678`); it also tells the callee's time zone.
    public var phone: String
    /// When the contact's prior express consent was recorded; nil: none.
    public var consentAt: Date?
    /// The contact's opt-out flag, or the number found on the opt-out list.
    public var optedOut: Bool
    /// Start times of earlier call attempts to this phone, in any campaign.
    public var attempts: [Date]
    /// When a call last ended `Not_interested`.
    public var lastRefusalAt: Date?

    public init(phone: String, consentAt: Date? = nil, optedOut: Bool = false, attempts: [Date] = [], lastRefusalAt: Date? = nil) {
        self.phone = phone
        self.consentAt = consentAt
        self.optedOut = optedOut
        self.attempts = attempts
        self.lastRefusalAt = lastRefusalAt
    }

    public var hasConsent: Bool { consentAt != nil }
}
