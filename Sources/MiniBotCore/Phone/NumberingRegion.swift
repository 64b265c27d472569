/// What the parser knows of one country's numbering plan: enough to turn a
/// nationally written number into E.164 and to catch obvious mistakes.
public struct NumberingRegion: Sendable, Equatable {
    /// ISO 3166 code, upper case (`FR`).
    public let code: String
    /// Country calling code without `+` (`33`).
    public let countryCode: String
    /// The digit(s) dialled before a national number inside the country (`0`), dropped in E.164.
    public let trunkPrefix: String?
    /// Allowed lengths of the national significant number.
    public let nationalLengths: ClosedRange<Int>

    public static let all: [NumberingRegion] = [
        .init(code: "FR", countryCode: "33", trunkPrefix: "0", nationalLengths: 9...9),
        .init(code: "BE", countryCode: "32", trunkPrefix: "0", nationalLengths: 8...9),
        .init(code: "CH", countryCode: "41", trunkPrefix: "0", nationalLengths: 9...9),
        .init(code: "LU", countryCode: "352", trunkPrefix: nil, nationalLengths: 4...11),
        .init(code: "MC", countryCode: "377", trunkPrefix: nil, nationalLengths: 8...9),
        .init(code: "DE", countryCode: "49", trunkPrefix: "0", nationalLengths: 6...13),
        .init(code: "GB", countryCode: "44", trunkPrefix: "0", nationalLengths: 9...10),
        .init(code: "ES", countryCode: "34", trunkPrefix: nil, nationalLengths: 9...9),
        .init(code: "IT", countryCode: "39", trunkPrefix: nil, nationalLengths: 6...11),
        .init(code: "PT", countryCode: "351", trunkPrefix: nil, nationalLengths: 9...9),
        .init(code: "NL", countryCode: "31", trunkPrefix: "0", nationalLengths: 9...9),
        .init(code: "US", countryCode: "1", trunkPrefix: "1", nationalLengths: 10...10),
        .init(code: "CA", countryCode: "1", trunkPrefix: "1", nationalLengths: 10...10),
        .init(code: "MA", countryCode: "212", trunkPrefix: "0", nationalLengths: 9...9),
        .init(code: "DZ", countryCode: "213", trunkPrefix: "0", nationalLengths: 8...9),
        .init(code: "TN", countryCode: "216", trunkPrefix: nil, nationalLengths: 8...8),
        .init(code: "SN", countryCode: "221", trunkPrefix: nil, nationalLengths: 9...9),
        .init(code: "CI", countryCode: "225", trunkPrefix: nil, nationalLengths: 10...10),
        .init(code: "RE", countryCode: "262", trunkPrefix: "0", nationalLengths: 9...9),
        .init(code: "GP", countryCode: "590", trunkPrefix: "0", nationalLengths: 9...9),
        .init(code: "GF", countryCode: "594", trunkPrefix: "0", nationalLengths: 9...9),
        .init(code: "MQ", countryCode: "596", trunkPrefix: "0", nationalLengths: 9...9),
    ]

    public static func named(_ code: String) -> NumberingRegion? {
        let upper = code.uppercased()
        return all.first { $0.code == upper }
    }

    /// The region whose rules apply to numbers with this calling code, when we know one.
    static func forCountryCode(_ countryCode: String) -> NumberingRegion? {
        all.first { $0.countryCode == countryCode }
    }

    /// Every country calling code assigned by the ITU (E.164 list), used to
    /// split an international number into code and national part.
    static let assignedCountryCodes: Set<String> = [
        "1", "7", "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
        "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64",
        "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
        "211", "212", "213", "216", "218", "220", "221", "222", "223", "224", "225", "226", "227", "228",
        "229", "230", "231", "232", "233", "234", "235", "236", "237", "238", "239", "240", "241", "242",
        "243", "244", "245", "246", "247", "248", "249", "250", "251", "252", "253", "254", "255", "256",
        "257", "258", "260", "261", "262", "263", "264", "265", "266", "267", "268", "269", "290", "291",
        "297", "298", "299", "350", "351", "352", "353", "354", "355", "356", "357", "358", "359", "370",
        "371", "372", "373", "374", "375", "376", "377", "378", "379", "380", "381", "382", "383", "385",
        "386", "387", "389", "420", "421", "423", "500", "501", "502", "503", "504", "505", "506", "507",
        "508", "509", "590", "591", "592", "593", "594", "595", "596", "597", "598", "599", "670", "672",
        "673", "674", "675", "676", "677", "678", "679", "680", "681", "682", "683", "685", "686", "687",
        "688", "689", "690", "691", "692", "800", "808", "850", "852", "853", "855", "856", "870", "880",
        "881", "882", "883", "886", "960", "961", "962", "963", "964", "965", "966", "967", "968", "970",
        "971", "972", "973", "974", "975", "976", "977", "992", "993", "994", "995", "996", "998",
    ]

    /// French overseas departments share France's national format (`0692 …`)
    /// but have calling codes of their own: national prefix → calling code.
    static let frenchOverseasPrefixes: [(prefix: String, countryCode: String)] = [
        ("262", "262"), ("263", "262"), ("269", "262"), ("639", "262"), ("692", "262"), ("693", "262"),
        ("590", "590"), ("690", "590"), ("691", "590"),
        ("594", "594"), ("694", "594"),
        ("596", "596"), ("696", "596"), ("697", "596"),
    ]
}
