import Foundation

/// Where a callee is, as far as the number tells: the time zone the calling
/// windows are read in and which French public holidays apply.
///
/// French numbers are placed by calling code (mainland +33, the overseas codes),
/// Mayotte by its prefixes inside +262 (269, 639), and Alsace-Moselle by its
/// geographic landline prefixes (03 87, 03 88, 03 89); a mobile number there
/// looks mainland. Other countries' single-zone numbers get their zone; the rest
/// (+1, …) the campaign's default zone. Numbers outside France get the mainland
/// holidays: a French campaign skipping them loses at most a day.
public struct CalleeLocation: Sendable, Equatable {
    public var timeZone: TimeZone
    public var holidayRegion: FrenchHolidayRegion

    public init(timeZone: TimeZone, holidayRegion: FrenchHolidayRegion) {
        self.timeZone = timeZone
        self.holidayRegion = holidayRegion
    }

    /// The location of `phone` (E.164; a national French form is read too). `defaultTimeZone`
    /// serves numbers this table does not place.
    public static func of(phone: String, defaultTimeZone: TimeZone) -> CalleeLocation {
        let digits = Self.internationalDigits(phone)
        var best: Entry?
        for entry in table where digits.hasPrefix(entry.prefix) && entry.prefix.count > (best?.prefix.count ?? 0) {
            best = entry
        }
        guard let best else { return CalleeLocation(timeZone: defaultTimeZone, holidayRegion: .mainland) }
        return CalleeLocation(timeZone: zones[best.zone] ?? defaultTimeZone, holidayRegion: best.region)
    }

    /// The digits after the `+`; national French numbers (`06…`) and the overseas ones (`0692…`) become international.
    static func internationalDigits(_ phone: String) -> String {
        let plus = phone.trimmingCharacters(in: .whitespaces).hasPrefix("+")
        if let number = try? PhoneNumberParser(rejectPremiumRate: false).parse(phone) {
            return String(number.e164.dropFirst())
        }
        let digits = phone.filter(\.isASCII).filter(\.isNumber)
        if plus { return digits }
        if digits.hasPrefix("00") { return String(digits.dropFirst(2)) }
        return digits
    }

    struct Entry: Sendable {
        var prefix: String
        var zone: String
        var region: FrenchHolidayRegion
    }

    /// Calling code (and national prefix) → IANA zone and holiday region. Longest prefix wins.
    static let table: [Entry] = [
        Entry(prefix: "33", zone: "Europe/Paris", region: .mainland),
        Entry(prefix: "33387", zone: "Europe/Paris", region: .alsaceMoselle),
        Entry(prefix: "33388", zone: "Europe/Paris", region: .alsaceMoselle),
        Entry(prefix: "33389", zone: "Europe/Paris", region: .alsaceMoselle),
        Entry(prefix: "262", zone: "Indian/Reunion", region: .reunion),
        Entry(prefix: "262269", zone: "Indian/Mayotte", region: .mayotte),
        Entry(prefix: "262639", zone: "Indian/Mayotte", region: .mayotte),
        // Guadeloupe, Saint-Martin and Saint-Barthélemy share +590 and UTC-4.
        Entry(prefix: "590", zone: "America/Guadeloupe", region: .guadeloupe),
        Entry(prefix: "594", zone: "America/Cayenne", region: .guyane),
        Entry(prefix: "596", zone: "America/Martinique", region: .martinique),
        Entry(prefix: "508", zone: "America/Miquelon", region: .mainland),
        Entry(prefix: "681", zone: "Pacific/Wallis", region: .mainland),
        Entry(prefix: "687", zone: "Pacific/Noumea", region: .mainland),
        Entry(prefix: "689", zone: "Pacific/Tahiti", region: .mainland),
        // Single-zone neighbours and the countries the phone parser knows.
        Entry(prefix: "31", zone: "Europe/Amsterdam", region: .mainland),
        Entry(prefix: "32", zone: "Europe/Brussels", region: .mainland),
        Entry(prefix: "34", zone: "Europe/Madrid", region: .mainland),
        Entry(prefix: "34822", zone: "Atlantic/Canary", region: .mainland),
        Entry(prefix: "34828", zone: "Atlantic/Canary", region: .mainland),
        Entry(prefix: "34922", zone: "Atlantic/Canary", region: .mainland),
        Entry(prefix: "34928", zone: "Atlantic/Canary", region: .mainland),
        Entry(prefix: "351", zone: "Europe/Lisbon", region: .mainland),
        Entry(prefix: "351292", zone: "Atlantic/Azores", region: .mainland),
        Entry(prefix: "351295", zone: "Atlantic/Azores", region: .mainland),
        Entry(prefix: "351296", zone: "Atlantic/Azores", region: .mainland),
        Entry(prefix: "352", zone: "Europe/Luxembourg", region: .mainland),
        Entry(prefix: "377", zone: "Europe/Monaco", region: .mainland),
        Entry(prefix: "39", zone: "Europe/Rome", region: .mainland),
        Entry(prefix: "41", zone: "Europe/Zurich", region: .mainland),
        Entry(prefix: "44", zone: "Europe/London", region: .mainland),
        Entry(prefix: "49", zone: "Europe/Berlin", region: .mainland),
        Entry(prefix: "212", zone: "Africa/Casablanca", region: .mainland),
        Entry(prefix: "213", zone: "Africa/Algiers", region: .mainland),
        Entry(prefix: "216", zone: "Africa/Tunis", region: .mainland),
        Entry(prefix: "221", zone: "Africa/Dakar", region: .mainland),
        Entry(prefix: "225", zone: "Africa/Abidjan", region: .mainland),
    ]

    /// The table's zones, loaded once.
    static let zones: [String: TimeZone] = {
        var zones: [String: TimeZone] = [:]
        for entry in table { zones[entry.zone] = TimeZone(identifier: entry.zone) }
        return zones
    }()
}
