import Foundation

/// Calls only inside the calling windows, in the callee's local time (D223-9:
/// Monday to Friday, 10:00–13:00 and 14:00–20:00). A contact with recorded express
/// consent gets the consent windows instead, when the campaign sets them.
/// Holidays are ``PublicHolidayRule``'s concern.
public struct CallingWindowRule: ComplianceRule {
    public let name = ComplianceRuleName.callingWindow
    public let windows: [CallingWindow]
    public let consentWindows: [CallingWindow]
    public let defaultTimeZone: TimeZone

    public init(windows: [CallingWindow], consentWindows: [CallingWindow], defaultTimeZone: TimeZone) {
        self.windows = windows
        self.consentWindows = consentWindows
        self.defaultTimeZone = defaultTimeZone
    }

    /// The schedule for `candidate`, holidays left out.
    func schedule(for candidate: ComplianceCandidate) -> CallingSchedule {
        let location = CalleeLocation.of(phone: candidate.phone, defaultTimeZone: defaultTimeZone)
        let chosen = candidate.hasConsent && !consentWindows.isEmpty ? consentWindows : windows
        return CallingSchedule(windows: chosen, timeZone: location.timeZone, holidayRegion: nil)
    }

    public func evaluate(_ candidate: ComplianceCandidate, at now: Date) -> ComplianceDecision {
        let schedule = schedule(for: candidate)
        if schedule.isInWindow(now) { return .allowed }
        let zone = schedule.timeZone
        let shown = ComplianceFormat.windows(schedule.windows)
        guard let next = schedule.nextOpening(atOrAfter: now, skippingHolidays: false) else {
            return .never(ComplianceReason(rule: name, detail: "no calling window is configured (\(shown))"))
        }
        return .notBefore(next, ComplianceReason(
            rule: name,
            detail: "\(ComplianceFormat.local(now, zone)) is outside the calling windows (\(shown), callee's time); next window \(ComplianceFormat.local(next, zone))"))
    }
}
