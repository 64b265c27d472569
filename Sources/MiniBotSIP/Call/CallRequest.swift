/// Everything needed to place one outbound call.
public struct CallRequest: Sendable {
    /// The Request-URI and To: `sip:+33612345678@trunk.example` or `sip:alice@127.0.0.1:5072`.
    public var target: SIPURI
    /// Our identity in From (the caller ID), without tag.
    public var from: NameAddress
    /// P-Asserted-Identity, when the trunk wants one.
    public var assertedIdentity: NameAddress?
    /// Where the far end reaches us for in-dialog requests.
    public var contact: SIPURI
    /// Our transport address, for Via.
    public var viaTransport: String
    public var viaHost: String
    public var viaPort: Int
    /// An outbound proxy, sent as a loose Route.
    public var outboundProxy: SIPURI?
    public var callID: String
    public var offer: SessionDescription
    public var username: String?
    public var password: String?
    /// How long the phone may ring before we CANCEL.
    public var ringTimeout: Duration
    public var userAgent: String

    public init(target: SIPURI, from: NameAddress, assertedIdentity: NameAddress? = nil, contact: SIPURI,
                viaTransport: String = "UDP", viaHost: String, viaPort: Int, outboundProxy: SIPURI? = nil,
                callID: String, offer: SessionDescription, username: String? = nil, password: String? = nil,
                ringTimeout: Duration = .seconds(30), userAgent: String = "MiniBotPanel") {
        self.target = target
        self.from = from
        self.assertedIdentity = assertedIdentity
        self.contact = contact
        self.viaTransport = viaTransport
        self.viaHost = viaHost
        self.viaPort = viaPort
        self.outboundProxy = outboundProxy
        self.callID = callID
        self.offer = offer
        self.username = username
        self.password = password
        self.ringTimeout = ringTimeout
        self.userAgent = userAgent
    }
}
