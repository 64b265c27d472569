extension MiniBotConfig {
    /// Which recogniser transcribes the answers.
    public struct Speech: Codable, Sendable, Equatable {
        public enum Engine: String, Codable, Sendable, CaseIterable {
            /// whisper.cpp in this process.
            case local
            /// An OpenAI-compatible `/v1/audio/transcriptions` server.
            case http
        }

        public var engine: Engine
        /// Local engine: a ggml file, or an installed model's name (`base`, `small`…).
        public var model: String
        /// Local engine: CPU threads per transcription.
        public var threads: Int
        /// Local engine: transcriptions at once (each holds one decoder state, the model is shared).
        public var concurrency: Int
        /// HTTP engine: the server's root (`http://127.0.0.1:8000`).
        public var baseURL: String
        /// HTTP engine: the `model` form field.
        public var httpModel: String
        /// HTTP engine: sent as `Authorization: Bearer …` when set.
        public var apiKey: String
        /// Seconds before a transcription is given up (the answer then counts as `unknown`).
        public var timeout: Double
        /// Seconds of silence after speech at which the answer starts being
        /// transcribed, before the step's `wait_before_stop` ends the turn: kept
        /// if the callee says nothing more, cancelled if they go on. 0: wait
        /// for the end of the turn.
        public var speculativePause: Double

        public init(engine: Engine = .local, model: String = "base", threads: Int = 2, concurrency: Int = 2, baseURL: String = "",
                    httpModel: String = "whisper-1", apiKey: String = "", timeout: Double = 15, speculativePause: Double = 0.5) {
            self.engine = engine
            self.model = model
            self.threads = threads
            self.concurrency = concurrency
            self.baseURL = baseURL
            self.httpModel = httpModel
            self.apiKey = apiKey
            self.timeout = timeout
            self.speculativePause = speculativePause
        }

        /// What is wrong with these settings, one sentence each, named as in the file.
        public var problems: [String] {
            var problems: [String] = []
            if !(timeout > 0) { problems.append("speech.timeout must be a positive number of seconds, not \(timeout)") }
            if !(speculativePause >= 0) || speculativePause > 30 {
                problems.append("speech.speculative_pause must be between 0 (off) and 30 seconds, not \(speculativePause)")
            }
            if threads < 1 { problems.append("speech.threads must be at least 1, not \(threads)") }
            if concurrency < 1 { problems.append("speech.concurrency must be at least 1, not \(concurrency)") }
            return problems
        }

        /// `speculativePause` as the call session takes it (nil: off).
        public var speculativePauseDuration: Duration? {
            speculativePause > 0 ? .seconds(speculativePause) : nil
        }

        enum CodingKeys: String, CodingKey {
            case engine, model, threads, concurrency, timeout
            case baseURL = "base_url", httpModel = "http_model", apiKey = "api_key", speculativePause = "speculative_pause"
        }
    }
}
