/// Every setting of MiniBotPanel, with the seed's defaults. Read from one YAML
/// file with `MINIBOT_*` environment variables over it (see the CLI's
/// `ConfigLoader`); keys are the snake_case coding keys below.
public struct MiniBotConfig: Codable, Sendable, Equatable {
    /// Where recordings, transcripts, prompts and the SQLite database live.
    public var dataDir: String
    /// `sqlite:///absolute/path.sqlite` or `postgres://user:password@host:port/database`.
    /// Empty: a SQLite file `minibot.sqlite` in ``dataDir``.
    public var databaseURL: String
    public var logLevel: String
    public var phone: Phone
    public var dialer: Dialer
    public var callerID: CallerID
    public var listen: Listen
    public var sip: SIP
    public var speech: Speech
    public var api: API
    public var amd: AMD
    public var tts: TTS
    /// Endpoints told of ended calls and leads.
    public var webhooks: [Webhook]
    public var retention: Retention
    /// Which backend places the calls: the built-in SIP agent or Asterisk ARI.
    public var telephony: TelephonyBackend
    public var ari: ARI
    public var panel: Panel

    public init(dataDir: String, databaseURL: String = "", logLevel: String = "info", phone: Phone = .init(),
                dialer: Dialer = .init(), callerID: CallerID = .init(), listen: Listen = .init(), sip: SIP = .init(),
                speech: Speech = .init(), api: API = .init(), amd: AMD = .init(), tts: TTS = .init(),
                retention: Retention = .init(), webhooks: [Webhook] = [],
                telephony: TelephonyBackend = .sip, ari: ARI = .init(), panel: Panel = .init()) {
        self.dataDir = dataDir
        self.databaseURL = databaseURL
        self.logLevel = logLevel
        self.phone = phone
        self.dialer = dialer
        self.callerID = callerID
        self.listen = listen
        self.sip = sip
        self.speech = speech
        self.api = api
        self.amd = amd
        self.tts = tts
        self.webhooks = webhooks
        self.retention = retention
        self.telephony = telephony
        self.ari = ari
        self.panel = panel
    }

    /// The database to use: ``databaseURL``, or the embedded SQLite file.
    public var effectiveDatabaseURL: String {
        databaseURL.isEmpty ? "sqlite://" + (dataDir.hasSuffix("/") ? dataDir : dataDir + "/") + "minibot.sqlite" : databaseURL
    }

    enum CodingKeys: String, CodingKey {
        case phone, dialer, listen, sip, speech, api, amd, tts, webhooks, retention, telephony, ari, panel
        case dataDir = "data_dir", databaseURL = "database_url", logLevel = "log_level", callerID = "caller_id"
    }

    public struct Phone: Codable, Sendable, Equatable {
        /// ISO code of the country whose national formats are understood (`FR`).
        public var defaultRegion: String
        /// Refuse French premium-rate numbers (08 9x).
        public var rejectPremiumRate: Bool

        public init(defaultRegion: String = "FR", rejectPremiumRate: Bool = true) {
            self.defaultRegion = defaultRegion
            self.rejectPremiumRate = rejectPremiumRate
        }

        enum CodingKeys: String, CodingKey {
            case defaultRegion = "default_region", rejectPremiumRate = "reject_premium_rate"
        }
    }

    public struct Dialer: Codable, Sendable, Equatable {
        public var maxConcurrentCalls: Int
        /// Seconds between two call starts.
        public var delayBetweenCalls: Double
        /// Seconds between two looks at the queue when it is empty.
        public var queueCheckInterval: Double
        /// Longest a call may last, in seconds, before it is hung up.
        public var callTimeout: Double
        /// Seconds before a contact that did not answer is tried again.
        public var retryDelay: Double
        public var maxAttempts: Int
        /// Seconds a call may ring before it is cancelled.
        public var ringTimeout: Double
        /// Seconds a worker holds a queue row without renewing its lease; a
        /// crashed worker's rows go back to the others after this.
        public var leaseSeconds: Double

        public init(maxConcurrentCalls: Int = 8, delayBetweenCalls: Double = 2, queueCheckInterval: Double = 5,
                    callTimeout: Double = 120, retryDelay: Double = 300, maxAttempts: Int = 3, ringTimeout: Double = 30,
                    leaseSeconds: Double = 60) {
            self.leaseSeconds = leaseSeconds
            self.maxConcurrentCalls = maxConcurrentCalls
            self.delayBetweenCalls = delayBetweenCalls
            self.queueCheckInterval = queueCheckInterval
            self.callTimeout = callTimeout
            self.retryDelay = retryDelay
            self.maxAttempts = maxAttempts
            self.ringTimeout = ringTimeout
        }

        enum CodingKeys: String, CodingKey {
            case maxConcurrentCalls = "max_concurrent_calls", delayBetweenCalls = "delay_between_calls"
            case queueCheckInterval = "queue_check_interval", callTimeout = "call_timeout"
            case retryDelay = "retry_delay", maxAttempts = "max_attempts", ringTimeout = "ring_timeout", leaseSeconds = "lease_seconds"
        }
    }

    public struct CallerID: Codable, Sendable, Equatable {
        public enum Mode: String, Codable, Sendable, CaseIterable {
            /// Always ``number``.
            case `static`
            /// A random number of ``pool`` for each call (the seed's "dynamic" mode).
            case dynamic
        }
        public var mode: Mode
        public var number: String
        public var pool: [String]

        public init(mode: Mode = .static, number: String = "", pool: [String] = []) {
            self.mode = mode
            self.number = number
            self.pool = pool
        }

        /// The number to present on the next call: ``number``, or in dynamic
        /// mode a random one of ``pool`` (``number`` when the pool is empty).
        /// Nil when none is configured.
        public func next(using generator: inout some RandomNumberGenerator) -> String? {
            let chosen = mode == .dynamic ? (pool.randomElement(using: &generator) ?? number) : number
            return chosen.isEmpty ? nil : chosen
        }
    }

    /// How long the robot listens after each prompt, per scenario step.
    public struct Listen: Codable, Sendable, Equatable {
        public var defaults: Timeouts
        /// Per step name (`hello`, `q1`, …), overriding ``defaults``.
        public var steps: [String: Timeouts]

        public init(defaults: Timeouts = .init(maxSilenceSeconds: 4, waitBeforeStop: 1.2), steps: [String: Timeouts] = Listen.seedSteps) {
            self.defaults = defaults
            self.steps = steps
        }

        public func timeouts(for step: String) -> Timeouts { steps[step] ?? defaults }

        public static let seedSteps: [String: Timeouts] = [
            "hello": .init(maxSilenceSeconds: 5, waitBeforeStop: 1.5),
            "retry": .init(maxSilenceSeconds: 5, waitBeforeStop: 1.5),
            "q1": .init(maxSilenceSeconds: 6, waitBeforeStop: 1.2),
            "q2": .init(maxSilenceSeconds: 6, waitBeforeStop: 1.2),
            "q3": .init(maxSilenceSeconds: 6, waitBeforeStop: 1.2),
            "is_leads": .init(maxSilenceSeconds: 6, waitBeforeStop: 1.5),
            "confirm": .init(maxSilenceSeconds: 8, waitBeforeStop: 2),
        ]

        public struct Timeouts: Codable, Sendable, Equatable {
            /// Seconds of silence before the callee is taken as not answering.
            public var maxSilenceSeconds: Double
            /// Seconds of silence after speech that end the answer.
            public var waitBeforeStop: Double

            public init(maxSilenceSeconds: Double, waitBeforeStop: Double) {
                self.maxSilenceSeconds = maxSilenceSeconds
                self.waitBeforeStop = waitBeforeStop
            }

            enum CodingKeys: String, CodingKey {
                case maxSilenceSeconds = "max_silence_seconds", waitBeforeStop = "wait_before_stop"
            }
        }
    }

    /// The built-in SIP user agent and the trunk it calls through.
    public struct SIP: Codable, Sendable, Equatable {
        /// Address to listen on for SIP; `0.0.0.0` for every interface.
        public var bindHost: String
        public var bindPort: Int
        /// Address put in Via, Contact and SDP; empty: the bind address, or
        /// the machine's first non-loopback IPv4 address when binding to all.
        public var advertisedHost: String
        public var rtpPortMin: Int
        public var rtpPortMax: Int
        /// `host[:port]` of the trunk or PBX that phone numbers are sent to
        /// (`sip:+33612345678@trunk`). A full `sip:` URI is dialled as is.
        public var trunk: String
        /// A proxy every request goes through (`sip:proxy.example.com:5060`), optional.
        public var outboundProxy: String
        public var username: String
        public var password: String
        /// How numbers are written in the Request-URI: `e164` (+33612345678) or `national` (0612345678).
        public var numberFormat: String
        /// Register with the trunk (as `username@trunk`) before calling, and keep the binding fresh.
        public var register: Bool
        /// Seconds of registration asked for.
        public var registerExpires: Int
        /// Numbers (E.164) dialled at a SIP URI of their own instead of through
        /// the trunk: internal extensions, test phones (`"+33612345678": "sip:alice@127.0.0.1:5072"`).
        public var routes: [String: String]

        public init(bindHost: String = "0.0.0.0", bindPort: Int = 5070, advertisedHost: String = "", rtpPortMin: Int = 30000,
                    rtpPortMax: Int = 39999, trunk: String = "", outboundProxy: String = "", username: String = "",
                    password: String = "", numberFormat: String = "e164", register: Bool = false, registerExpires: Int = 3600,
                    routes: [String: String] = [:]) {
            self.routes = routes
            self.bindHost = bindHost
            self.bindPort = bindPort
            self.advertisedHost = advertisedHost
            self.rtpPortMin = rtpPortMin
            self.rtpPortMax = rtpPortMax
            self.trunk = trunk
            self.outboundProxy = outboundProxy
            self.username = username
            self.password = password
            self.numberFormat = numberFormat
            self.register = register
            self.registerExpires = registerExpires
        }

        enum CodingKeys: String, CodingKey {
            case trunk, username, password, register, routes
            case registerExpires = "register_expires"
            case bindHost = "bind_host", bindPort = "bind_port", advertisedHost = "advertised_host"
            case rtpPortMin = "rtp_port_min", rtpPortMax = "rtp_port_max", outboundProxy = "outbound_proxy"
            case numberFormat = "number_format"
        }
    }

    public struct API: Codable, Sendable, Equatable {
        public var host: String
        public var port: Int

        public init(host: String = "127.0.0.1", port: Int = 8000) {
            self.host = host
            self.port = port
        }
    }
}
