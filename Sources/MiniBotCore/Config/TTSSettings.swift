extension MiniBotConfig {
    /// How `minibot prompts synthesize` turns the scenario's texts into
    /// prompts: the local Pico voice, or an OpenAI-compatible speech server.
    public struct TTS: Codable, Sendable, Equatable {
        public enum Engine: String, Codable, Sendable, CaseIterable {
            /// SVOX Pico through `py-nanotts`, run locally (installed by `scripts/setup`).
            case pico
            /// `POST {base_url}/v1/audio/speech`.
            case http
        }

        public var engine: Engine
        /// Pico's voice (`fr-FR`).
        public var voice: String
        /// Pico's speaking rate, percent of normal (20…500).
        public var speed: Int
        /// Pico's pitch, percent of normal (50…200).
        public var pitch: Int
        /// Python interpreter that has `py-nanotts`; empty: `.deps/tts/bin/python` of the checkout.
        public var python: String
        /// The speech server's root (`http://127.0.0.1:8880`), for engine `http`.
        public var baseURL: String
        /// The server's `model` field.
        public var model: String
        /// The server's `voice` field, in its own names.
        public var httpVoice: String
        /// Sent as a Bearer token when set.
        public var apiKey: String
        /// Seconds one request to the server may take.
        public var timeout: Double

        public init(engine: Engine = .pico, voice: String = "fr-FR", speed: Int = 100, pitch: Int = 100, python: String = "",
                    baseURL: String = "", model: String = "tts-1", httpVoice: String = "alloy", apiKey: String = "", timeout: Double = 30) {
            self.engine = engine
            self.voice = voice
            self.speed = speed
            self.pitch = pitch
            self.python = python
            self.baseURL = baseURL
            self.model = model
            self.httpVoice = httpVoice
            self.apiKey = apiKey
            self.timeout = timeout
        }

        /// What is wrong with these settings, each naming its key; empty when they can be used.
        public var problems: [String] {
            var problems: [String] = []
            if !(20...500).contains(speed) { problems.append("tts.speed \(speed) is outside 20…500 (percent of normal)") }
            if !(50...200).contains(pitch) { problems.append("tts.pitch \(pitch) is outside 50…200 (percent of normal)") }
            if !(timeout > 0 && timeout.isFinite) { problems.append("tts.timeout must be a positive number of seconds, not \(timeout)") }
            if engine == .http && baseURL.isEmpty { problems.append("tts.engine http needs tts.base_url (http://host:port of a /v1/audio/speech server)") }
            return problems
        }

        enum CodingKeys: String, CodingKey {
            case engine, voice, speed, pitch, python, model, timeout
            case baseURL = "base_url", httpVoice = "http_voice", apiKey = "api_key"
        }
    }
}
