import Foundation

/// Whether a caller ID may be presented by an automated canvassing system in France.
///
/// ARCEP (décision n° 2022-1583) reserves these ranges of 10-digit numbers for
/// automated calling systems: 01 62, 01 63, 02 70, 02 71, 03 77, 03 78, 04 24, 04 25,
/// 05 68, 05 69, 09 48, 09 49, and 09 475 to 09 479 for the overseas departments.
public enum CallerIDCheck: Sendable, Equatable {
    case ok
    /// Allowed by the policy (`warn`), with the sentence to print.
    case warning(String)
    /// Refused by the policy (`refuse`), with the sentence to print.
    case refused(String)

    /// The national prefixes (with the trunk 0) of ARCEP's ranges for automated calling systems.
    public static let automatedCallingPrefixes: [String] = [
        "0162", "0163", "0270", "0271", "0377", "0378", "0424", "0425", "0568", "0569", "0948", "0949",
        "09475", "09476", "09477", "09478", "09479",
    ]

    /// The 10-digit national form (`0162…`) of a French number written nationally
    /// or in E.164 (`+33 1 62 …`, `0033 1 62 …`); nil for anything else.
    public static func frenchNationalForm(_ number: String) -> String? {
        guard let parsed = try? PhoneNumberParser(rejectPremiumRate: false).parse(number),
              parsed.e164.hasPrefix("+33"), parsed.e164.count == 12 else { return nil }
        return "0" + parsed.e164.dropFirst(3)
    }

    /// Whether `number` is in one of ARCEP's ranges for automated calling systems.
    public static func isReservedForAutomatedCalls(_ number: String) -> Bool {
        guard let national = frenchNationalForm(number) else { return false }
        return automatedCallingPrefixes.contains { national.hasPrefix($0) }
    }

    /// Checks `number` under `policy`: `.ok` in range or with the policy off, else a warning or a refusal.
    public static func check(_ number: String, policy: ComplianceSettings.CallerIDPolicy) -> CallerIDCheck {
        if policy == .off || isReservedForAutomatedCalls(number) { return .ok }
        let shown = number.trimmingCharacters(in: .whitespaces)
        let isNumber = (try? PhoneNumberParser(rejectPremiumRate: false).parse(number)) != nil
        let what = isNumber
            ? "\(shown) is not in ARCEP's ranges for automated calling systems"
            : "\"\(shown)\" is not a phone number"
        let sentence = "\(what): a French canvassing campaign must present a number starting with "
            + "01 62, 01 63, 02 70, 02 71, 03 77, 03 78, 04 24, 04 25, 05 68, 05 69, 09 48, 09 49 or 09 475–09 479 (overseas)"
        return policy == .refuse ? .refused(sentence) : .warning(sentence)
    }

    public var isRefused: Bool {
        if case .refused = self { return true }
        return false
    }
}
