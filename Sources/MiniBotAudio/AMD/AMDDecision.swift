import MiniBotCore

/// What an answering-machine detector concluded, and when.
public struct AMDDecision: Sendable, Equatable {
    /// Person, machine, or not sure.
    public var result: AMDResult
    /// Time into the audio, from the first frame fed, at which the decision was final.
    public var decidedAt: Duration
    /// Why, as a short stable token and its figures: `after-greeting-silence 800 ms after 0.6 s of speech`,
    /// `beep 1000 Hz`, `keyword "messagerie"`; the baseline gives Asterisk's AMDCAUSE (`LONGGREETING-1500-1500`).
    public var reason: String

    public init(result: AMDResult, decidedAt: Duration, reason: String) {
        self.result = result
        self.decidedAt = decidedAt
        self.reason = reason
    }
}

/// A detector fed the call's inbound audio one 20 ms frame at a time, from
/// the answer on, that returns its decision once (nil before and after).
public protocol AMDStreamingDetector: Sendable {
    /// Feeds one 20 ms frame (8 kHz); non-nil exactly once, when the decision is final.
    mutating func process(_ frame: AudioFrame) -> AMDDecision?
}

extension AMDStreamingDetector {
    /// Runs the detector over recorded audio from its start. Audio that ends
    /// before a decision is continued with silence, as a line gone quiet,
    /// until the detector decides (every detector here does within its
    /// total analysis time) or `limit` is reached, which gives `unknown`.
    public mutating func decide(_ frames: some Sequence<AudioFrame>, limit: Duration = .seconds(60)) -> AMDDecision {
        var count = 0
        for frame in frames {
            count += 1
            if let decision = process(frame) { return decision }
        }
        let silence = AudioFrame.silence()
        let maximum = Int(AudioTime.seconds(limit) * 50)
        while count < maximum {
            count += 1
            if let decision = process(silence) { return decision }
        }
        return AMDDecision(result: .unknown, decidedAt: .milliseconds(20 * count), reason: "no decision within \(count * 20) ms")
    }
}
