import Foundation

/// Why a contact may not be called now: a stable code for programs and a sentence for people.
public struct ComplianceReason: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The refusing rule's stable code, one of ``ComplianceRuleName``'s constants.
    public var rule: String
    /// A sentence naming the date or the limit, for logs, exports and the monitor.
    public var detail: String

    public init(rule: String, detail: String) {
        self.rule = rule
        self.detail = detail
    }

    public var description: String { "\(rule): \(detail)" }
}

/// The stable codes of the compliance rules, as stored with each skipped contact.
public enum ComplianceRuleName {
    public static let optedOut = "opted_out"
    public static let noConsent = "no_consent"
    public static let refusalCooldown = "refusal_cooldown"
    public static let attemptLimit = "attempt_limit"
    public static let publicHoliday = "public_holiday"
    public static let callingWindow = "calling_window"
}

/// What the rules say about calling a contact at a given instant.
public enum ComplianceDecision: Sendable, Equatable {
    case allowed
    /// Not now; the date is the earliest instant the rule (or, from ``CompliancePolicy``, every rule) allows.
    case notBefore(Date, ComplianceReason)
    /// Not ever (opted out, no consent where it is required).
    case never(ComplianceReason)

    public var isAllowed: Bool { self == .allowed }

    /// The refusing rule's reason; nil when allowed.
    public var reason: ComplianceReason? {
        switch self {
        case .allowed: nil
        case .notBefore(_, let reason), .never(let reason): reason
        }
    }
}
