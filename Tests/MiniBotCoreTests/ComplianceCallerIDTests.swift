import Foundation
import Testing
@testable import MiniBotCore

@Suite("Compliance: caller ID (ARCEP ranges)")
struct ComplianceCallerIDTests {
    static let reserved = ["0162", "0163", "0270", "0271", "0377", "0378", "0424", "0425", "0568", "0569", "0948", "0949",
                           "09475", "09476", "09477", "09478", "09479"]
    static let neighbours = ["0161", "0164", "0269", "0272", "0376", "0379", "0423", "0426", "0567", "0570", "0947",
                             "09474", "09470", "0950", "0946", "0612", "0800", "0937"]

    /// A 10-digit national number starting with `prefix`.
    static func number(_ prefix: String) -> String { prefix + String(repeating: "1", count: 10 - prefix.count) }

    /// The same number as E.164, spaced as people write it: `+33 1 62 11 11 11`.
    static func international(_ national: String) -> String {
        let rest = Array(national.dropFirst())
        return "+33 \(rest[0]) " + stride(from: 1, to: 9, by: 2).map { String(rest[$0...$0 + 1]) }.joined(separator: " ")
    }

    @Test("ARCEP's ranges are accepted in national and E.164 forms", arguments: reserved)
    func inRange(_ prefix: String) {
        let national = Self.number(prefix)
        for form in [national, Self.international(national), "+33" + national.dropFirst(), "0033" + national.dropFirst(),
                     national.enumerated().map { $0.offset > 0 && $0.offset % 2 == 0 ? " \($0.element)" : "\($0.element)" }.joined()] {
            #expect(CallerIDCheck.isReservedForAutomatedCalls(form), "\(form)")
            #expect(CallerIDCheck.check(form, policy: .refuse) == .ok, "\(form)")
        }
    }

    @Test("Neighbouring ranges are not", arguments: neighbours)
    func outOfRange(_ prefix: String) {
        let national = Self.number(prefix)
        for form in [national, Self.international(national)] {
            #expect(!CallerIDCheck.isReservedForAutomatedCalls(form), "\(form)")
            guard case .warning(let sentence) = CallerIDCheck.check(form, policy: .warn) else {
                Issue.record("\(form) should warn")
                continue
            }
            #expect(sentence.contains("ARCEP"))
            #expect(CallerIDCheck.check(form, policy: .refuse).isRefused)
            #expect(CallerIDCheck.check(form, policy: .off) == .ok)
        }
    }

    @Test func nonFrenchOrMalformedNumbersAreNotInRange() {
        for text in ["+32 2 162 11 11", "+1 415 555 0134", "016211111", "01621111111", "minibot", ""] {
            #expect(!CallerIDCheck.isReservedForAutomatedCalls(text), "\(text)")
            #expect(CallerIDCheck.check(text, policy: .refuse).isRefused, "\(text)")
        }
        guard case .warning(let sentence) = CallerIDCheck.check("minibot", policy: .warn) else { Issue.record("should warn"); return }
        #expect(sentence.contains("not a phone number"))
        guard case .warning(let belgian) = CallerIDCheck.check("+32 2 162 11 11", policy: .warn) else { Issue.record("should warn"); return }
        #expect(belgian.contains("ARCEP"))
    }

    @Test func policyFollowsTheCampaignSettings() {
        let mobile = "+33612345678"
        #expect(Fixture.policy().checkCallerID(mobile) != .ok)  // warn is the default
        if case .warning = Fixture.policy().checkCallerID(mobile) {} else { Issue.record("default policy should warn") }
        #expect(Fixture.policy { $0.callerIDPolicy = .refuse }.checkCallerID(mobile).isRefused)
        #expect(Fixture.policy { $0.callerIDPolicy = .off }.checkCallerID(mobile) == .ok)
        #expect(Fixture.policy { $0.callerIDPolicy = .refuse }.checkCallerID("+33 1 62 00 00 00") == .ok)
        #expect(Fixture.policy { $0.callerIDPolicy = .refuse }.checkCallerID("09 47 90 00 00") == .ok)
    }
}
