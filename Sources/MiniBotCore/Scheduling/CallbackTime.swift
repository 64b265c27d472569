import Foundation

/// The time a callee asks to be called back at, read from a French answer as a
/// recogniser writes it (no punctuation, maybe no accents, numbers in words).
///
/// | said | gives |
/// |---|---|
/// | "dans une heure", "dans dix minutes", "dans une demi-heure", "dans 2h30" | now + that |
/// | "dans trois jours", "dans une semaine", "dans quinze jours" (14) | that many days, same clock time |
/// | "demain", "après-demain", "lundi", "lundi prochain", "la semaine prochaine" (its Monday), "le mois prochain" (its 1st), "le 15 décembre" | that day at 10:00, or at the time or part of day named |
/// | "à 14h", "14h30", "dix heures et demie", "onze heures moins le quart", "midi", "avant 11h" (10:00) | today if still ahead, else tomorrow |
/// | "le matin" 10:00, "fin de matinée" 11:30, "l'après-midi" 14:00, "fin d'après-midi" 17:00, "le soir" 18:00 | today if still ahead, else tomorrow |
/// | "plus tard", "aujourd'hui", "je suis en réunion", "rappelez-moi" | nil: no time named, the caller uses its default delay |
///
/// A clock hour 1–7 with no part of day is in the afternoon ("à trois heures" is 15:00);
/// 1–11 with "après-midi" or "soir" too ("huit heures du soir" is 20:00). A weekday names
/// the next such day after today ("lundi" said on a Monday is in a week). Once a part of day
/// has started ("cet après-midi" said at 15:00), the answer is an hour from now while the
/// part lasts, else the same part tomorrow. The result may fall outside the calling windows:
/// pass it through ``CompliancePolicy/nextCallingTime(phone:after:hasConsent:)``.
public enum CallbackTime {
    /// The instant named by `text`, read in `timeZone` (the callee's); nil when it names none.
    public static func parse(_ text: String, now: Date, timeZone: TimeZone) -> Date? {
        let request = CallbackRequestParser.parse(words(of: text))
        return resolve(request, now: now, timeZone: timeZone)
    }

    /// The hour a named day without a time or a part of day is called at.
    static let defaultMinute = 10 * 60

    static let tokenizer = IntentTokenizer(tables: IntentLexicon.default.tables)

    /// The words of `text` as the intent classifier sees them, hesitations dropped ("et" kept: "vingt et un").
    static func words(of text: String) -> [String] {
        tokenizer.tokenize(text).tokens.filter { !$0.isFiller || $0.text == "et" }.map(\.text)
    }

    static func resolve(_ request: CallbackRequest, now: Date, timeZone: TimeZone) -> Date? {
        if let seconds = request.inSeconds {
            return now.addingTimeInterval(TimeInterval(seconds))
        }
        let (today, secondOfDay) = LocalDate.local(now, in: timeZone)
        let minute = clockMinute(request)
        if let days = request.inDays {
            return today.adding(days: days).instant(atMinute: minute ?? secondOfDay / 60, in: timeZone)
        }
        guard let day = request.day else {
            guard let minute else { return nil }
            return todayOrTomorrow(minute: minute, part: request.minuteOfDay == nil ? request.partOfDay : nil,
                                   today: today, now: now, timeZone: timeZone)
        }
        let date: LocalDate
        switch day {
        case .today:
            // "aujourd'hui" alone names no time: the caller's default delay says it best.
            guard let minute else { return nil }
            return todayOrTomorrow(minute: minute, part: request.minuteOfDay == nil ? request.partOfDay : nil,
                                   today: today, now: now, timeZone: timeZone)
        case .tomorrow:
            date = today.adding(days: 1)
        case .afterTomorrow:
            date = today.adding(days: 2)
        case .weekday(let weekday):
            let ahead = (weekday - today.isoWeekday + 7) % 7
            date = today.adding(days: ahead == 0 ? 7 : ahead)
        case .nextWeek(let weekday):
            let monday = today.adding(days: 8 - today.isoWeekday)
            date = monday.adding(days: (weekday ?? 1) - 1)
        case .nextMonth:
            date = today.month == 12 ? LocalDate(year: today.year + 1, month: 1, day: 1) : LocalDate(year: today.year, month: today.month + 1, day: 1)
        case .dayOfMonth(let dayOfMonth, let month):
            guard let found = nextDate(day: dayOfMonth, month: month, after: today) else { return nil }
            date = found
        }
        return date.instant(atMinute: minute ?? defaultMinute, in: timeZone)
    }

    /// The clock time named, with the part of day applied ("8 heures du soir" → 20:00), or the part's own start.
    static func clockMinute(_ request: CallbackRequest) -> Int? {
        guard var minute = request.minuteOfDay else { return request.partOfDay?.minute }
        let hour = minute / 60
        if let part = request.partOfDay {
            if part.isAfternoon, (1...11).contains(hour) { minute += 12 * 60 }
        } else if (1...7).contains(hour) {
            minute += 12 * 60  // nobody asks to be called back at 3 in the morning
        }
        return minute
    }

    /// `minute` today if still ahead; within a part of day already started, an hour from now
    /// while the part lasts; else tomorrow.
    static func todayOrTomorrow(minute: Int, part: CallbackRequest.PartOfDay?, today: LocalDate, now: Date,
                                timeZone: TimeZone) -> Date {
        let candidate = today.instant(atMinute: minute, in: timeZone)
        if candidate > now { return candidate }
        if let part {
            let soon = now.addingTimeInterval(3600)
            if soon < today.instant(atMinute: part.endMinute, in: timeZone) { return soon }
        }
        return today.adding(days: 1).instant(atMinute: minute, in: timeZone)
    }

    /// The next `day` of `month` (any month when nil) after `today`; nil when no month has that day.
    static func nextDate(day: Int, month: Int?, after today: LocalDate) -> LocalDate? {
        for offset in 0..<24 {
            let m0 = today.month - 1 + offset
            let candidate = LocalDate(year: today.year + m0 / 12, month: m0 % 12 + 1, day: day)
            if let month, candidate.month != month { continue }
            // Reject the 31st of a 30-day month: the integer date arithmetic would roll it over.
            guard LocalDate(daysSinceEpoch: candidate.daysSinceEpoch) == candidate else { continue }
            if candidate > today { return candidate }
        }
        return nil
    }
}
