import Foundation

/// At most 4 attempts (calls placed, answered or not) in any 30 calendar days (D223-9).
///
/// Days are the callee's local calendar days: an attempt on day A counts until
/// day A + 29 included, so with 4 attempts counted the next one may be placed
/// from local midnight of the day the oldest of them stops counting.
public struct AttemptLimitRule: ComplianceRule {
    public let name = ComplianceRuleName.attemptLimit
    /// In 1...4.
    public let maxAttempts: Int
    /// At least 30.
    public let windowDays: Int
    public let defaultTimeZone: TimeZone

    public init(maxAttempts: Int, windowDays: Int, defaultTimeZone: TimeZone) {
        self.maxAttempts = min(max(maxAttempts, 1), ComplianceSettings.Legal.maxAttemptsInWindow)
        self.windowDays = max(windowDays, ComplianceSettings.Legal.attemptWindowDays)
        self.defaultTimeZone = defaultTimeZone
    }

    public func evaluate(_ candidate: ComplianceCandidate, at now: Date) -> ComplianceDecision {
        guard candidate.attempts.count >= maxAttempts else { return .allowed }
        let zone = CalleeLocation.of(phone: candidate.phone, defaultTimeZone: defaultTimeZone).timeZone
        let today = LocalDate.local(now, in: zone).date
        let firstCounted = today.adding(days: -(windowDays - 1))
        // Days of the attempts still counted, oldest first.
        let counted = candidate.attempts.map { LocalDate.local($0, in: zone).date }.filter { $0 >= firstCounted }.sorted()
        guard counted.count >= maxAttempts else { return .allowed }
        // Once the oldest (counted - max + 1) attempts stop counting, max - 1 remain: room for one.
        let freeing = counted[counted.count - maxAttempts]
        let day = freeing.adding(days: windowDays)
        let until = day.instant(atMinute: 0, in: zone)
        return .notBefore(until, ComplianceReason(
            rule: name,
            detail: "\(counted.count) attempts in the last \(windowDays) days (at most \(maxAttempts)); the next one not before \(ComplianceFormat.local(until, zone))"))
    }
}
