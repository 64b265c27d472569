/// A telephone number in E.164 form (`+33612345678`): a `+`, the country code
/// and the national significant number, digits only. Build one with
/// ``PhoneNumberParser``; the string is the key of a contact everywhere.
public struct PhoneNumber: Hashable, Sendable, Codable, CustomStringConvertible {
    public let e164: String

    /// Wraps a string that is already canonical E.164 (as read back from the
    /// database). Returns nil for anything else.
    public init?(e164: String) {
        let bytes = Array(e164.utf8)
        guard bytes.count >= 8, bytes.count <= 16, bytes[0] == UInt8(ascii: "+"), bytes[1] != UInt8(ascii: "0"),
              bytes.dropFirst().allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        self.e164 = e164
    }

    init(countryCode: String, national: String) {
        self.e164 = "+" + countryCode + national
    }

    public var description: String { e164 }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let number = PhoneNumber(e164: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not an E.164 number"))
        }
        self = number
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(e164)
    }
}

/// Why a text is not a phone number we can dial.
public enum PhoneNumberError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case containsLetters(String)
    case invalidCharacter(Character)
    case tooShort(digits: Int, expected: Int)
    case tooLong(digits: Int, expected: Int)
    case unknownCountryCode(String)
    case invalidNationalNumber(String)
    case premiumRate(String)

    public var description: String {
        switch self {
        case .empty:
            "no phone number"
        case .containsLetters(let text):
            "'\(text)' contains letters"
        case .invalidCharacter(let character):
            "unexpected character '\(character)' (only digits, a leading +, spaces, dots, dashes, slashes and parentheses are allowed)"
        case .tooShort(let digits, let expected):
            "too short: \(digits) digits where \(expected) are expected"
        case .tooLong(let digits, let expected):
            "too long: \(digits) digits where \(expected) are expected"
        case .unknownCountryCode(let digits):
            "no country uses the calling code of +\(digits)"
        case .invalidNationalNumber(let reason):
            reason
        case .premiumRate(let number):
            "\(number) is a premium-rate number (08 9x), refused by the configuration"
        }
    }
}
