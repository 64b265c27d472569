extension MiniBotConfig {
    /// Which backend places the calls: the `telephony:` setting.
    public enum TelephonyBackend: String, Codable, Sendable, CaseIterable {
        /// The built-in SIP user agent (the `sip:` section).
        case sip
        /// An existing Asterisk, through ARI (the `ari:` section).
        case ari
    }

    /// An existing Asterisk driven through its REST interface: the `ari:` section.
    public struct ARI: Codable, Sendable, Equatable {
        /// Asterisk's HTTP server (http.conf), `http://127.0.0.1:8088`; `/ari` may be included.
        public var url: String
        /// An `ari.conf` user with `read_only = no`.
        public var username: String
        public var password: String
        /// The Stasis application calls are placed into (any name; one per worker).
        public var app: String
        /// How a number becomes an Asterisk endpoint: `{number}` is replaced
        /// (`PJSIP/{number}@trunk`, `Local/{number}@outbound/n` to dial through the dialplan).
        public var endpoint: String
        /// How `{number}` is written: `e164` (+33612345678) or `national` (0612345678).
        public var numberFormat: String
        /// Where our RTP sockets bind, and the address Asterisk sends the call's audio to
        /// (`127.0.0.1` when Asterisk runs on this machine).
        public var mediaHost: String
        public var rtpPortMin: Int
        public var rtpPortMax: Int
        /// Seconds calls in progress wait for a lost events connection before ending.
        public var reconnectGrace: Double
        /// What to do with Asterisk's own `AMD()` verdict when the endpoint's dialplan runs it
        /// (`Local/{number}@minibot-amd/n`): see ``AsteriskAMDPolicy``.
        public var asteriskAMD: AsteriskAMDPolicy

        public init(url: String = "http://127.0.0.1:8088", username: String = "", password: String = "", app: String = "minibot",
                    endpoint: String = "PJSIP/{number}@trunk", numberFormat: String = "e164", mediaHost: String = "127.0.0.1",
                    rtpPortMin: Int = 40000, rtpPortMax: Int = 40999, reconnectGrace: Double = 3,
                    asteriskAMD: AsteriskAMDPolicy = .record) {
            self.url = url
            self.username = username
            self.password = password
            self.app = app
            self.endpoint = endpoint
            self.numberFormat = numberFormat
            self.mediaHost = mediaHost
            self.rtpPortMin = rtpPortMin
            self.rtpPortMax = rtpPortMax
            self.reconnectGrace = reconnectGrace
            self.asteriskAMD = asteriskAMD
        }

        enum CodingKeys: String, CodingKey {
            case url, username, password, app, endpoint
            case numberFormat = "number_format", mediaHost = "media_host", rtpPortMin = "rtp_port_min", rtpPortMax = "rtp_port_max"
            case reconnectGrace = "reconnect_grace", asteriskAMD = "asterisk_amd"
        }

        /// The endpoint for `number` (E.164): the template with `{number}` replaced.
        public func endpoint(for number: String) -> String {
            let written = numberFormat == "national" && number.hasPrefix("+33") ? "0" + number.dropFirst(3) : Substring(number)
            return endpoint.replacingOccurrences(of: "{number}", with: written)
        }
    }
}
