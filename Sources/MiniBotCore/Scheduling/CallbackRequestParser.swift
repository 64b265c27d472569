/// Reads a ``CallbackRequest`` from the words of an answer (lower case, accents
/// folded, hyphens and elisions split, as ``IntentTokenizer`` gives them).
/// The first day and the first time named win; a day right after "pas" is skipped
/// ("pas demain, jeudi").
struct CallbackRequestParser {
    let words: [String]
    private var index = 0
    private var request = CallbackRequest()

    init(words: [String]) {
        self.words = words
    }

    static func parse(_ words: [String]) -> CallbackRequest {
        var parser = CallbackRequestParser(words: words)
        return parser.run()
    }

    static let weekdays = ["lundi": 1, "mardi": 2, "mercredi": 3, "jeudi": 4, "vendredi": 5, "samedi": 6, "dimanche": 7]
    static let months = [
        "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
        "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    ]
    static let hourWords: Set<String> = ["h", "heure", "heures"]
    static let minuteWords: Set<String> = ["minute", "minutes", "min", "mn"]
    /// Words between "dans" and the quantity that change nothing ("dans une petite heure").
    static let softeners: Set<String> = ["petite", "petites", "petit", "bonne", "bonnes", "grosse"]

    private func word(_ offset: Int = 0) -> String? {
        let k = index + offset
        return k >= 0 && k < words.count ? words[k] : nil
    }

    private mutating func run() -> CallbackRequest {
        while index < words.count {
            if relative() || day() || partOfDay() || time() { continue }
            index += 1
        }
        return request
    }

    private mutating func setDay(_ day: CallbackRequest.Day) {
        if word(-1) == "pas" { return }
        if request.day == nil { request.day = day }
    }

    // MARK: - "dans deux heures", "d'ici dix minutes", "dans quinze jours"

    private mutating func relative() -> Bool {
        guard word() == "dans" || (word() == "ici" && word(-1) == "de") else { return false }
        var k = index + 1
        while k < words.count, Self.softeners.contains(words[k]) { k += 1 }
        // "dans une demi heure", "dans un quart d'heure", "dans trois quarts d'heure"
        var count = 1
        var used = 0
        if let (value, length) = FrenchNumberWords.read(words, at: k) { count = value; used = length }
        var at = k + used
        while at < words.count, Self.softeners.contains(words[at]) { at += 1 }
        guard at < words.count else { return false }
        var seconds: Int?
        switch words[at] {
        case "demi", "demie":
            if at + 1 < words.count, Self.hourWords.contains(words[at + 1]) { seconds = 1800 * count; at += 2 }
        case "quart", "quarts":
            var h = at + 1
            if h < words.count, words[h] == "de" || words[h] == "d" { h += 1 }
            if h < words.count, Self.hourWords.contains(words[h]) { seconds = 900 * count; at = h + 1 }
        case let unit where Self.hourWords.contains(unit):
            guard used > 0 else { return false }
            seconds = 3600 * count
            at += 1
            if let extra = minutesAfterHour(at) { seconds! += extra.minutes * 60; at = extra.next }
        case let unit where Self.minuteWords.contains(unit):
            guard used > 0 else { return false }
            seconds = 60 * count
            at += 1
        case "jour", "jours":
            guard used > 0 else { return false }
            // "dans huit jours" is a week and "dans quinze jours" two, as the French count them.
            request.inDays = request.inDays ?? (count == 8 ? 7 : count == 15 ? 14 : count)
            index = at + 1
            return true
        case "semaine", "semaines":
            request.inDays = request.inDays ?? 7 * count
            index = at + 1
            return true
        default:
            return false
        }
        guard let seconds else { return false }
        if request.inSeconds == nil { request.inSeconds = seconds }
        index = at
        return true
    }

    /// After "deux heures": "trente" / "30 minutes" / "et demie" / "et quart", as minutes.
    private func minutesAfterHour(_ at: Int) -> (minutes: Int, next: Int)? {
        guard at < words.count else { return nil }
        if words[at] == "et", at + 1 < words.count {
            switch words[at + 1] {
            case "demi", "demie": return (30, at + 2)
            case "quart": return (15, at + 2)
            default: return nil
            }
        }
        if words[at] == "moins" {
            var k = at + 1
            if k < words.count, words[k] == "le" { k += 1 }
            if k < words.count, words[k] == "quart" { return (-15, k + 1) }
            if let (value, length) = FrenchNumberWords.read(words, at: at + 1), (1...30).contains(value) {
                var next = at + 1 + length
                if next < words.count, Self.minuteWords.contains(words[next]) { next += 1 }
                return (-value, next)
            }
            return nil
        }
        if let (value, length) = FrenchNumberWords.read(words, at: at), (0...59).contains(value) {
            var next = at + length
            if next < words.count, Self.minuteWords.contains(words[next]) { next += 1 }
            // "deux heures deux jours" is not "2 h 02"
            if next < words.count, ["jour", "jours", "semaine", "semaines"].contains(words[next]) { return nil }
            return (value, next)
        }
        return nil
    }

    // MARK: - Days

    private mutating func day() -> Bool {
        guard let w = word() else { return false }
        switch w {
        case "aujourdhui":
            setDay(.today)
        case "aujourd" where word(1) == "hui":
            setDay(.today)
            index += 1
        case "demain":
            setDay(.tomorrow)
        case "apres" where word(1) == "demain":
            setDay(.afterTomorrow)
            index += 1
        case "ce", "cet", "cette":
            // "ce soir", "cet après-midi", "ce matin": today, and the part of day that follows.
            guard let next = word(1), ["soir", "matin", "apres", "aprem", "apresmidi", "soiree", "matinee"].contains(next) else { return false }
            setDay(.today)
        case let name where Self.weekdays[name] != nil:
            let weekday = Self.weekdays[name]!
            if isNextWeekAhead(from: index + 1) {
                setDay(.nextWeek(weekday: weekday))
            } else {
                setDay(.weekday(weekday))
            }
        case "semaine" where ["prochaine", "pro", "suivante"].contains(word(1) ?? ""):
            if case .weekday(let weekday) = request.day {
                request.day = .nextWeek(weekday: weekday)
            } else {
                setDay(.nextWeek(weekday: nil))
            }
            index += 1
        case "fin" where word(1) == "de" && word(2) == "semaine":
            setDay(.weekday(5))
            index += 2
        case "mois" where word(1) == "prochain":
            setDay(.nextMonth)
            index += 1
        case "le":
            // "le 15", "le quinze décembre", "le premier"
            let at = index + 1
            let number: (value: Int, length: Int)? = word(1) == "premier" ? (1, 1) : FrenchNumberWords.read(words, at: at)
            guard let (value, length) = number, (1...31).contains(value) else { return false }
            let after = at + length
            let following = after < words.count ? words[after] : nil
            if let following, Self.hourWords.contains(following) || Self.minuteWords.contains(following) { return false }
            let month = following.flatMap { Self.months[$0] }
            setDay(.dayOfMonth(value, month: month))
            index = after + (month == nil ? 0 : 1)
            return true
        default:
            return false
        }
        index += 1
        return true
    }

    /// "lundi de la semaine prochaine": the weekday is next week's.
    private func isNextWeekAhead(from k: Int) -> Bool {
        let rest = words[min(k, words.count)..<min(k + 4, words.count)]
        return rest.starts(with: ["de", "la", "semaine", "prochaine"])
    }

    // MARK: - Parts of the day

    private mutating func partOfDay() -> Bool {
        guard let w = word() else { return false }
        var part: CallbackRequest.PartOfDay?
        var length = 1
        switch w {
        case "matin", "matinee":
            part = .morning
        case "aprem", "apresmidi":
            part = .afternoon
        case "apres" where word(1) == "midi":
            part = .afternoon
            length = 2
        case "soir", "soiree":
            part = .evening
        case "debut" where word(1) == "de":
            switch word(2) {
            case "matinee", "matin": part = .morning; length = 3
            case "apres" where word(3) == "midi": part = .afternoon; length = 4
            case "aprem": part = .afternoon; length = 3
            case "soiree": part = .evening; length = 3
            default: return false
            }
        case "fin" where word(1) == "de":
            switch word(2) {
            case "matinee", "matin": part = .lateMorning; length = 3
            case "apres" where word(3) == "midi": part = .lateAfternoon; length = 4
            case "aprem": part = .lateAfternoon; length = 3
            case "journee": part = .evening; length = 3
            default: return false
            }
        default:
            return false
        }
        if request.partOfDay == nil { request.partOfDay = part }
        index += length
        return true
    }

    // MARK: - Clock times: "14h", "14 h 30", "dix heures et demie", "midi", "onze heures moins le quart"

    private mutating func time() -> Bool {
        guard let w = word() else { return false }
        let before = word(-1) == "avant"
        var minute: Int
        var next: Int
        if w == "midi" {
            minute = 12 * 60
            next = index + 1
        } else if let (hour, length) = FrenchNumberWords.read(words, at: index), (0...24).contains(hour),
                  index + length < words.count, Self.hourWords.contains(words[index + length]) {
            minute = (hour % 24) * 60
            next = index + length + 1
        } else {
            return false
        }
        if let extra = minutesAfterHour(next) {
            minute += extra.minutes
            next = extra.next
        }
        if before { minute -= 60 }  // "avant 11h": at 10:00
        if request.minuteOfDay == nil { request.minuteOfDay = (minute + 24 * 60) % (24 * 60) }
        index = next
        return true
    }
}
