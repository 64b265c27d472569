import Foundation

/// The French compliance rules of one campaign, composed: asked before every
/// dial, it says whether the contact may be called now and, if not, until when
/// and why. Pure: the caller passes the instant.
public struct CompliancePolicy: Sendable {
    public let settings: ComplianceSettings
    /// The rules in the order they are asked: the ones that refuse for ever first,
    /// then the ones that defer, so a reason is the most lasting one.
    public let rules: [any ComplianceRule]

    public init(settings: ComplianceSettings) {
        self.settings = settings
        let zone = settings.resolvedDefaultTimeZone
        var rules: [any ComplianceRule] = [
            OptOutRule(),
            ConsentRule(consentRequired: settings.consentRequired),
            RefusalCooldownRule(days: settings.refusalCooldownDays, defaultTimeZone: zone),
            AttemptLimitRule(maxAttempts: settings.maxAttemptsInWindow, windowDays: settings.attemptWindowDays, defaultTimeZone: zone),
        ]
        if settings.skipPublicHolidays {
            rules.append(PublicHolidayRule(includeRegional: settings.skipRegionalHolidays, defaultTimeZone: zone))
        }
        rules.append(CallingWindowRule(windows: settings.callingWindows, consentWindows: settings.consentWindows, defaultTimeZone: zone))
        self.rules = rules
    }

    /// How many times the rules are re-asked at a later instant before giving up (each
    /// round moves past at least one refusal: a holiday, a closed window, a limit).
    static let maxRounds = 64

    /// `.allowed` when every rule allows calling `candidate` at `now`; otherwise the first
    /// refusing rule's reason, with `.never` for a rule that never allows and else `.notBefore`
    /// the earliest instant at which *all* rules allow (a holiday, then the window that follows).
    /// The reason's sentence names its own rule's date; requeue at the decision's date.
    public func evaluate(_ candidate: ComplianceCandidate, at now: Date) -> ComplianceDecision {
        guard settings.enabled else { return .allowed }
        var instant = now
        var firstReason: ComplianceReason?
        for _ in 0..<Self.maxRounds {
            var latest: Date?
            for rule in rules {
                switch rule.evaluate(candidate, at: instant) {
                case .allowed:
                    continue
                case .never(let reason):
                    return .never(reason)  // a rule that never allows says why, even after one that defers
                case .notBefore(let date, let reason):
                    if firstReason == nil { firstReason = reason }
                    latest = max(latest ?? date, date)
                }
            }
            guard let latest else {
                return firstReason.map { .notBefore(instant, $0) } ?? .allowed
            }
            instant = max(latest, instant.addingTimeInterval(1))
        }
        return .notBefore(instant, firstReason!)
    }

    /// The earliest instant at or after `after` inside the calling windows (the consent
    /// windows when `hasConsent` and the campaign sets them) that is not a public holiday
    /// where `phone` rings. `after` itself when the rules are off; nil when no window is configured.
    /// Attempts, cooldown and opt-out are ``evaluate(_:at:)``'s concern.
    public func nextCallingTime(phone: String, after: Date, hasConsent: Bool) -> Date? {
        guard settings.enabled else { return after }
        return schedule(phone: phone, hasConsent: hasConsent).nextOpening(atOrAfter: after, skippingHolidays: settings.skipPublicHolidays)
    }

    /// The windows and holidays that apply to `phone`, in its zone.
    public func schedule(phone: String, hasConsent: Bool) -> CallingSchedule {
        let location = CalleeLocation.of(phone: phone, defaultTimeZone: settings.resolvedDefaultTimeZone)
        return CallingSchedule(windows: settings.windows(hasConsent: hasConsent), timeZone: location.timeZone,
                               holidayRegion: settings.skipPublicHolidays ? location.holidayRegion : nil,
                               includeRegionalHolidays: settings.skipRegionalHolidays)
    }

    /// The callee's time zone, to read a callback answer in (``CallbackTime/parse(_:now:timeZone:)``).
    public func timeZone(phone: String) -> TimeZone {
        CalleeLocation.of(phone: phone, defaultTimeZone: settings.resolvedDefaultTimeZone).timeZone
    }

    /// Whether `number` may be presented as the caller ID of a French canvassing campaign
    /// (ARCEP's ranges for automated calling systems), under the campaign's caller-ID policy.
    public func checkCallerID(_ number: String) -> CallerIDCheck {
        guard settings.enabled else { return .ok }
        return CallerIDCheck.check(number, policy: settings.callerIDPolicy)
    }
}
