extension MiniBotConfig {
    /// The web panel's logins: how long a session lasts, how failed logins
    /// are throttled, and which reverse proxies name the client.
    public struct Panel: Codable, Sendable, Equatable {
        /// Seconds a login lasts at most, however active its user.
        public var sessionLifetime: Double
        /// Seconds without a request after which a login ends.
        public var sessionIdleTimeout: Double
        /// Failed logins from one client address, within ``loginWindow``,
        /// after which that address is refused until the window has passed.
        public var loginMaxFailures: Int
        public var loginWindow: Double
        /// Addresses of the reverse proxies in front of `minibot serve`: only
        /// a request from one of them has its `X-Forwarded-For` believed.
        public var trustedProxies: [String]

        public init(sessionLifetime: Double = 12 * 3600, sessionIdleTimeout: Double = 2 * 3600, loginMaxFailures: Int = 5,
                    loginWindow: Double = 600, trustedProxies: [String] = []) {
            self.sessionLifetime = sessionLifetime
            self.sessionIdleTimeout = sessionIdleTimeout
            self.loginMaxFailures = loginMaxFailures
            self.loginWindow = loginWindow
            self.trustedProxies = trustedProxies
        }

        enum CodingKeys: String, CodingKey {
            case sessionLifetime = "session_lifetime", sessionIdleTimeout = "session_idle_timeout"
            case loginMaxFailures = "login_max_failures", loginWindow = "login_window", trustedProxies = "trusted_proxies"
        }
    }
}
