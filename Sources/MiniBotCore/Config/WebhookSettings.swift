import Foundation

extension MiniBotConfig {
    /// One endpoint that hears of calls: `POST url` with a JSON event, signed
    /// with HMAC-SHA256 of `secret` (see the README's "Webhooks").
    public struct Webhook: Codable, Sendable, Equatable {
        /// `http://` or `https://` URL the events are posted to.
        public var url: String
        /// Key of the `X-MiniBot-Signature` header's HMAC; empty: unsigned.
        public var secret: String
        /// What it hears of: `call.ended`, `lead`.
        public var events: [CallEventKind]
        /// Seconds one delivery may take.
        public var timeout: Double
        /// Attempts at one event before it is given up (and listed as failed).
        public var maxAttempts: Int

        public init(url: String = "", secret: String = "", events: [CallEventKind] = CallEventKind.allCases,
                    timeout: Double = 10, maxAttempts: Int = 12) {
            self.url = url
            self.secret = secret
            self.events = events
            self.timeout = timeout
            self.maxAttempts = maxAttempts
        }

        /// What is wrong with this endpoint, each naming its key; empty when it can be used.
        public func problems(at index: Int) -> [String] {
            let key = "webhooks[\(index)]"
            var problems: [String] = []
            let scheme = URL(string: url)?.scheme?.lowercased()
            if url.isEmpty || !(scheme == "http" || scheme == "https") || URL(string: url)?.host == nil {
                problems.append("\(key).url '\(url)' is not an http:// or https:// URL")
            }
            if events.isEmpty { problems.append("\(key).events is empty: list call.ended, lead or both") }
            if !(timeout > 0 && timeout.isFinite) { problems.append("\(key).timeout must be a positive number of seconds, not \(timeout)") }
            if maxAttempts < 1 { problems.append("\(key).max_attempts must be at least 1") }
            return problems
        }

        enum CodingKeys: String, CodingKey {
            case url, secret, events, timeout
            case maxAttempts = "max_attempts"
        }
    }
}
