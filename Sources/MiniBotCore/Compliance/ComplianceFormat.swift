import Foundation

/// How reasons show dates and windows: fixed formats, no locale.
enum ComplianceFormat {
    /// `2026-03-02 10:00 Europe/Paris`.
    static func local(_ instant: Date, _ zone: TimeZone) -> String {
        let (date, second) = LocalDate.local(instant, in: zone)
        return "\(date) \(clock(second / 60)) \(zone.identifier)"
    }

    /// `10:00`.
    static func clock(_ minuteOfDay: Int) -> String {
        let h = minuteOfDay / 60, m = minuteOfDay % 60
        return (h < 10 ? "0\(h)" : "\(h)") + ":" + (m < 10 ? "0\(m)" : "\(m)")
    }

    /// `Mon–Fri 10:00–13:00, Mon–Fri 14:00–20:00`.
    static func windows(_ windows: [CallingWindow]) -> String {
        guard !windows.isEmpty else { return "none" }
        return windows.map { "\(days($0.weekdays)) \(clock($0.startMinute))–\(clock($0.endMinute))" }.joined(separator: ", ")
    }

    static let dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// `Mon–Fri`, `Sat`, `Mon, Wed`.
    static func days(_ weekdays: [Int]) -> String {
        let sorted = Array(Set(weekdays.filter { (1...7).contains($0) })).sorted()
        guard let first = sorted.first, let last = sorted.last else { return "no day" }
        if sorted.count > 2, sorted == Array(first...last) { return "\(dayNames[first - 1])–\(dayNames[last - 1])" }
        return sorted.map { dayNames[$0 - 1] }.joined(separator: ", ")
    }
}
