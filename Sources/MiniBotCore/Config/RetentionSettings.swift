extension MiniBotConfig {
    /// How long a call's files (answer clips, the full-call WAV, transcripts)
    /// are kept: `minibot cleanup` deletes older ones, `minibot serve` daily.
    /// The call rows stay, marked purged.
    public struct Retention: Codable, Sendable, Equatable {
        /// Days a call's files are kept; 0 keeps them for ever (`serve` does not sweep).
        public var days: Int

        public init(days: Int = 30) {
            self.days = days
        }
    }
}
