import Foundation

/// No canvassing on the public holidays of the callee's region (D223-9, which
/// names those of Code du travail L3133-1; the regional days are extra caution).
public struct PublicHolidayRule: ComplianceRule {
    public let name = ComplianceRuleName.publicHoliday
    public let includeRegional: Bool
    public let defaultTimeZone: TimeZone

    public init(includeRegional: Bool, defaultTimeZone: TimeZone) {
        self.includeRegional = includeRegional
        self.defaultTimeZone = defaultTimeZone
    }

    public func evaluate(_ candidate: ComplianceCandidate, at now: Date) -> ComplianceDecision {
        let location = CalleeLocation.of(phone: candidate.phone, defaultTimeZone: defaultTimeZone)
        var day = LocalDate.local(now, in: location.timeZone).date
        guard let holiday = FrenchPublicHolidays.holiday(on: day, region: location.holidayRegion, includeRegional: includeRegional) else {
            return .allowed
        }
        while FrenchPublicHolidays.holiday(on: day, region: location.holidayRegion, includeRegional: includeRegional) != nil {
            day = day.adding(days: 1)
        }
        let until = day.instant(atMinute: 0, in: location.timeZone)
        return .notBefore(until, ComplianceReason(
            rule: name,
            detail: "\(holiday.date) is a public holiday (\(holiday.name)) where the callee is (\(location.timeZone.identifier)); not before \(ComplianceFormat.local(until, location.timeZone))"))
    }
}
