import Foundation
import Testing
@testable import MiniBotCore

@Suite("Compliance: French public holidays")
struct ComplianceHolidayTests {
    @Test("Easter by the computus matches the known dates", arguments: [
        (1818, 3, 22), (1943, 4, 25), (2000, 4, 23), (2008, 3, 23), (2011, 4, 24), (2019, 4, 21), (2024, 3, 31),
        (2025, 4, 20), (2026, 4, 5), (2027, 3, 28), (2028, 4, 16), (2038, 4, 25), (2285, 3, 22),
    ])
    func easter(_ year: Int, _ month: Int, _ day: Int) {
        #expect(FrenchPublicHolidays.easterSunday(year: year) == LocalDate(year: year, month: month, day: day))
    }

    static let holidays2026 = ["2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25",
                               "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25"]
    static let holidays2027 = ["2027-01-01", "2027-03-29", "2027-05-01", "2027-05-06", "2027-05-08", "2027-05-17",
                               "2027-07-14", "2027-08-15", "2027-11-01", "2027-11-11", "2027-12-25"]

    @Test func nationalListsOf2026And2027() {
        #expect(FrenchPublicHolidays.holidays(year: 2026).map(\.date.description) == Self.holidays2026)
        #expect(FrenchPublicHolidays.holidays(year: 2027).map(\.date.description) == Self.holidays2027)
        #expect(FrenchPublicHolidays.holidays(year: 2026).allSatisfy { !$0.isRegional })
        #expect(FrenchPublicHolidays.holidays(year: 2026)[1].name == "Lundi de Pâques")
    }

    @Test("Every holiday of 2026 and 2027 refuses a call at 11:00, and the policy points past it",
          arguments: holidays2026 + holidays2027)
    func holidayRefused(_ day: String) throws {
        let parts = day.split(separator: "-").map { Int($0)! }
        let now = Fixture.at(parts[0], parts[1], parts[2], 11)
        let decision = Fixture.policy().evaluate(ComplianceCandidate(phone: Fixture.mobile), at: now)
        guard case .notBefore(let next, let reason) = decision else {
            Issue.record("\(day): \(decision)")
            return
        }
        #expect(reason.rule == "public_holiday")
        #expect(reason.detail.contains(day))
        #expect(next > now)
        #expect(Fixture.policy().evaluate(ComplianceCandidate(phone: Fixture.mobile), at: next) == .allowed)
        // Without holiday skipping, a weekday holiday is an ordinary day.
        let weekday = LocalDate(year: parts[0], month: parts[1], day: parts[2]).isoWeekday
        let ignoring = Fixture.policy { $0.skipPublicHolidays = false }.evaluate(ComplianceCandidate(phone: Fixture.mobile), at: now)
        #expect((ignoring == .allowed) == (weekday <= 5))
    }

    @Test func holidayOnAThursdayMovesToFriday() {
        // Ascension 2026 is Thursday 14 May: next opening Friday 15 May 10:00.
        let decision = Fixture.policy().evaluate(ComplianceCandidate(phone: Fixture.mobile), at: Fixture.at(2026, 5, 14, 15))
        #expect(decision == .notBefore(Fixture.at(2026, 5, 15, 10), decision.reason!))
        #expect(decision.reason?.rule == "public_holiday")
        // 1 May 2026 is a Friday; from Thursday evening, next is Monday 4 May.
        #expect(Fixture.policy().nextCallingTime(phone: Fixture.mobile, after: Fixture.at(2026, 4, 30, 20, 30), hasConsent: false)
            == Fixture.at(2026, 5, 4, 10))
    }

    @Test func alsaceMoselleGoodFridayAndSaintStephen() {
        let strasbourg = "+33388123456"
        let goodFriday = Fixture.at(2026, 4, 3, 11)
        #expect(Fixture.policy().evaluate(ComplianceCandidate(phone: strasbourg), at: goodFriday).reason?.rule == "public_holiday")
        #expect(Fixture.policy().evaluate(ComplianceCandidate(phone: "+33387123456"), at: goodFriday).reason?.rule == "public_holiday")
        #expect(Fixture.policy().evaluate(ComplianceCandidate(phone: Fixture.parisLandline), at: goodFriday) == .allowed)
        #expect(Fixture.policy { $0.skipRegionalHolidays = false }.evaluate(ComplianceCandidate(phone: strasbourg), at: goodFriday) == .allowed)
        // 26 December 2025 was a Friday.
        #expect(Fixture.policy().evaluate(ComplianceCandidate(phone: "+33389123456"), at: Fixture.at(2025, 12, 26, 11)).reason?.rule == "public_holiday")
        #expect(Fixture.policy().evaluate(ComplianceCandidate(phone: Fixture.mobile), at: Fixture.at(2025, 12, 26, 11)) == .allowed)
    }

    @Test("Overseas abolition-of-slavery days, in the callee's zone", arguments: [
        ("+262692123456", 2027, 12, 20, "Indian/Reunion"),   // Monday
        ("+262269612345", 2026, 4, 27, "Indian/Mayotte"),    // Monday
        ("+590690123456", 2026, 5, 27, "America/Guadeloupe"), // Wednesday
        ("+596696123456", 2026, 5, 22, "America/Martinique"), // Friday
        ("+594694123456", 2026, 6, 10, "America/Cayenne"),    // Wednesday
    ])
    func abolitionDays(_ phone: String, _ year: Int, _ month: Int, _ day: Int, _ zone: String) {
        let local = Fixture.at(year, month, day, 11, in: TimeZone(identifier: zone)!)
        let decision = Fixture.policy().evaluate(ComplianceCandidate(phone: phone), at: local)
        #expect(decision.reason?.rule == "public_holiday")
        #expect(decision.reason?.detail.contains("Abolition") ?? false || decision.reason?.detail.contains("abolition") ?? false)
        // Not a holiday in mainland France (11:00 there is inside a window on these weekdays).
        #expect(Fixture.policy().evaluate(ComplianceCandidate(phone: Fixture.mobile), at: Fixture.at(year, month, day, 11)) == .allowed)
        #expect(Fixture.policy { $0.skipRegionalHolidays = false }.evaluate(ComplianceCandidate(phone: phone), at: local) == .allowed)
    }

    @Test func localDateArithmetic() {
        #expect(LocalDate(year: 1970, month: 1, day: 1).daysSinceEpoch == 0)
        #expect(LocalDate(daysSinceEpoch: 0) == LocalDate(year: 1970, month: 1, day: 1))
        #expect(LocalDate(year: 2026, month: 3, day: 2).isoWeekday == 1)
        #expect(LocalDate(year: 2026, month: 11, day: 28).isoWeekday == 6)
        #expect(LocalDate(year: 2028, month: 2, day: 28).adding(days: 1) == LocalDate(year: 2028, month: 2, day: 29))
        #expect(LocalDate(year: 2026, month: 12, day: 31).adding(days: 1) == LocalDate(year: 2027, month: 1, day: 1))
        #expect(LocalDate(year: 1969, month: 12, day: 31).daysSinceEpoch == -1)
        for offset in stride(from: -50_000, through: 50_000, by: 997) {
            #expect(LocalDate(daysSinceEpoch: offset).daysSinceEpoch == offset)
        }
    }
}
