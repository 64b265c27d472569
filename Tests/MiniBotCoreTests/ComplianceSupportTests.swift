import Foundation
import Testing
@testable import MiniBotCore

/// Fixed instants for the compliance tests: no real clock anywhere.
enum Fixture {
    static let paris = TimeZone(identifier: "Europe/Paris")!
    static let utc = TimeZone(identifier: "UTC")!
    /// A mainland mobile, a Paris landline.
    static let mobile = "+33612345678"
    static let parisLandline = "+33142345678"

    /// The instant a wall clock in `zone` shows this date and time (Foundation's calendar, not the code under test).
    static func at(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0,
                   in zone: TimeZone = paris) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
    }

    /// A policy with the defaults except consent, which most tests do not care about.
    static func policy(_ change: (inout ComplianceSettings) -> Void = { _ in }) -> CompliancePolicy {
        var settings = ComplianceSettings(consentRequired: false)
        change(&settings)
        return CompliancePolicy(settings: settings)
    }
}

@Suite("Compliance settings")
struct ComplianceSettingsTests {
    @Test func emptyObjectDecodesToTheDefaults() throws {
        let settings = try JSONDecoder().decode(ComplianceSettings.self, from: Data("{}".utf8))
        #expect(settings == ComplianceSettings())
        #expect(settings.skipRegionalHolidays && settings.defaultTimeZone == "Europe/Paris")
        #expect(settings.callingWindows == CallingWindow.frenchDefault)
    }

    @Test func newKeysDecodeAndRoundTrip() throws {
        let json = #"{"skip_regional_holidays": false, "default_time_zone": "America/Montreal", "refusal_cooldown_days": 90}"#
        let settings = try JSONDecoder().decode(ComplianceSettings.self, from: Data(json.utf8))
        #expect(!settings.skipRegionalHolidays)
        #expect(settings.defaultTimeZone == "America/Montreal")
        #expect(settings.resolvedDefaultTimeZone.identifier == "America/Montreal")
        #expect(settings.refusalCooldownDays == 90 && settings.maxAttemptsInWindow == 4)
        let again = try JSONDecoder().decode(ComplianceSettings.self, from: try JSONEncoder().encode(settings))
        #expect(again == settings)
    }

    @Test func campaignSettingsWithoutComplianceGetTheDefaults() throws {
        let campaign = try JSONDecoder().decode(CampaignSettings.self, from: Data(#"{"max_attempts": 5}"#.utf8))
        #expect(campaign.compliance == ComplianceSettings())
    }

    @Test func limitsAreClampedToTheLaw() {
        let loose = ComplianceSettings(maxAttemptsInWindow: 10, attemptWindowDays: 7, refusalCooldownDays: 30)
        #expect(loose.effectiveMaxAttemptsInWindow == 4)
        #expect(loose.effectiveAttemptWindowDays == 30)
        #expect(loose.effectiveRefusalCooldownDays == 60)
        let strict = ComplianceSettings(maxAttemptsInWindow: 2, attemptWindowDays: 45, refusalCooldownDays: 90)
        #expect(strict.effectiveMaxAttemptsInWindow == 2)
        #expect(strict.effectiveAttemptWindowDays == 45)
        #expect(strict.effectiveRefusalCooldownDays == 90)
        #expect(ComplianceSettings(maxAttemptsInWindow: 0).effectiveMaxAttemptsInWindow == 1)
    }

    @Test func problemsNameTheKey() {
        #expect(ComplianceSettings().problems.isEmpty)
        let bad = ComplianceSettings(
            callingWindows: [CallingWindow(weekdays: [0, 8], startMinute: 600, endMinute: 600)],
            defaultTimeZone: "Mars/Olympus", maxAttemptsInWindow: 9, refusalCooldownDays: 30)
        let problems = bad.problems
        #expect(problems.count == 5)
        #expect(problems.contains { $0.hasPrefix("calling_windows[0].weekdays") })
        #expect(problems.contains { $0.hasPrefix("calling_windows[0]: start_minute") })
        #expect(problems.contains { $0.hasPrefix("default_time_zone") })
        #expect(problems.contains { $0.hasPrefix("max_attempts_in_window: 9 counts as 4") })
        #expect(problems.contains { $0.hasPrefix("refusal_cooldown_days: 30 counts as 60") })
        #expect(ComplianceSettings(callingWindows: []).problems == ["calling_windows is empty: no call would ever be placed"])
    }

    @Test func unknownDefaultZoneFallsBackToParis() {
        #expect(ComplianceSettings(defaultTimeZone: "Mars/Olympus").resolvedDefaultTimeZone.identifier == "Europe/Paris")
    }
}
