import Foundation
import Testing
@testable import MiniBotCore

@Suite("Compliance: attempts, refusals, opt-out, consent")
struct ComplianceRuleTests {
    let policy = Fixture.policy()

    /// Attempts at 11:00 Paris on these days of March 2026.
    static func attempts(_ days: [Int]) -> [Date] { days.map { Fixture.at(2026, 3, $0, 11) } }

    @Test func fourthAttemptAllowedFifthRefused() {
        let now = Fixture.at(2026, 3, 6, 15)  // Friday
        #expect(policy.evaluate(ComplianceCandidate(phone: Fixture.mobile, attempts: Self.attempts([2, 3, 4])), at: now) == .allowed)
        let decision = policy.evaluate(ComplianceCandidate(phone: Fixture.mobile, attempts: Self.attempts([2, 3, 4, 5])), at: now)
        #expect(decision.reason?.rule == "attempt_limit")
        // The attempt of 2 March counts through 31 March; 1 April 2026 is a Wednesday.
        #expect(decision == .notBefore(Fixture.at(2026, 4, 1, 10), decision.reason!))
        #expect(decision.reason!.detail.contains("4 attempts in the last 30 days"))
    }

    @Test func oldestAttemptLeavesTheWindowOnItsThirtiethDay() {
        let candidate = ComplianceCandidate(phone: Fixture.mobile, attempts: Self.attempts([2, 3, 4, 5]))
        let rule = AttemptLimitRule(maxAttempts: 4, windowDays: 30, defaultTimeZone: Fixture.paris)
        #expect(rule.evaluate(candidate, at: Fixture.at(2026, 3, 31, 23, 59)).reason?.rule == "attempt_limit")
        #expect(rule.evaluate(candidate, at: Fixture.at(2026, 3, 31, 23, 59)) == .notBefore(Fixture.at(2026, 4, 1), rule.evaluate(candidate, at: Fixture.at(2026, 3, 31, 23, 59)).reason!))
        #expect(rule.evaluate(candidate, at: Fixture.at(2026, 4, 1)) == .allowed)
        #expect(policy.evaluate(candidate, at: Fixture.at(2026, 4, 1, 10)) == .allowed)
    }

    @Test func moreThanFourAttemptsWaitForEnoughToLeave() {
        // Six attempts counted: three must leave; the third oldest (4 March) leaves on 3 April (a Friday).
        let candidate = ComplianceCandidate(phone: Fixture.mobile, attempts: Self.attempts([5, 2, 6, 3, 9, 4]))
        let decision = policy.evaluate(candidate, at: Fixture.at(2026, 3, 10, 11))
        #expect(decision == .notBefore(Fixture.at(2026, 4, 3, 10), decision.reason!))
    }

    @Test func attemptsOlderThanTheWindowDoNotCount() {
        let old = [Fixture.at(2026, 1, 5, 11), Fixture.at(2026, 1, 6, 11), Fixture.at(2026, 1, 7, 11), Fixture.at(2026, 1, 8, 11)]
        #expect(policy.evaluate(ComplianceCandidate(phone: Fixture.mobile, attempts: old), at: Fixture.at(2026, 3, 2, 11)) == .allowed)
    }

    @Test func attemptLimitIsClampedToTheLaw() {
        let candidate = ComplianceCandidate(phone: Fixture.mobile, attempts: Self.attempts([2, 3, 4, 5]))
        let now = Fixture.at(2026, 3, 6, 15)
        let loose = Fixture.policy { $0.maxAttemptsInWindow = 10; $0.attemptWindowDays = 7 }
        #expect(loose.evaluate(candidate, at: now).reason?.rule == "attempt_limit")
        let strict = Fixture.policy { $0.maxAttemptsInWindow = 2 }
        #expect(strict.evaluate(ComplianceCandidate(phone: Fixture.mobile, attempts: Self.attempts([2])), at: now) == .allowed)
        #expect(strict.evaluate(ComplianceCandidate(phone: Fixture.mobile, attempts: Self.attempts([2, 4])), at: now).reason?.rule == "attempt_limit")
        let longer = Fixture.policy { $0.attemptWindowDays = 60 }
        let later = Fixture.at(2026, 4, 15, 11)
        #expect(longer.evaluate(candidate, at: later).reason?.rule == "attempt_limit")
        #expect(policy.evaluate(candidate, at: later) == .allowed)
    }

    @Test func refusalCooldownCountsSixtyFullDays() {
        // Refused Monday 2 March 2026 at 15:00: the 60 full days are 3 March … 1 May; calls again from 2 May.
        let refusal = Fixture.at(2026, 3, 2, 15)
        let candidate = ComplianceCandidate(phone: Fixture.mobile, lastRefusalAt: refusal)
        let rule = RefusalCooldownRule(days: 60, defaultTimeZone: Fixture.paris)
        let day59 = refusal.addingTimeInterval(59 * 86400)
        let day60 = Fixture.at(2026, 5, 1, 15)
        #expect(rule.evaluate(candidate, at: day59) == .notBefore(Fixture.at(2026, 5, 2), rule.evaluate(candidate, at: day59).reason!))
        #expect(rule.evaluate(candidate, at: day60).reason?.rule == "refusal_cooldown")
        #expect(rule.evaluate(candidate, at: Fixture.at(2026, 5, 1, 23, 59, 59)).reason?.rule == "refusal_cooldown")
        #expect(rule.evaluate(candidate, at: Fixture.at(2026, 5, 2)) == .allowed)
        // 2 May 2026 is a Saturday and 4 May the next working day.
        let decision = policy.evaluate(candidate, at: Fixture.at(2026, 4, 20, 11))
        #expect(decision == .notBefore(Fixture.at(2026, 5, 4, 10), decision.reason!))
        #expect(decision.reason?.rule == "refusal_cooldown")
        #expect(decision.reason!.detail.contains("2026-03-02"))
    }

    @Test func refusalCooldownIsNeverShorterThanSixtyDays() {
        let candidate = ComplianceCandidate(phone: Fixture.mobile, lastRefusalAt: Fixture.at(2026, 3, 2, 15))
        let now = Fixture.at(2026, 4, 15, 11)  // 44 days later
        #expect(Fixture.policy { $0.refusalCooldownDays = 30 }.evaluate(candidate, at: now).reason?.rule == "refusal_cooldown")
        #expect(Fixture.policy { $0.refusalCooldownDays = 0 }.evaluate(candidate, at: now).reason?.rule == "refusal_cooldown")
        #expect(RefusalCooldownRule(days: -5, defaultTimeZone: Fixture.paris).days == 60)
        let longer = Fixture.policy { $0.refusalCooldownDays = 90 }
        #expect(longer.evaluate(candidate, at: Fixture.at(2026, 5, 20, 11)).reason?.rule == "refusal_cooldown")
        #expect(policy.evaluate(candidate, at: Fixture.at(2026, 5, 20, 11)) == .allowed)
    }

    @Test func optOutIsNeverWhateverElse() {
        let candidate = ComplianceCandidate(phone: Fixture.mobile, consentAt: Fixture.at(2026, 1, 1), optedOut: true)
        let decision = policy.evaluate(candidate, at: Fixture.at(2026, 3, 2, 11))
        guard case .never(let reason) = decision else { Issue.record("\(decision)"); return }
        #expect(reason.rule == "opted_out")
        // At a closed hour too, and before the consent check.
        let strict = Fixture.policy { $0.consentRequired = true }
        #expect(strict.evaluate(ComplianceCandidate(phone: Fixture.mobile, optedOut: true), at: Fixture.at(2026, 3, 8, 3)) == .never(reason))
    }

    @Test func consentRequiredSkipsContactsWithoutIt() {
        let strict = CompliancePolicy(settings: ComplianceSettings())  // consent_required is the default
        let monday = Fixture.at(2026, 3, 2, 11)
        let decision = strict.evaluate(ComplianceCandidate(phone: Fixture.mobile), at: monday)
        guard case .never(let reason) = decision else { Issue.record("\(decision)"); return }
        #expect(reason.rule == "no_consent")
        #expect(strict.evaluate(ComplianceCandidate(phone: Fixture.mobile, consentAt: Fixture.at(2026, 2, 1)), at: monday) == .allowed)
        #expect(policy.evaluate(ComplianceCandidate(phone: Fixture.mobile), at: monday) == .allowed)
        // No consent and a closed hour: never wins over later.
        #expect(strict.evaluate(ComplianceCandidate(phone: Fixture.mobile), at: Fixture.at(2026, 3, 8, 3)) == .never(reason))
    }

    @Test func firstRefusingRuleGivesTheReasonAndAllRulesTheDate() {
        // Attempt limit until Saturday 4 April 00:00 (attempts from 5 March), then the windows: Tuesday 7 April 10:00,
        // because Monday 6 April 2026 is Easter Monday.
        let candidate = ComplianceCandidate(phone: Fixture.mobile, attempts: Self.attempts([5, 6, 9, 10]))
        let decision = policy.evaluate(candidate, at: Fixture.at(2026, 3, 20, 21))
        #expect(decision.reason?.rule == "attempt_limit")
        #expect(decision == .notBefore(Fixture.at(2026, 4, 7, 10), decision.reason!))
        #expect(policy.evaluate(candidate, at: Fixture.at(2026, 4, 7, 10)) == .allowed)
    }

    @Test func rulesHaveStableNames() {
        #expect(policy.rules.map(\.name) == ["opted_out", "no_consent", "refusal_cooldown", "attempt_limit", "public_holiday", "calling_window"])
        #expect(Fixture.policy { $0.skipPublicHolidays = false }.rules.map(\.name).contains("public_holiday") == false)
    }

    @Test func reasonsEncodeAsJSON() throws {
        let reason = ComplianceReason(rule: "calling_window", detail: "closed")
        let data = try JSONEncoder().encode(reason)
        #expect(try JSONDecoder().decode(ComplianceReason.self, from: data) == reason)
        #expect(reason.description == "calling_window: closed")
    }
}
