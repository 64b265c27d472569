import Foundation

/// The French rules for canvassing calls, on by default, per campaign.
public struct ComplianceSettings: Codable, Sendable, Equatable {
    /// What to do when the caller ID is not in ARCEP's ranges for automated calls.
    public enum CallerIDPolicy: String, Codable, Sendable, CaseIterable {
        case off, warn, refuse
    }

    /// False turns every rule off (for campaigns outside French consumer law).
    public var enabled: Bool
    /// Local-time windows in the callee's time zone when calls may be placed.
    public var callingWindows: [CallingWindow]
    /// Windows that apply instead for a contact with recorded express consent; empty: the same windows.
    public var consentWindows: [CallingWindow]
    /// Skip the French public holidays of the callee's region (Code du travail, L3133-1).
    public var skipPublicHolidays: Bool
    /// Also skip the regional days (Alsace-Moselle's Good Friday and 26 December, the overseas
    /// abolition-of-slavery days), which D223-9 does not name: caution costs a day a year.
    public var skipRegionalHolidays: Bool
    /// The callee's zone when their number does not tell it (IANA identifier, `Europe/Paris`).
    public var defaultTimeZone: String
    /// At most this many attempts per contact in ``attemptWindowDays`` rolling days.
    /// The law's ceiling is 4: a larger value counts as 4 (``effectiveMaxAttemptsInWindow``).
    public var maxAttemptsInWindow: Int
    /// The rolling period for ``maxAttemptsInWindow``; never less than the law's 30 days.
    public var attemptWindowDays: Int
    /// Days without a new attempt after a refusal during a call; never less than 60.
    public var refusalCooldownDays: Int
    /// Skip contacts with no recorded prior consent.
    public var consentRequired: Bool
    public var callerIDPolicy: CallerIDPolicy
    /// Play the recording notice at the start of the call (CNIL).
    public var recordingNotice: Bool

    public init(enabled: Bool = true, callingWindows: [CallingWindow] = CallingWindow.frenchDefault,
                consentWindows: [CallingWindow] = [], skipPublicHolidays: Bool = true,
                skipRegionalHolidays: Bool = true, defaultTimeZone: String = "Europe/Paris",
                maxAttemptsInWindow: Int = 4, attemptWindowDays: Int = 30, refusalCooldownDays: Int = 60,
                consentRequired: Bool = true, callerIDPolicy: CallerIDPolicy = .warn, recordingNotice: Bool = false) {
        self.enabled = enabled
        self.callingWindows = callingWindows
        self.consentWindows = consentWindows
        self.skipPublicHolidays = skipPublicHolidays
        self.skipRegionalHolidays = skipRegionalHolidays
        self.defaultTimeZone = defaultTimeZone
        self.maxAttemptsInWindow = maxAttemptsInWindow
        self.attemptWindowDays = attemptWindowDays
        self.refusalCooldownDays = refusalCooldownDays
        self.consentRequired = consentRequired
        self.callerIDPolicy = callerIDPolicy
        self.recordingNotice = recordingNotice
    }

    enum CodingKeys: String, CodingKey {
        case enabled
        case callingWindows = "calling_windows", consentWindows = "consent_windows"
        case skipPublicHolidays = "skip_public_holidays", skipRegionalHolidays = "skip_regional_holidays"
        case defaultTimeZone = "default_time_zone", maxAttemptsInWindow = "max_attempts_in_window"
        case attemptWindowDays = "attempt_window_days", refusalCooldownDays = "refusal_cooldown_days"
        case consentRequired = "consent_required", callerIDPolicy = "caller_id_policy", recordingNotice = "recording_notice"
    }

    public init(from decoder: any Decoder) throws {
        let d = ComplianceSettings()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? d.enabled
        callingWindows = try c.decodeIfPresent([CallingWindow].self, forKey: .callingWindows) ?? d.callingWindows
        consentWindows = try c.decodeIfPresent([CallingWindow].self, forKey: .consentWindows) ?? d.consentWindows
        skipPublicHolidays = try c.decodeIfPresent(Bool.self, forKey: .skipPublicHolidays) ?? d.skipPublicHolidays
        skipRegionalHolidays = try c.decodeIfPresent(Bool.self, forKey: .skipRegionalHolidays) ?? d.skipRegionalHolidays
        defaultTimeZone = try c.decodeIfPresent(String.self, forKey: .defaultTimeZone) ?? d.defaultTimeZone
        maxAttemptsInWindow = try c.decodeIfPresent(Int.self, forKey: .maxAttemptsInWindow) ?? d.maxAttemptsInWindow
        attemptWindowDays = try c.decodeIfPresent(Int.self, forKey: .attemptWindowDays) ?? d.attemptWindowDays
        refusalCooldownDays = try c.decodeIfPresent(Int.self, forKey: .refusalCooldownDays) ?? d.refusalCooldownDays
        consentRequired = try c.decodeIfPresent(Bool.self, forKey: .consentRequired) ?? d.consentRequired
        callerIDPolicy = try c.decodeIfPresent(CallerIDPolicy.self, forKey: .callerIDPolicy) ?? d.callerIDPolicy
        recordingNotice = try c.decodeIfPresent(Bool.self, forKey: .recordingNotice) ?? d.recordingNotice
    }
}

extension ComplianceSettings {
    /// The law's floors and ceilings (Code de la consommation, D223-9).
    public enum Legal {
        public static let maxAttemptsInWindow = 4
        public static let attemptWindowDays = 30
        public static let refusalCooldownDays = 60
    }

    /// ``maxAttemptsInWindow`` within 1...4: settings may be stricter than the law, never looser.
    public var effectiveMaxAttemptsInWindow: Int { min(max(maxAttemptsInWindow, 1), Legal.maxAttemptsInWindow) }
    /// ``attemptWindowDays``, at least 30.
    public var effectiveAttemptWindowDays: Int { max(attemptWindowDays, Legal.attemptWindowDays) }
    /// ``refusalCooldownDays``, at least 60.
    public var effectiveRefusalCooldownDays: Int { max(refusalCooldownDays, Legal.refusalCooldownDays) }

    /// The zone named by ``defaultTimeZone``; Europe/Paris when the name is unknown.
    public var resolvedDefaultTimeZone: TimeZone {
        TimeZone(identifier: defaultTimeZone) ?? TimeZone(identifier: "Europe/Paris")!
    }

    /// What is wrong with these settings, one sentence each naming the key; empty when nothing is.
    /// Clamped limits are reported too, so a campaign owner learns that the law overrode them.
    public var problems: [String] {
        var problems: [String] = []
        for (key, list) in [("calling_windows", callingWindows), ("consent_windows", consentWindows)] {
            for (index, window) in list.enumerated() {
                if window.weekdays.isEmpty || !window.weekdays.allSatisfy({ (1...7).contains($0) }) {
                    problems.append("\(key)[\(index)].weekdays: use ISO weekdays 1 (Monday) to 7 (Sunday)")
                }
                if !(0...(24 * 60)).contains(window.startMinute) || !(0...(24 * 60)).contains(window.endMinute)
                    || window.startMinute >= window.endMinute {
                    problems.append("\(key)[\(index)]: start_minute must be before end_minute, both in 0...1440 (minutes after midnight)")
                }
            }
        }
        if callingWindows.isEmpty { problems.append("calling_windows is empty: no call would ever be placed") }
        if TimeZone(identifier: defaultTimeZone) == nil {
            problems.append("default_time_zone: \"\(defaultTimeZone)\" is not a time zone; write an IANA name such as Europe/Paris")
        }
        if maxAttemptsInWindow != effectiveMaxAttemptsInWindow {
            problems.append("max_attempts_in_window: \(maxAttemptsInWindow) counts as \(effectiveMaxAttemptsInWindow) (the law allows at most 4)")
        }
        if attemptWindowDays != effectiveAttemptWindowDays {
            problems.append("attempt_window_days: \(attemptWindowDays) counts as \(effectiveAttemptWindowDays) (the law's period is 30 days)")
        }
        if refusalCooldownDays != effectiveRefusalCooldownDays {
            problems.append("refusal_cooldown_days: \(refusalCooldownDays) counts as \(effectiveRefusalCooldownDays) (the law requires at least 60)")
        }
        return problems
    }

    /// The windows for a contact with or without recorded express consent.
    public func windows(hasConsent: Bool) -> [CallingWindow] {
        hasConsent && !consentWindows.isEmpty ? consentWindows : callingWindows
    }
}

/// Days of the week and a range of local time, `10:00`–`13:00`.
public struct CallingWindow: Codable, Sendable, Equatable {
    /// ISO weekdays: 1 is Monday, 7 is Sunday.
    public var weekdays: [Int]
    /// Minutes after local midnight, start included, end excluded.
    public var startMinute: Int
    public var endMinute: Int

    public init(weekdays: [Int], startMinute: Int, endMinute: Int) {
        self.weekdays = weekdays
        self.startMinute = startMinute
        self.endMinute = endMinute
    }

    /// Monday to Friday, 10:00–13:00 and 14:00–20:00 (Code de la consommation, D223-9).
    public static let frenchDefault: [CallingWindow] = [
        .init(weekdays: [1, 2, 3, 4, 5], startMinute: 10 * 60, endMinute: 13 * 60),
        .init(weekdays: [1, 2, 3, 4, 5], startMinute: 14 * 60, endMinute: 20 * 60),
    ]

    enum CodingKeys: String, CodingKey {
        case weekdays, startMinute = "start_minute", endMinute = "end_minute"
    }
}
