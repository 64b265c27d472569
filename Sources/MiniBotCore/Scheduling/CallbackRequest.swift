/// What a callback answer names, before it is placed on the calendar:
/// "lundi prochain à 10 heures 30" → day `.weekday(1)`, time 10:30.
struct CallbackRequest: Equatable, Sendable {
    enum Day: Equatable, Sendable {
        case today, tomorrow, afterTomorrow
        /// The next such ISO weekday after today (1 is Monday).
        case weekday(Int)
        /// Monday of next week, or the weekday of next week when one is named too.
        case nextWeek(weekday: Int?)
        /// The first day of next month.
        case nextMonth
        /// The next such day of the month (and month, 1–12, when named).
        case dayOfMonth(Int, month: Int?)
    }

    /// A part of the day: where it starts for a callback, and where it ends.
    struct PartOfDay: Equatable, Sendable {
        var minute: Int
        var endMinute: Int
        /// A clock hour 1–11 said with it is in the afternoon or evening ("8 heures du soir").
        var isAfternoon: Bool

        static let morning = PartOfDay(minute: 10 * 60, endMinute: 12 * 60, isAfternoon: false)
        static let lateMorning = PartOfDay(minute: 11 * 60 + 30, endMinute: 12 * 60 + 30, isAfternoon: false)
        static let afternoon = PartOfDay(minute: 14 * 60, endMinute: 18 * 60, isAfternoon: true)
        static let lateAfternoon = PartOfDay(minute: 17 * 60, endMinute: 19 * 60, isAfternoon: true)
        static let evening = PartOfDay(minute: 18 * 60, endMinute: 22 * 60, isAfternoon: true)
    }

    /// "dans deux heures": seconds from now.
    var inSeconds: Int?
    /// "dans trois jours": whole days from today, at the same clock time unless a time is named.
    var inDays: Int?
    var day: Day?
    /// Minutes after midnight, as said ("8 heures" is 8:00 until a part of day says otherwise).
    var minuteOfDay: Int?
    var partOfDay: PartOfDay?

    var isEmpty: Bool { inSeconds == nil && inDays == nil && day == nil && minuteOfDay == nil && partOfDay == nil }
}
