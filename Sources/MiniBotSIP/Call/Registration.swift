/// Keeps our address registered with a trunk's registrar (RFC 3261 §10):
/// REGISTER, answering digest challenges, then refreshing before the
/// binding expires. A value-type state machine like ``OutboundCall``.
public struct Registration: Sendable {
    public enum Phase: Sendable, Equatable { case registering, registered(expires: Int), failed(String) }

    public enum Timer: Sendable, Hashable {
        case transaction(branch: String, TransactionTimer)
        case refresh
    }

    public enum Action: Sendable, Equatable {
        case send(SIPMessage)
        case startTimer(Timer, Duration)
        case cancelTimer(Timer)
        /// The registrar accepted us for this many seconds.
        case registered(expires: Int)
        /// Registration failed; it is tried again after `retry`.
        case failed(reason: String, retry: Duration)
    }

    public struct Settings: Sendable {
        /// Our address of record: `sip:user@domain`.
        public var addressOfRecord: SIPURI
        /// The registrar's URI, the REGISTER Request-URI: `sip:domain`.
        public var registrar: SIPURI
        public var contact: SIPURI
        public var viaHost: String
        public var viaPort: Int
        public var viaTransport: String
        public var username: String?
        public var password: String?
        /// Seconds asked for; the registrar may grant fewer.
        public var expires: Int
        public var userAgent: String

        public init(addressOfRecord: SIPURI, registrar: SIPURI, contact: SIPURI, viaHost: String, viaPort: Int,
                    viaTransport: String = "UDP", username: String?, password: String?, expires: Int = 3600,
                    userAgent: String = "MiniBotPanel") {
            self.addressOfRecord = addressOfRecord
            self.registrar = registrar
            self.contact = contact
            self.viaHost = viaHost
            self.viaPort = viaPort
            self.viaTransport = viaTransport
            self.username = username
            self.password = password
            self.expires = expires
            self.userAgent = userAgent
        }
    }

    public private(set) var phase: Phase = .registering
    public let settings: Settings
    private let timers: SIPTimers
    /// The Call-ID of every REGISTER of this binding.
    public let callID = randomToken(20)
    private let localTag = randomToken(10)
    private var cseq: UInt32 = 0
    private var transaction: NonInviteClientTransaction?
    private var authenticator: DigestAuthenticator?
    private var challengesAnswered = 0

    public init(settings: Settings, timers: SIPTimers = SIPTimers()) {
        self.settings = settings
        self.timers = timers
        if let username = settings.username, let password = settings.password {
            authenticator = DigestAuthenticator(username: username, password: password)
        }
    }

    public var currentBranch: String? { transaction?.branch }

    /// Sends a REGISTER (the first one, or a refresh).
    public mutating func start() -> [Action] {
        challengesAnswered = 0
        return send(authorization: nil)
    }

    private mutating func send(authorization: (String, String)?) -> [Action] {
        cseq += 1
        var headers = SIPHeaders()
        headers.add("Via", "SIP/2.0/\(settings.viaTransport) \(settings.viaHost):\(settings.viaPort);branch=z9hG4bK\(randomToken(16));rport")
        headers.add("Max-Forwards", "70")
        headers.add("From", "<\(settings.addressOfRecord)>;tag=\(localTag)")
        headers.add("To", "<\(settings.addressOfRecord)>")
        headers.add("Call-ID", callID)
        headers.add("CSeq", "\(cseq) REGISTER")
        headers.add("Contact", "<\(settings.contact)>;expires=\(settings.expires)")
        headers.add("Expires", String(settings.expires))
        if let (name, value) = authorization { headers.add(name, value) }
        headers.add("User-Agent", settings.userAgent)
        var transaction = NonInviteClientTransaction(
            request: .request("REGISTER", uri: settings.registrar.description, headers: headers), reliable: settings.viaTransport != "UDP", timers: timers)
        let actions = transaction.start()
        self.transaction = transaction
        return map(actions)
    }

    public mutating func received(response: SIPMessage) -> [Action] {
        guard var transaction, response.via?.branch == transaction.branch else { return [] }
        let actions = transaction.received(response)
        self.transaction = transaction
        return map(actions)
    }

    public mutating func timerFired(_ timer: Timer) -> [Action] {
        switch timer {
        case .refresh:
            return start()
        case .transaction(let branch, let kind):
            guard var transaction, transaction.branch == branch else { return [] }
            let actions = transaction.timerFired(kind)
            self.transaction = transaction
            return map(actions)
        }
    }

    private mutating func map(_ actions: [TransactionAction]) -> [Action] {
        let branch = transaction?.branch ?? ""
        var out: [Action] = []
        for action in actions {
            switch action {
            case .send(let message): out.append(.send(message))
            case .startTimer(let timer, let duration): out.append(.startTimer(.transaction(branch: branch, timer), duration))
            case .cancelTimer(let timer): out.append(.cancelTimer(.transaction(branch: branch, timer)))
            case .deliver(let response): out += handle(response)
            case .timedOut: out += fail("no answer from the registrar \(settings.registrar.host)")
            case .transportFailed: out += fail("cannot reach the registrar \(settings.registrar.host)")
            case .terminated: break
            }
        }
        return out
    }

    private mutating func handle(_ response: SIPMessage) -> [Action] {
        guard let code = response.statusCode, code >= 200 else { return [] }
        switch code {
        case 200...299:
            let granted = Self.grantedExpires(response, contact: settings.contact) ?? settings.expires
            phase = .registered(expires: granted)
            // Refresh well before the binding lapses (RFC 3261 §10.2.4).
            let refresh = Duration.seconds(max(1, granted > 60 ? granted - 30 : granted / 2))
            return [.registered(expires: granted), .startTimer(.refresh, refresh)]
        case 401, 407:
            let header = code == 407 ? "Proxy-Authenticate" : "WWW-Authenticate"
            guard var authenticator else {
                return fail(SIPAuthError.noCredentials(realm: "").description)
            }
            guard let challenge = response.headers.all(header).lazy.compactMap({ try? DigestChallenge(parsing: $0) }).first else {
                return fail("the registrar's \(code) has no digest challenge")
            }
            challengesAnswered += 1
            guard challengesAnswered == 1 || (challenge.stale && challengesAnswered <= 3) else {
                return fail(SIPAuthError.rejected(realm: challenge.realm).description)
            }
            let value = authenticator.authorization(for: challenge, method: "REGISTER", uri: settings.registrar.description)
            self.authenticator = authenticator
            return send(authorization: (code == 407 ? "Proxy-Authorization" : "Authorization", value))
        case 423:
            // Interval Too Brief: ask for what the registrar wants.
            let minimum = response.headers["Min-Expires"].flatMap { Int($0.trimmedSpaces) } ?? settings.expires * 2
            return fail("the registrar wants at least \(minimum) s; set sip.register_expires to \(minimum) or more")
        default:
            if case .response(_, let reason) = response.startLine { return fail("the registrar answered \(code) \(reason)") }
            return fail("the registrar answered \(code)")
        }
    }

    private mutating func fail(_ reason: String) -> [Action] {
        phase = .failed(reason)
        let retry = Duration.seconds(60)
        return [.failed(reason: reason, retry: retry), .startTimer(.refresh, retry)]
    }

    /// The expiry the registrar granted our Contact: its `expires` parameter, else the Expires header.
    static func grantedExpires(_ response: SIPMessage, contact: SIPURI) -> Int? {
        for value in response.headers.values("Contact") {
            guard let address = try? NameAddress(parsing: value), address.uri.host == contact.host,
                  address.uri.port == contact.port, let expires = address.parameter("expires").flatMap({ Int($0) }) else { continue }
            return expires
        }
        return response.headers["Expires"].flatMap { Int($0.trimmedSpaces) }
    }
}
