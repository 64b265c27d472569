import Foundation

/// How a campaign dials: retries, what to do with machines, and the rules it
/// obeys. Stored with the campaign; every field has a default, so settings
/// written by an older version still decode.
public struct CampaignSettings: Codable, Sendable, Equatable {
    public enum MachineAction: String, Codable, Sendable, CaseIterable {
        /// Hang up at once; the contact becomes `No_answer` (the seed's behaviour).
        case hangup
        /// Wait for the beep, play the voicemail prompt, hang up.
        case voicemail
    }

    /// Language of the answers, for the recogniser (`fr`).
    public var language: String
    /// Attempts per contact in this campaign (no answer and busy are retried).
    public var maxAttempts: Int
    /// Seconds before a contact who did not answer, or was busy, is tried again.
    public var retryDelaySeconds: Double
    /// Seconds before a callee who asked to be called back is, when the answer names no time.
    public var callbackDelaySeconds: Double
    public var machineAction: MachineAction
    public var compliance: ComplianceSettings
    /// Calls at once for this campaign, over the configuration's `dialer.max_concurrent_calls`; nil: the configuration's.
    public var maxConcurrentCalls: Int?
    /// Seconds between two call starts, over `dialer.delay_between_calls`; nil: the configuration's.
    public var delayBetweenCalls: Double?

    public init(language: String = "fr", maxAttempts: Int = 3, retryDelaySeconds: Double = 300,
                callbackDelaySeconds: Double = 7_200, machineAction: MachineAction = .hangup,
                compliance: ComplianceSettings = .init()) {
        self.language = language
        self.maxAttempts = maxAttempts
        self.retryDelaySeconds = retryDelaySeconds
        self.callbackDelaySeconds = callbackDelaySeconds
        self.machineAction = machineAction
        self.compliance = compliance
    }

    enum CodingKeys: String, CodingKey {
        case language, compliance
        case maxAttempts = "max_attempts", retryDelaySeconds = "retry_delay_seconds"
        case callbackDelaySeconds = "callback_delay_seconds", machineAction = "machine_action"
        case maxConcurrentCalls = "max_concurrent_calls", delayBetweenCalls = "delay_between_calls"
    }

    public init(from decoder: any Decoder) throws {
        let defaults = CampaignSettings()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        language = try container.decodeIfPresent(String.self, forKey: .language) ?? defaults.language
        maxAttempts = try container.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? defaults.maxAttempts
        retryDelaySeconds = try container.decodeIfPresent(Double.self, forKey: .retryDelaySeconds) ?? defaults.retryDelaySeconds
        callbackDelaySeconds = try container.decodeIfPresent(Double.self, forKey: .callbackDelaySeconds) ?? defaults.callbackDelaySeconds
        machineAction = try container.decodeIfPresent(MachineAction.self, forKey: .machineAction) ?? defaults.machineAction
        compliance = try container.decodeIfPresent(ComplianceSettings.self, forKey: .compliance) ?? defaults.compliance
        maxConcurrentCalls = try container.decodeIfPresent(Int.self, forKey: .maxConcurrentCalls)
        delayBetweenCalls = try container.decodeIfPresent(Double.self, forKey: .delayBetweenCalls)
    }
}
