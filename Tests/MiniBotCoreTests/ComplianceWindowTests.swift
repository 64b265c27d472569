import Foundation
import Testing
@testable import MiniBotCore

@Suite("Compliance: calling windows")
struct ComplianceWindowTests {
    let policy = Fixture.policy()
    let candidate = ComplianceCandidate(phone: Fixture.mobile)

    /// Monday 2 March 2026, Paris.
    static func monday(_ hour: Int, _ minute: Int, _ second: Int = 0) -> Date { Fixture.at(2026, 3, 2, hour, minute, second) }

    @Test("Boundaries of Monday's windows", arguments: [
        // (hour, minute, second, allowed, next opening (hour, minute) that day or nil for the next day at 10:00)
        (9, 59, 59, false, 10, 0), (10, 0, 0, true, 0, 0), (12, 59, 59, true, 0, 0), (13, 0, 0, false, 14, 0),
        (13, 59, 0, false, 14, 0), (14, 0, 0, true, 0, 0), (19, 59, 59, true, 0, 0), (20, 0, 0, false, -1, 0),
        (0, 0, 0, false, 10, 0), (23, 59, 0, false, -1, 0),
    ])
    func boundaries(_ hour: Int, _ minute: Int, _ second: Int, _ allowed: Bool, _ nextHour: Int, _ nextMinute: Int) {
        let now = Self.monday(hour, minute, second)
        let decision = policy.evaluate(candidate, at: now)
        if allowed {
            #expect(decision == .allowed)
            #expect(policy.nextCallingTime(phone: Fixture.mobile, after: now, hasConsent: false) == now)
            return
        }
        let expected = nextHour < 0 ? Fixture.at(2026, 3, 3, 10) : Self.monday(nextHour, nextMinute)
        #expect(decision == .notBefore(expected, decision.reason ?? ComplianceReason(rule: "", detail: "")))
        #expect(decision.reason?.rule == "calling_window")
        #expect(policy.nextCallingTime(phone: Fixture.mobile, after: now, hasConsent: false) == expected)
    }

    @Test("Friday evening, Saturday and Sunday wait for Monday 10:00", arguments: [
        Fixture.at(2026, 3, 6, 20), Fixture.at(2026, 3, 7, 11), Fixture.at(2026, 3, 8, 15), Fixture.at(2026, 3, 8, 23, 59),
    ])
    func weekend(_ now: Date) {
        let decision = policy.evaluate(candidate, at: now)
        #expect(decision.reason?.rule == "calling_window")
        #expect(decision == .notBefore(Fixture.at(2026, 3, 9, 10), decision.reason!))
        #expect(decision.reason!.detail.contains("2026-03-09 10:00 Europe/Paris"))
    }

    @Test func springForwardWeek() {
        // Summer time starts Sunday 29 March 2026: 10:00 in Paris is 09:00 UTC on Friday 27, 08:00 UTC on Monday 30.
        let friday = Fixture.at(2026, 3, 27, 20)
        let decision = policy.evaluate(candidate, at: friday)
        #expect(decision == .notBefore(Fixture.at(2026, 3, 30, 8, in: Fixture.utc), decision.reason!))
        #expect(Fixture.at(2026, 3, 27, 10) == Fixture.at(2026, 3, 27, 9, in: Fixture.utc))
        #expect(policy.evaluate(candidate, at: Fixture.at(2026, 3, 30, 7, 59, in: Fixture.utc)).reason?.rule == "calling_window")
        #expect(policy.evaluate(candidate, at: Fixture.at(2026, 3, 30, 8, 0, in: Fixture.utc)) == .allowed)
        #expect(policy.evaluate(candidate, at: Fixture.at(2026, 3, 30, 17, 59, in: Fixture.utc)) == .allowed)
        #expect(policy.evaluate(candidate, at: Fixture.at(2026, 3, 30, 18, 0, in: Fixture.utc)).reason?.rule == "calling_window")
    }

    @Test func fallBackWeek() {
        // Winter time from Sunday 25 October 2026: Monday 26's 10:00 in Paris is 09:00 UTC (08:00 UTC the Friday before).
        let decision = policy.evaluate(candidate, at: Fixture.at(2026, 10, 23, 20))
        #expect(decision == .notBefore(Fixture.at(2026, 10, 26, 9, in: Fixture.utc), decision.reason!))
        #expect(policy.evaluate(candidate, at: Fixture.at(2026, 10, 23, 8, 0, in: Fixture.utc)) == .allowed)
        #expect(policy.evaluate(candidate, at: Fixture.at(2026, 10, 26, 8, 59, in: Fixture.utc)).reason?.rule == "calling_window")
        #expect(policy.evaluate(candidate, at: Fixture.at(2026, 10, 26, 9, 0, in: Fixture.utc)) == .allowed)
        #expect(policy.evaluate(candidate, at: Fixture.at(2026, 10, 26, 18, 59, in: Fixture.utc)) == .allowed)
        #expect(policy.evaluate(candidate, at: Fixture.at(2026, 10, 26, 19, 0, in: Fixture.utc)).reason?.rule == "calling_window")
    }

    @Test("The callee's zone comes from the number", arguments: [
        ("+33612345678", "Europe/Paris"), ("+33388123456", "Europe/Paris"), ("0612345678", "Europe/Paris"),
        ("+262692123456", "Indian/Reunion"), ("+262262123456", "Indian/Reunion"), ("0692123456", "Indian/Reunion"),
        ("+262269612345", "Indian/Mayotte"), ("+262639123456", "Indian/Mayotte"),
        ("+590690123456", "America/Guadeloupe"), ("+594694123456", "America/Cayenne"), ("+596696123456", "America/Martinique"),
        ("+508551234", "America/Miquelon"), ("+687123456", "Pacific/Noumea"), ("+68987123456", "Pacific/Tahiti"),
        ("+32470123456", "Europe/Brussels"), ("+41791234567", "Europe/Zurich"), ("+34928123456", "Atlantic/Canary"),
        ("+14155550134", "America/Montreal"), ("+81312345678", "America/Montreal"),
    ])
    func zones(_ phone: String, _ zone: String) {
        let location = CalleeLocation.of(phone: phone, defaultTimeZone: TimeZone(identifier: "America/Montreal")!)
        #expect(location.timeZone.identifier == zone)
        #expect(Fixture.policy { $0.defaultTimeZone = "America/Montreal" }.timeZone(phone: phone).identifier == zone)
    }

    @Test("10:00 local opens the window overseas", arguments: [
        // (phone, UTC hour of local 10:00 on Monday 2 March 2026)
        ("+262692123456", 6), ("+262639123456", 7), ("+590690123456", 14), ("+594694123456", 13),
        ("+596696123456", 14), ("+508551234", 13), ("+687123456", 23 - 24), ("+68987123456", 20),
    ])
    func overseasOpening(_ phone: String, _ utcHour: Int) {
        let opening = utcHour < 0 ? Fixture.at(2026, 3, 1, 24 + utcHour, in: Fixture.utc) : Fixture.at(2026, 3, 2, utcHour, in: Fixture.utc)
        let candidate = ComplianceCandidate(phone: phone)
        #expect(policy.evaluate(candidate, at: opening) == .allowed)
        let before = opening.addingTimeInterval(-1)
        #expect(policy.evaluate(candidate, at: before) == .notBefore(opening, ComplianceReason(rule: "calling_window", detail: policy.evaluate(candidate, at: before).reason?.detail ?? "")))
    }

    @Test func miquelonKeepsItsOwnSummerTime() {
        // Saint-Pierre-et-Miquelon moves to summer time on 8 March 2026 (UTC-2): 10:00 is 12:00 UTC.
        let candidate = ComplianceCandidate(phone: "+508551234")
        #expect(policy.evaluate(candidate, at: Fixture.at(2026, 3, 9, 12, in: Fixture.utc)) == .allowed)
        #expect(policy.evaluate(candidate, at: Fixture.at(2026, 3, 9, 11, 59, in: Fixture.utc)).reason?.rule == "calling_window")
    }

    @Test func unknownCountriesUseTheSettingsZone() {
        let newYork = Fixture.policy { $0.defaultTimeZone = "America/New_York" }
        let candidate = ComplianceCandidate(phone: "+12125550100")
        // 10:00 in New York on Monday 2 March 2026 is 15:00 UTC.
        #expect(newYork.evaluate(candidate, at: Fixture.at(2026, 3, 2, 15, in: Fixture.utc)) == .allowed)
        #expect(newYork.evaluate(candidate, at: Fixture.at(2026, 3, 2, 14, 59, in: Fixture.utc)).reason?.rule == "calling_window")
    }

    static let widened = [CallingWindow(weekdays: [1, 2, 3, 4, 5, 6], startMinute: 9 * 60, endMinute: 21 * 60)]

    @Test func consentWidensTheWindowsWhenSet() {
        let policy = Fixture.policy { $0.consentWindows = Self.widened }
        let consenting = ComplianceCandidate(phone: Fixture.mobile, consentAt: Fixture.at(2026, 1, 10))
        let saturday = Fixture.at(2026, 3, 7, 9, 30)
        #expect(policy.evaluate(consenting, at: saturday) == .allowed)
        #expect(policy.evaluate(consenting, at: Self.monday(13, 30)) == .allowed)
        #expect(policy.evaluate(consenting, at: Self.monday(20, 59)) == .allowed)
        #expect(policy.evaluate(consenting, at: Self.monday(21, 0)) == .notBefore(Fixture.at(2026, 3, 3, 9), policy.evaluate(consenting, at: Self.monday(21, 0)).reason!))
        #expect(policy.evaluate(ComplianceCandidate(phone: Fixture.mobile), at: saturday).reason?.rule == "calling_window")
        #expect(policy.nextCallingTime(phone: Fixture.mobile, after: saturday, hasConsent: true) == saturday)
        #expect(policy.nextCallingTime(phone: Fixture.mobile, after: saturday, hasConsent: false) == Fixture.at(2026, 3, 9, 10))
        // Sunday is still outside the widened windows; holidays are still skipped.
        #expect(policy.evaluate(consenting, at: Fixture.at(2026, 3, 8, 11)) == .notBefore(Fixture.at(2026, 3, 9, 9), policy.evaluate(consenting, at: Fixture.at(2026, 3, 8, 11)).reason!))
        #expect(policy.evaluate(consenting, at: Fixture.at(2026, 7, 14, 11)).reason?.rule == "public_holiday")
    }

    @Test func consentWithoutConsentWindowsKeepsTheDefaults() {
        let consenting = ComplianceCandidate(phone: Fixture.mobile, consentAt: Fixture.at(2026, 1, 10))
        #expect(policy.evaluate(consenting, at: Fixture.at(2026, 3, 7, 11)).reason?.rule == "calling_window")
        #expect(policy.evaluate(consenting, at: Self.monday(13, 30)).reason?.rule == "calling_window")
    }

    @Test func noWindowMeansNeverAndNoNextTime() {
        let closed = Fixture.policy { $0.callingWindows = [] }
        #expect(closed.evaluate(candidate, at: Self.monday(11, 0)).reason?.rule == "calling_window")
        if case .never = closed.evaluate(candidate, at: Self.monday(11, 0)) {} else { Issue.record("expected never") }
        #expect(closed.nextCallingTime(phone: Fixture.mobile, after: Self.monday(11, 0), hasConsent: false) == nil)
        // A rule that never allows gives its own reason, even after one that only defers.
        let limited = ComplianceCandidate(phone: Fixture.mobile, attempts: Array(repeating: Self.monday(10, 0), count: 4))
        #expect(closed.evaluate(limited, at: Self.monday(11, 0)).reason?.rule == "calling_window")
    }

    @Test func disabledAllowsEverything() {
        let off = Fixture.policy { $0.enabled = false; $0.consentRequired = true }
        let sunday = Fixture.at(2026, 3, 8, 3)
        let everything = ComplianceCandidate(phone: Fixture.mobile, optedOut: true, attempts: Array(repeating: sunday, count: 9), lastRefusalAt: sunday)
        #expect(off.evaluate(everything, at: sunday) == .allowed)
        #expect(off.nextCallingTime(phone: Fixture.mobile, after: sunday, hasConsent: false) == sunday)
        #expect(off.checkCallerID("+33612345678") == .ok)
    }

    @Test func scheduleAnswersDirectly() {
        let schedule = policy.schedule(phone: Fixture.mobile, hasConsent: false)
        #expect(schedule.timeZone.identifier == "Europe/Paris")
        #expect(schedule.isOpen(Self.monday(11, 0)))
        #expect(!schedule.isOpen(Fixture.at(2026, 5, 1, 11)))
        #expect(schedule.isInWindow(Fixture.at(2026, 5, 1, 11)))
        #expect(schedule.holiday(on: LocalDate(year: 2026, month: 5, day: 1))?.name == "Fête du Travail")
    }
}
