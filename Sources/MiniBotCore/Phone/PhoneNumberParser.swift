/// Turns phone numbers as people write them into E.164.
///
/// Accepts national formats of the default region (`06 12 34 56 78`,
/// `06.12.34.56.78`, `612345678`), international ones (`+33 6 12 34 56 78`,
/// `+33 (0)6 12 34 56 78`, `0033612345678`) and the country code written
/// without `+` (`33612345678`). French overseas numbers written nationally
/// (`0692 12 34 56`) get their own calling code (`+262692123456`).
public struct PhoneNumberParser: Sendable {
    public let defaultRegion: NumberingRegion
    /// Refuse French premium-rate numbers (08 9x), which cost the caller.
    public let rejectPremiumRate: Bool

    public init(defaultRegion: NumberingRegion = .named("FR")!, rejectPremiumRate: Bool = true) {
        self.defaultRegion = defaultRegion
        self.rejectPremiumRate = rejectPremiumRate
    }

    public func parse(_ text: String) throws(PhoneNumberError) -> PhoneNumber {
        let (digits, isInternational) = try Self.digits(of: text)
        if isInternational {
            return try self.international(digits)
        }
        if digits.hasPrefix("00") {
            return try self.international(String(digits.dropFirst(2)))
        }
        return try national(digits)
    }

    // MARK: - Steps

    /// The digits of `text` and whether it started with `+`.
    private static func digits(of text: String) throws(PhoneNumberError) -> (String, Bool) {
        var digits = ""
        var international = false
        var sawAnything = false
        var remaining = Substring(text)
        // "+33 (0)6 …": the "(0)" is the trunk prefix written for national callers.
        if let range = remaining.range(of: "(0)") { remaining.removeSubrange(range) }
        for character in remaining {
            switch character {
            case "0"..."9":
                digits.append(character)
                sawAnything = true
            case "+" where !sawAnything && !international:
                international = true
            case " ", "\u{00A0}", "\u{202F}", "\t", ".", "-", "/", "(", ")":
                continue
            default:
                if character.isLetter { throw .containsLetters(text) }
                throw .invalidCharacter(character)
            }
        }
        guard !digits.isEmpty else { throw .empty }
        return (digits, international)
    }

    private func national(_ digits: String) throws(PhoneNumberError) -> PhoneNumber {
        let region = defaultRegion
        let lengths = region.nationalLengths
        if let trunk = region.trunkPrefix, digits.hasPrefix(trunk),
           lengths.contains(digits.count - trunk.count) {
            return try validated(countryCode: region.countryCode, national: String(digits.dropFirst(trunk.count)), region: region)
        }
        if lengths.contains(digits.count), region.trunkPrefix.map({ !digits.hasPrefix($0) }) ?? true {
            return try validated(countryCode: region.countryCode, national: digits, region: region)
        }
        // The country code written without "+" or "00" ("33612345678").
        if digits.hasPrefix(region.countryCode), digits.count > region.countryCode.count,
           lengths.contains(digits.count - region.countryCode.count) {
            return try self.international(digits)
        }
        let expected = lengths.upperBound + (region.trunkPrefix?.count ?? 0)
        if digits.count < expected { throw .tooShort(digits: digits.count, expected: expected) }
        throw .tooLong(digits: digits.count, expected: expected)
    }

    private func international(_ digits: String) throws(PhoneNumberError) -> PhoneNumber {
        guard let countryCode = (1...3).lazy.map({ String(digits.prefix($0)) })
            .first(where: { NumberingRegion.assignedCountryCodes.contains($0) && digits.count > $0.count })
        else {
            if digits.count < 4 { throw .tooShort(digits: digits.count, expected: 8) }
            throw .unknownCountryCode(String(digits.prefix(3)))
        }
        var national = String(digits.dropFirst(countryCode.count))
        guard let region = NumberingRegion.forCountryCode(countryCode) else {
            guard digits.count <= 15 else { throw .tooLong(digits: digits.count, expected: 15) }
            guard national.count >= 4 else { throw .tooShort(digits: digits.count, expected: countryCode.count + 4) }
            return PhoneNumber(countryCode: countryCode, national: national)
        }
        // "+33 06 12 34 56 78": the trunk prefix kept by mistake after the code.
        if let trunk = region.trunkPrefix, national.hasPrefix(trunk),
           region.nationalLengths.contains(national.count - trunk.count) {
            national.removeFirst(trunk.count)
        }
        return try validated(countryCode: countryCode, national: national, region: region)
    }

    private func validated(countryCode: String, national: String, region: NumberingRegion) throws(PhoneNumberError) -> PhoneNumber {
        let lengths = region.nationalLengths
        if national.count < lengths.lowerBound { throw .tooShort(digits: national.count, expected: lengths.lowerBound) }
        if national.count > lengths.upperBound { throw .tooLong(digits: national.count, expected: lengths.upperBound) }
        guard countryCode == "33" else { return PhoneNumber(countryCode: countryCode, national: national) }

        // France: the first digit says what kind of line it is, never 0.
        guard let first = national.first, first != "0" else {
            throw .invalidNationalNumber("a French number cannot start with 00 after the trunk prefix")
        }
        if let overseas = NumberingRegion.frenchOverseasPrefixes.first(where: { national.hasPrefix($0.prefix) }) {
            return PhoneNumber(countryCode: overseas.countryCode, national: national)
        }
        if rejectPremiumRate, national.hasPrefix("89") {
            throw .premiumRate("0" + national)
        }
        return PhoneNumber(countryCode: countryCode, national: national)
    }
}
