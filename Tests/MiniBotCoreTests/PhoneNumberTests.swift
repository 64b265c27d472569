import Testing
@testable import MiniBotCore

@Suite("Phone numbers")
struct PhoneNumberTests {
    let france = PhoneNumberParser()

    @Test("French formats normalise to one E.164 number", arguments: [
        "06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78", "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78",
        "+33 06 12 34 56 78", "0033612345678", "0033 6 12 34 56 78", "33612345678", "612345678", "+33612345678",
        " 06 12 34 56 78 ", "06\u{00A0}12\u{00A0}34\u{00A0}56\u{00A0}78", "(06) 12 34 56 78",
    ])
    func frenchMobile(_ text: String) throws {
        #expect(try france.parse(text).e164 == "+33612345678")
    }

    @Test("Other countries keep their code", arguments: [
        ("+32 470 12 34 56", "+32470123456"),
        ("+41 79 123 45 67", "+41791234567"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+1 (415) 555-0134", "+14155550134"),
        ("0049 30 1234567", "+49301234567"),
        ("+39 06 1234 5678", "+390612345678"),
        ("+34 612 34 56 78", "+34612345678"),
        ("+81 3 1234 5678", "+81312345678"),
    ])
    func international(_ input: String, _ expected: String) throws {
        #expect(try france.parse(input).e164 == expected)
    }

    @Test("French overseas numbers get their own calling code", arguments: [
        ("0692 12 34 56", "+262692123456"), ("0262 12 34 56", "+262262123456"), ("0639 12 34 56", "+262639123456"),
        ("0690 12 34 56", "+590690123456"), ("0594 12 34 56", "+594594123456"), ("0696 12 34 56", "+596696123456"),
        ("+33 692 12 34 56", "+262692123456"),
    ])
    func overseas(_ input: String, _ expected: String) throws {
        #expect(try france.parse(input).e164 == expected)
    }

    @Test("What is not a number is refused with its reason", arguments: [
        ("", PhoneNumberError.empty),
        ("  ", .empty),
        ("06 12 AB 34 56", .containsLetters("06 12 AB 34 56")),
        ("appeler", .containsLetters("appeler")),
        ("06 12 34 56 78 #2", .invalidCharacter("#")),
        ("0612", .tooShort(digits: 4, expected: 10)),
        ("06 12 34 56 78 9", .tooLong(digits: 11, expected: 10)),
        ("08 99 12 34 56", .premiumRate("0899123456")),
        ("+33 8 99 12 34 56", .premiumRate("0899123456")),
        ("+999 1234 5678", .unknownCountryCode("999")),
        ("+33 6 12", .tooShort(digits: 3, expected: 9)),
        ("+32 4701", .tooShort(digits: 4, expected: 8)),
        ("+3", .tooShort(digits: 1, expected: 8)),
    ])
    func rejected(_ input: String, _ expected: PhoneNumberError) {
        #expect(throws: expected) { try france.parse(input) }
    }

    @Test func premiumRateAllowedWhenConfigured() throws {
        let lenient = PhoneNumberParser(rejectPremiumRate: false)
        #expect(try lenient.parse("08 99 12 34 56").e164 == "+33899123456")
        // Other 08 numbers are never premium-rate.
        #expect(try france.parse("08 10 12 34 56").e164 == "+33810123456")
    }

    @Test func otherDefaultRegions() throws {
        let belgium = PhoneNumberParser(defaultRegion: .named("be")!)
        #expect(try belgium.parse("0470 12 34 56").e164 == "+32470123456")
        #expect(try belgium.parse("06 12 34 56 78").e164 != "+33612345678")
        let us = PhoneNumberParser(defaultRegion: .named("US")!)
        #expect(try us.parse("(415) 555-0134").e164 == "+14155550134")
        #expect(try us.parse("1 415 555 0134").e164 == "+14155550134")
        let spain = PhoneNumberParser(defaultRegion: .named("ES")!)
        #expect(try spain.parse("612 34 56 78").e164 == "+34612345678")
    }

    @Test func e164Wrapper() {
        #expect(PhoneNumber(e164: "+33612345678") != nil)
        #expect(PhoneNumber(e164: "33612345678") == nil)
        #expect(PhoneNumber(e164: "+0612345678") == nil)
        #expect(PhoneNumber(e164: "+33 6") == nil)
    }

    @Test func errorsReadWell() {
        #expect(PhoneNumberError.premiumRate("0899123456").description.contains("premium-rate"))
        #expect(PhoneNumberError.tooShort(digits: 4, expected: 10).description == "too short: 4 digits where 10 are expected")
    }
}
