import Foundation

/// After a refusal during a call, no new attempt before 60 full calendar days
/// have passed (D223-9: « soixante jours calendaires révolus à compter de ce refus »).
///
/// The refusal's own day is not a full day, so a refusal on day R allows calls
/// again from local midnight of R + days + 1 in the callee's zone: refused on
/// 2 March 2026, called again from 2 May 2026.
public struct RefusalCooldownRule: ComplianceRule {
    public let name = ComplianceRuleName.refusalCooldown
    /// Full days to wait; at least 60 whatever the settings say.
    public let days: Int
    public let defaultTimeZone: TimeZone

    public init(days: Int, defaultTimeZone: TimeZone) {
        self.days = max(days, ComplianceSettings.Legal.refusalCooldownDays)
        self.defaultTimeZone = defaultTimeZone
    }

    public func evaluate(_ candidate: ComplianceCandidate, at now: Date) -> ComplianceDecision {
        guard let refusal = candidate.lastRefusalAt else { return .allowed }
        let zone = CalleeLocation.of(phone: candidate.phone, defaultTimeZone: defaultTimeZone).timeZone
        let refusalDay = LocalDate.local(refusal, in: zone).date
        let until = refusalDay.adding(days: days + 1).instant(atMinute: 0, in: zone)
        guard now < until else { return .allowed }
        return .notBefore(until, ComplianceReason(
            rule: name,
            detail: "refused during a call on \(refusalDay); no new attempt for \(days) full days, not before \(ComplianceFormat.local(until, zone))"))
    }
}
