import Foundation

/// When calls to one callee may be placed: weekly windows of wall-clock time in
/// the callee's zone, minus the public holidays of their region.
public struct CallingSchedule: Sendable {
    public var windows: [CallingWindow]
    public var timeZone: TimeZone
    /// nil: holidays are not skipped.
    public var holidayRegion: FrenchHolidayRegion?
    /// Also skip Alsace-Moselle's and the overseas days, beyond the national list.
    public var includeRegionalHolidays: Bool

    public init(windows: [CallingWindow], timeZone: TimeZone, holidayRegion: FrenchHolidayRegion? = .mainland,
                includeRegionalHolidays: Bool = true) {
        self.windows = windows
        self.timeZone = timeZone
        self.holidayRegion = holidayRegion
        self.includeRegionalHolidays = includeRegionalHolidays
    }

    /// How far ahead ``nextOpening(atOrAfter:)`` looks before it gives up.
    static let searchDays = 400

    /// The holiday on `date` where the callee is, when holidays are skipped.
    public func holiday(on date: LocalDate) -> FrenchPublicHolidays.Holiday? {
        guard let holidayRegion else { return nil }
        return FrenchPublicHolidays.holiday(on: date, region: holidayRegion, includeRegional: includeRegionalHolidays)
    }

    /// Whether `instant` falls inside a window, ignoring holidays.
    public func isInWindow(_ instant: Date) -> Bool {
        let (date, second) = LocalDate.local(instant, in: timeZone)
        let weekday = date.isoWeekday
        return windows.contains { window in
            window.weekdays.contains(weekday) && window.startMinute * 60 <= second && second < window.endMinute * 60
        }
    }

    /// Whether a call may be placed at `instant`: inside a window, not on a holiday.
    public func isOpen(_ instant: Date) -> Bool {
        isInWindow(instant) && holiday(on: LocalDate.local(instant, in: timeZone).date) == nil
    }

    /// The earliest instant at or after `instant` inside a window, on a day that is not a holiday
    /// (when `skippingHolidays`); nil when none opens within about a year (no window configured).
    public func nextOpening(atOrAfter instant: Date, skippingHolidays: Bool = true) -> Date? {
        let (today, _) = LocalDate.local(instant, in: timeZone)
        for offset in 0..<Self.searchDays {
            let date = today.adding(days: offset)
            if skippingHolidays, holiday(on: date) != nil { continue }
            let weekday = date.isoWeekday
            let opening = windows
                .filter { $0.weekdays.contains(weekday) && $0.startMinute < $0.endMinute }
                .compactMap { window -> Date? in
                    let start = date.instant(atMinute: window.startMinute, in: timeZone)
                    let end = date.instant(atMinute: window.endMinute, in: timeZone)
                    guard end > instant else { return nil }
                    return max(start, instant)
                }
                .min()
            if let opening { return opening }
        }
        return nil
    }
}
