import Foundation
import Testing
@testable import MiniBotCore

@Suite("Compliance: callback times")
struct ComplianceCallbackTimeTests {
    /// Wednesday 4 March 2026, 11:00 in Paris.
    static let now = Fixture.at(2026, 3, 4, 11)

    static func parse(_ text: String, now: Date = now, zone: TimeZone = Fixture.paris) -> Date? {
        CallbackTime.parse(text, now: now, timeZone: zone)
    }

    @Test("Callback phrases, as a recogniser writes them", arguments: [
        ("rappelez-moi demain", "2026-03-05 10:00"),
        ("demain à 14h", "2026-03-05 14:00"),
        ("demain a 14h", "2026-03-05 14:00"),
        ("RAPPELEZ MOI DEMAIN A 14H", "2026-03-05 14:00"),
        ("demain matin", "2026-03-05 10:00"),
        ("demain après-midi", "2026-03-05 14:00"),
        ("demain apres midi", "2026-03-05 14:00"),
        ("demain midi et demi", "2026-03-05 12:30"),
        ("cet après-midi", "2026-03-04 14:00"),
        ("cet apres midi", "2026-03-04 14:00"),
        ("ce soir", "2026-03-04 18:00"),
        ("dans une heure", "2026-03-04 12:00"),
        ("dans deux heures", "2026-03-04 13:00"),
        ("dans 10 minutes", "2026-03-04 11:10"),
        ("dans dix minutes", "2026-03-04 11:10"),
        ("dans vingt et une minutes", "2026-03-04 11:21"),
        ("dans cinquante-cinq minutes", "2026-03-04 11:55"),
        ("dans une demi-heure", "2026-03-04 11:30"),
        ("dans un quart d'heure", "2026-03-04 11:15"),
        ("dans trois quarts d heure", "2026-03-04 11:45"),
        ("dans une heure et demie", "2026-03-04 12:30"),
        ("dans 2h30", "2026-03-04 13:30"),
        ("euh rappelez-moi dans une petite heure", "2026-03-04 12:00"),
        ("lundi", "2026-03-09 10:00"),
        ("lundi prochain à 10 heures 30", "2026-03-09 10:30"),
        ("lundi prochain a dix heures trente", "2026-03-09 10:30"),
        ("mercredi", "2026-03-11 10:00"),
        ("la semaine prochaine", "2026-03-09 10:00"),
        ("mardi de la semaine prochaine", "2026-03-10 10:00"),
        ("jeudi vers dix-sept heures", "2026-03-05 17:00"),
        ("vendredi à 9h", "2026-03-06 09:00"),
        ("après-demain", "2026-03-06 10:00"),
        ("apres demain a seize heures trente", "2026-03-06 16:30"),
        ("rappelez moi a quinze heures", "2026-03-04 15:00"),
        ("à 14h30", "2026-03-04 14:30"),
        ("quatorze heures quinze", "2026-03-04 14:15"),
        ("à trois heures", "2026-03-04 15:00"),
        ("huit heures du soir", "2026-03-04 20:00"),
        ("à dix heures", "2026-03-05 10:00"),
        ("onze heures moins le quart", "2026-03-05 10:45"),
        ("dix heures et demie demain", "2026-03-05 10:30"),
        ("à midi", "2026-03-04 12:00"),
        ("demain avant midi", "2026-03-05 11:00"),
        ("le matin", "2026-03-05 10:00"),
        ("plutôt en fin d'après-midi", "2026-03-04 17:00"),
        ("en fin de matinee", "2026-03-04 11:30"),
        ("aujourd'hui à 17h", "2026-03-04 17:00"),
        ("dans trois jours", "2026-03-07 11:00"),
        ("dans quinze jours", "2026-03-18 11:00"),
        ("dans une semaine", "2026-03-11 11:00"),
        ("le 15 avril à 14h", "2026-04-15 14:00"),
        ("le premier", "2026-04-01 10:00"),
        ("le mois prochain", "2026-04-01 10:00"),
        ("pas demain mais vendredi", "2026-03-06 10:00"),
        ("je suis en réunion jusqu'à 15h", "2026-03-04 15:00"),
        ("la je peux pas rappelez moi en fin de semaine", "2026-03-06 10:00"),
    ])
    func phrase(_ text: String, _ expected: String) {
        guard let date = Self.parse(text) else {
            Issue.record("\"\(text)\" gave nil, expected \(expected)")
            return
        }
        #expect(ComplianceFormat.local(date, Fixture.paris) == expected + " Europe/Paris", "\"\(text)\"")
    }

    @Test("No time named: nil, the caller's default delay", arguments: [
        "plus tard", "je suis en réunion", "rappelez-moi", "rappelez moi plus tard", "tout à l'heure", "aujourd'hui",
        "une autre fois", "dans la journée", "je suis occupé", "", "non merci", "dans l'heure",
    ])
    func nothingNamed(_ text: String) {
        #expect(Self.parse(text) == nil, "\"\(text)\"")
    }

    @Test func partOfDayAlreadyStarted() {
        // "cet après-midi" said at 15:00: an hour from now; "ce matin" at 11:30: tomorrow morning.
        #expect(Self.parse("cet après-midi", now: Fixture.at(2026, 3, 4, 15)) == Fixture.at(2026, 3, 4, 16))
        #expect(Self.parse("ce matin", now: Fixture.at(2026, 3, 4, 11, 30)) == Fixture.at(2026, 3, 5, 10))
        #expect(Self.parse("ce soir", now: Fixture.at(2026, 3, 4, 21, 30)) == Fixture.at(2026, 3, 5, 18))
    }

    @Test func weekdayNamedOnThatDayIsNextWeek() {
        #expect(Self.parse("mercredi à 15h") == Fixture.at(2026, 3, 11, 15))
        // Sunday: "lundi" and "la semaine prochaine" are tomorrow.
        let sunday = Fixture.at(2026, 3, 8, 16)
        #expect(Self.parse("lundi", now: sunday) == Fixture.at(2026, 3, 9, 10))
        #expect(Self.parse("la semaine prochaine", now: sunday) == Fixture.at(2026, 3, 9, 10))
    }

    @Test func acrossTheSpringDSTChange() {
        // Saturday 28 March 2026: tomorrow 10:00 is already summer time (08:00 UTC), and "in two hours" is two real hours.
        let saturday = Fixture.at(2026, 3, 28, 23, 30)
        #expect(Self.parse("demain à 10h", now: saturday) == Fixture.at(2026, 3, 29, 8, in: Fixture.utc))
        #expect(Self.parse("dans deux heures", now: saturday) == saturday.addingTimeInterval(7200))
        #expect(Self.parse("lundi", now: saturday) == Fixture.at(2026, 3, 30, 8, in: Fixture.utc))
    }

    @Test func readInTheCalleesZone() {
        let reunion = TimeZone(identifier: "Indian/Reunion")!
        // 11:00 in Paris is 14:00 in Réunion: "demain à 14h" is 10:00 UTC the next day.
        #expect(Self.parse("demain à 14h", zone: reunion) == Fixture.at(2026, 3, 5, 10, in: Fixture.utc))
        #expect(Self.parse("à 15h", zone: reunion) == Fixture.at(2026, 3, 4, 11, in: Fixture.utc))
    }

    @Test func endOfYearRollsOver() {
        let newYearsEve = Fixture.at(2026, 12, 31, 15)
        #expect(Self.parse("le mois prochain", now: newYearsEve) == Fixture.at(2027, 1, 1, 10))
        #expect(Self.parse("le 3 janvier", now: newYearsEve) == Fixture.at(2027, 1, 3, 10))
        #expect(Self.parse("le 31", now: Fixture.at(2026, 4, 5, 11)) == Fixture.at(2026, 5, 31, 10))
    }

    @Test func theDialerPutsTheAnswerInsideTheWindows() {
        // "ce soir" is 18:00, inside; "samedi" is moved to Monday 10:00; "à midi et demi" stays; "13h30" waits for 14:00.
        let policy = Fixture.policy()
        func placed(_ text: String) -> Date? {
            Self.parse(text).flatMap { policy.nextCallingTime(phone: Fixture.mobile, after: $0, hasConsent: false) }
        }
        #expect(placed("ce soir") == Fixture.at(2026, 3, 4, 18))
        #expect(placed("samedi") == Fixture.at(2026, 3, 9, 10))
        #expect(placed("à midi et demi") == Fixture.at(2026, 3, 4, 12, 30))
        #expect(placed("à 13h30") == Fixture.at(2026, 3, 4, 14))
    }

    @Test func randomWordSoupNeverCrashesNorGoesBack() {
        // Every word the parser knows, in random orders and lengths: no index out of range, never before now.
        let vocabulary = ["dans", "de", "d", "ici", "une", "un", "deux", "dix", "sept", "vingt", "et", "demi", "demie", "quart",
                          "quarts", "heure", "heures", "h", "minutes", "min", "jours", "semaine", "prochaine", "prochain",
                          "le", "la", "premier", "15", "31", "0", "99", "avril", "lundi", "dimanche", "demain", "apres", "midi",
                          "matin", "soir", "fin", "debut", "matinee", "ce", "cet", "aujourd", "hui", "pas", "avant", "moins",
                          "mois", "petite", "journee", "aprem", "24", "30", "-", "'", "à"]
        var state: UInt64 = 0x5EED
        func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
        for _ in 0..<3000 {
            let text = (0..<(1 + next(7))).map { _ in vocabulary[next(vocabulary.count)] }.joined(separator: " ")
            if let date = Self.parse(text) {
                #expect(date >= Self.now, "\"\(text)\"")
            }
        }
    }

    @Test func numbersInWords() {
        let words = ["vingt", "et", "un"]
        #expect(FrenchNumberWords.read(words, at: 0)! == (21, 3))
        #expect(FrenchNumberWords.read(["dix", "sept"], at: 0)! == (17, 2))
        #expect(FrenchNumberWords.read(["trente", "cinq", "minutes"], at: 0)! == (35, 2))
        #expect(FrenchNumberWords.read(["quarante"], at: 0)! == (40, 1))
        #expect(FrenchNumberWords.read(["12"], at: 0)! == (12, 1))
        #expect(FrenchNumberWords.read(["lundi"], at: 0) == nil)
    }
}
