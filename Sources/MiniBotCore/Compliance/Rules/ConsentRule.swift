import Foundation

/// With `consent_required`, skip contacts with no recorded prior consent
/// (canvassing French consumers needs it from 11 August 2026, loi n° 2025-594).
public struct ConsentRule: ComplianceRule {
    public let name = ComplianceRuleName.noConsent
    public var consentRequired: Bool

    public init(consentRequired: Bool) {
        self.consentRequired = consentRequired
    }

    public func evaluate(_ candidate: ComplianceCandidate, at now: Date) -> ComplianceDecision {
        guard consentRequired, candidate.consentAt == nil else { return .allowed }
        return .never(ComplianceReason(rule: name, detail: "no recorded prior consent for \(candidate.phone), and the campaign requires it (consent_required)"))
    }
}
