import Foundation

/// A day on the calendar, with no time and no zone (`2026-05-01`), and the
/// conversions between it and instants in a given time zone.
///
/// Day arithmetic is done on integers (days since 1970-01-01 in the proleptic
/// Gregorian calendar), so adding days never meets a DST hour.
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The day `daysSinceEpoch` days after 1970-01-01.
    public init(daysSinceEpoch: Int) {
        // Howard Hinnant's civil_from_days.
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    /// Days since 1970-01-01 (negative before).
    public var daysSinceEpoch: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public func adding(days: Int) -> LocalDate { LocalDate(daysSinceEpoch: daysSinceEpoch + days) }

    /// ISO weekday: 1 is Monday, 7 is Sunday.
    public var isoWeekday: Int {
        let d = daysSinceEpoch + 3  // 1970-01-01 was a Thursday (ISO 4)
        return ((d % 7) + 7) % 7 + 1
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    /// `2026-05-01`.
    public var description: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day))"
    }

    // MARK: - Instants

    /// The Gregorian calendar in `timeZone`, the one every conversion here uses.
    static func calendar(_ timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The local day of `instant` in `timeZone` and the seconds since local midnight (wall clock).
    static func local(_ instant: Date, in timeZone: TimeZone) -> (date: LocalDate, secondOfDay: Int) {
        let c = calendar(timeZone).dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        return (LocalDate(year: c.year!, month: c.month!, day: c.day!), c.hour! * 3600 + c.minute! * 60 + c.second!)
    }

    /// The instant this day shows `minute` minutes after midnight on the wall clock in `timeZone`
    /// (`24 * 60` is the next midnight). A wall time skipped by a DST change gives the instant just after the change.
    func instant(atMinute minute: Int, in timeZone: TimeZone) -> Date {
        let date = adding(days: minute / (24 * 60))
        let rest = minute % (24 * 60)
        var components = DateComponents()
        components.year = date.year
        components.month = date.month
        components.day = date.day
        components.hour = rest / 60
        components.minute = rest % 60
        return Self.calendar(timeZone).date(from: components)!
    }
}
