import MiniBotCore

extension CampaignSettings {
    /// One attempt a contact, at any hour of any day, consent not required: a campaign test must not
    /// depend on when it runs.
    public static var anyTime: CampaignSettings {
        var settings = CampaignSettings(maxAttempts: 1)
        settings.compliance.consentRequired = false
        settings.compliance.callingWindows = [CallingWindow(weekdays: Array(1...7), startMinute: 0, endMinute: 24 * 60)]
        settings.compliance.skipPublicHolidays = false
        return settings
    }
}
