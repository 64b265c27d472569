import Foundation

/// Where in France a callee is, for the public holidays that apply there.
public enum FrenchHolidayRegion: String, Sendable, Equatable, CaseIterable, Codable {
    /// The eleven days of the Code du travail, art. L3133-1 (and the overseas territories with no extra day).
    case mainland
    /// Moselle, Bas-Rhin, Haut-Rhin: also Good Friday and 26 December (Code du travail, art. L3134-13).
    case alsaceMoselle = "alsace_moselle"
    /// Abolition of slavery day: 27 May (also used for Saint-Martin and Saint-Barthélemy, which share +590).
    case guadeloupe
    /// Abolition of slavery day: 22 May.
    case martinique
    /// Abolition of slavery day: 10 June.
    case guyane
    /// Abolition of slavery day: 20 December.
    case reunion
    /// Abolition of slavery day: 27 April.
    case mayotte
}

/// French public holidays for any year: the national list of art. L3133-1 of the
/// Code du travail (the one D223-9 refers to), with Easter by the Gregorian computus,
/// and optionally the regional days.
public enum FrenchPublicHolidays {
    public struct Holiday: Sendable, Equatable, CustomStringConvertible {
        public var date: LocalDate
        /// The French name (`Lundi de Pâques`).
        public var name: String
        /// False for a day of the national list; true for Alsace-Moselle's and the overseas days.
        public var isRegional: Bool

        public var description: String { "\(date) \(name)" }
    }

    /// Easter Sunday of `year` (Gregorian calendar; anonymous algorithm, Meeus/Jones/Butcher).
    public static func easterSunday(year: Int) -> LocalDate {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return LocalDate(year: year, month: month, day: day)
    }

    /// The holidays of `year` in `region`, in date order. `includeRegional: false` keeps the national list only.
    public static func holidays(year: Int, region: FrenchHolidayRegion = .mainland, includeRegional: Bool = true) -> [Holiday] {
        let easter = easterSunday(year: year)
        func fixed(_ month: Int, _ day: Int, _ name: String) -> Holiday {
            Holiday(date: LocalDate(year: year, month: month, day: day), name: name, isRegional: false)
        }
        var list: [Holiday] = [
            fixed(1, 1, "Jour de l'an"),
            Holiday(date: easter.adding(days: 1), name: "Lundi de Pâques", isRegional: false),
            fixed(5, 1, "Fête du Travail"),
            fixed(5, 8, "Victoire 1945"),
            Holiday(date: easter.adding(days: 39), name: "Ascension", isRegional: false),
            Holiday(date: easter.adding(days: 50), name: "Lundi de Pentecôte", isRegional: false),
            fixed(7, 14, "Fête nationale"),
            fixed(8, 15, "Assomption"),
            fixed(11, 1, "Toussaint"),
            fixed(11, 11, "Armistice 1918"),
            fixed(12, 25, "Noël"),
        ]
        if includeRegional {
            func regional(_ date: LocalDate, _ name: String) -> Holiday { Holiday(date: date, name: name, isRegional: true) }
            let abolition = "Abolition de l'esclavage"
            switch region {
            case .mainland:
                break
            case .alsaceMoselle:
                list.append(regional(easter.adding(days: -2), "Vendredi saint"))
                list.append(regional(LocalDate(year: year, month: 12, day: 26), "Saint-Étienne"))
            case .guadeloupe:
                list.append(regional(LocalDate(year: year, month: 5, day: 27), abolition))
            case .martinique:
                list.append(regional(LocalDate(year: year, month: 5, day: 22), abolition))
            case .guyane:
                list.append(regional(LocalDate(year: year, month: 6, day: 10), abolition))
            case .reunion:
                list.append(regional(LocalDate(year: year, month: 12, day: 20), abolition))
            case .mayotte:
                list.append(regional(LocalDate(year: year, month: 4, day: 27), abolition))
            }
        }
        return list.sorted { $0.date < $1.date }
    }

    /// The holiday on `date`, if it is one.
    public static func holiday(on date: LocalDate, region: FrenchHolidayRegion = .mainland, includeRegional: Bool = true) -> Holiday? {
        holidays(year: date.year, region: region, includeRegional: includeRegional).first { $0.date == date }
    }
}
