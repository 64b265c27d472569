import Foundation
import MiniBotCore

/// How the panel writes dates, durations and numbers for a language and a time zone.
struct PanelFormat: Sendable {
    let language: Language
    let timeZone: TimeZone

    private func style(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language == .fr ? "fr_FR" : "en_GB")
        formatter.timeZone = timeZone
        formatter.dateFormat = format
        return formatter
    }

    func dateTime(_ date: Date?) -> String {
        guard let date else { return "—" }
        return style(language == .fr ? "dd/MM/yyyy HH:mm" : "dd MMM yyyy HH:mm").string(from: date)
    }

    func time(_ date: Date) -> String { style("HH:mm:ss").string(from: date) }

    func day(_ date: Date) -> String { style(language == .fr ? "EEEE d MMMM yyyy" : "EEEE d MMMM yyyy").string(from: date) }

    /// `YYYY-MM-DD` as an `<input type="date">` writes it.
    func isoDay(_ date: Date) -> String { style("yyyy-MM-dd").string(from: date) }

    /// The start of the day an `<input type="date">` value names, in the panel's time zone.
    func parseDay(_ text: String) -> Date? { style("yyyy-MM-dd").date(from: text) }

    func startOfDay(_ date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.startOfDay(for: date)
    }

    func hourOfDay(_ date: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.component(.hour, from: date)
    }

    func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 60 ? "\(total / 60) min \(String(format: "%02d", total % 60)) s" : "\(total) s"
    }

    func number(_ value: Int) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.locale = Locale(identifier: language == .fr ? "fr_FR" : "en_GB")
        return formatter.string(from: NSNumber(value: value)) ?? "\(value)"
    }

    func percent(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "—" }
        let value = Double(part) * 100 / Double(whole)
        return String(format: "%.0f", value) + (language == .fr ? " %" : "%")
    }
}
