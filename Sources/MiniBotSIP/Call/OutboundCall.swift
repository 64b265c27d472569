import MiniBotCore

/// One outbound call as a value-type state machine (RFC 3261 UAC: INVITE,
/// authentication, CANCEL on ring timeout, the dialog, BYE both ways,
/// re-INVITE). The I/O shell feeds it what arrives and the timers that fire,
/// and performs the actions it returns.
public struct OutboundCall: Sendable {
    public enum Phase: Sendable, Equatable {
        case inviting, ringing, answered, ending, ended
    }

    /// Timers the shell runs for the call.
    public enum Timer: Sendable, Hashable {
        case transaction(branch: String, TransactionTimer)
        case ring
    }

    public enum Action: Sendable, Equatable {
        case send(SIPMessage)
        case startTimer(Timer, Duration)
        case cancelTimer(Timer)
        /// A provisional response (180, 183), with early media when it had SDP.
        case progress(code: Int, earlyMedia: NegotiatedMedia?)
        /// The callee answered; audio goes to `media`.
        case answered(NegotiatedMedia)
        /// A re-INVITE moved the far end's audio.
        case mediaChanged(NegotiatedMedia)
        /// The call is over. `failure` is nil for an answered call that ended.
        case ended(failure: CallFailure?, remoteHangup: Bool, code: Int?)
    }

    public private(set) var phase: Phase = .inviting
    public let request: CallRequest
    private let timers: SIPTimers
    private let reliable: Bool

    private var localTag = randomToken(10)
    private var cseq: UInt32 = 1
    private var invite: InviteClientTransaction
    private var nonInvite: [String: NonInviteClientTransaction] = [:]
    private var authenticator: DigestAuthenticator?
    private var authAttempts = 0
    private var dialog: Dialog?
    private var provisionalSeen = false
    private var cancelReason: CallFailure?
    private var cancelSent = false
    private var remoteCSeq: UInt32?
    private var localSDPVersion: UInt64
    /// The `.ended` action was returned already.
    private var reportedEnd = false
    /// Why the transport failed, when it said.
    private var transportFailure: String?

    public init(request: CallRequest, timers: SIPTimers = SIPTimers()) {
        self.request = request
        self.timers = timers
        self.reliable = request.viaTransport.uppercased() != "UDP"
        self.localSDPVersion = request.offer.version
        if let username = request.username, let password = request.password {
            authenticator = DigestAuthenticator(username: username, password: password)
        }
        invite = InviteClientTransaction(request: SIPMessage.request("INVITE", uri: ""), reliable: true)
        invite = InviteClientTransaction(request: makeInvite(authorization: nil), reliable: reliable, timers: timers)
    }

    /// Sends the INVITE and starts the ring timer.
    public mutating func start() -> [Action] {
        map(invite.start(), branch: invite.branch) + [.startTimer(.ring, request.ringTimeout)]
    }

    // MARK: Building requests

    private var fromHeader: String {
        var from = request.from
        from.tag = localTag
        return from.description
    }

    private func via(branch: String) -> String {
        "SIP/2.0/\(request.viaTransport) \(request.viaHost):\(request.viaPort);branch=\(branch);rport"
    }

    private static func newBranch() -> String { "z9hG4bK" + randomToken(16) }

    private func makeInvite(authorization: (header: String, value: String)?) -> SIPMessage {
        var headers = SIPHeaders()
        headers.add("Via", via(branch: Self.newBranch()))
        if let proxy = request.outboundProxy { headers.add("Route", "<\(Self.looseRoute(proxy))>") }
        headers.add("Max-Forwards", "70")
        headers.add("From", fromHeader)
        headers.add("To", "<\(request.target)>")
        headers.add("Call-ID", request.callID)
        headers.add("CSeq", "\(cseq) INVITE")
        headers.add("Contact", "<\(request.contact)>")
        if let identity = request.assertedIdentity { headers.add("P-Asserted-Identity", identity.description) }
        if let authorization { headers.add(authorization.header, authorization.value) }
        headers.add("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO")
        headers.add("Supported", "replaces")
        headers.add("User-Agent", request.userAgent)
        headers.add("Content-Type", "application/sdp")
        return .request("INVITE", uri: request.target.description, headers: headers, body: request.offer.bytes)
    }

    static func looseRoute(_ uri: SIPURI) -> SIPURI {
        var route = uri
        if route.parameter("lr") == nil { route.parameters.append(("lr", "")) }
        return route
    }

    /// CANCEL for the pending INVITE: same branch and CSeq number (RFC 3261 §9.1).
    private func makeCancel() -> SIPMessage {
        var headers = SIPHeaders()
        let original = invite.request
        if let via = original.headers.values("Via").first { headers.add("Via", via) }
        for route in original.headers.values("Route") { headers.add("Route", route) }
        headers.add("Max-Forwards", "70")
        headers.add("From", original.headers["From"] ?? "")
        headers.add("To", original.headers["To"] ?? "")
        headers.add("Call-ID", request.callID)
        headers.add("CSeq", "\(original.cseq?.number ?? cseq) CANCEL")
        headers.add("User-Agent", request.userAgent)
        guard case .request(_, let uri) = original.startLine else { return original }
        return .request("CANCEL", uri: uri, headers: headers)
    }

    // MARK: Events

    /// A response whose top Via branch is one of ours.
    public mutating func received(response: SIPMessage) -> [Action] {
        guard let branch = response.via?.branch else { return [] }
        // A CANCEL shares its INVITE's branch: the CSeq method tells them apart.
        if branch == invite.branch, response.cseq?.method == "INVITE" {
            return map(invite.received(response), branch: branch)
        }
        let key = Self.key(branch: branch, method: response.cseq?.method ?? "")
        guard var transaction = nonInvite[key] else { return [] }
        let actions = transaction.received(response)
        nonInvite[key] = transaction
        return map(actions, branch: key)
    }

    /// Transactions are keyed by branch; a CANCEL, which reuses its INVITE's
    /// branch, gets a key of its own.
    static func key(branch: String, method: String) -> String {
        method == "CANCEL" ? branch + "/CANCEL" : branch
    }

    public mutating func timerFired(_ timer: Timer) -> [Action] {
        switch timer {
        case .ring:
            guard phase == .inviting || phase == .ringing else { return [] }
            return cancel(because: .noAnswer(code: nil))
        case .transaction(let branch, let kind):
            if branch == invite.branch { return map(invite.timerFired(kind), branch: branch) }
            guard var transaction = nonInvite[branch] else { return [] }
            let actions = transaction.timerFired(kind)
            nonInvite[branch] = transaction
            return map(actions, branch: branch)
        }
    }

    /// Whether anything came back for the INVITE yet (a 100 Trying counts):
    /// until then an ICMP unreachable for its destination ends the call.
    public var heardFromFarEnd: Bool { provisionalSeen || phase != .inviting }

    /// The transport could not reach the far end (ICMP unreachable, TCP
    /// refused); `reason` says how, for the ``CallFailure/network(code:reason:)``.
    public mutating func transportFailed(branch: String?, reason: String? = nil) -> [Action] {
        transportFailure = reason
        if branch == nil || branch == invite.branch {
            return map(invite.transportError(), branch: invite.branch)
        }
        guard let branch, var transaction = nonInvite[branch] else { return [] }
        let actions = transaction.transportError()
        nonInvite[branch] = transaction
        return map(actions, branch: branch)
    }

    /// We hang up: BYE once answered, CANCEL while ringing.
    public mutating func hangup() -> [Action] {
        switch phase {
        case .inviting, .ringing: return cancel(because: .cancelled)
        case .answered: return sendBye(authorization: nil)
        case .ending, .ended: return []
        }
    }

    /// A request from the far end inside our dialog.
    public mutating func received(request message: SIPMessage) -> [Action] {
        guard let method = message.method else { return [] }
        if method == "ACK" { return [] }
        guard dialog != nil, message.callID == request.callID,
              NameAddressTag.of(message.headers["To"]) == localTag else {
            return [.send(Self.response(to: message, code: 481, reason: "Call/Transaction Does Not Exist"))]
        }
        if let number = message.cseq?.number {
            if let last = remoteCSeq, number < last {
                return [.send(Self.response(to: message, code: 500, reason: "CSeq Out of Order"))]
            }
            remoteCSeq = number
        }
        switch method {
        case "BYE":
            phase = .ended
            var actions: [Action] = [.send(Self.response(to: message, code: 200, reason: "OK"))]
            if !reportedEnd {
                reportedEnd = true
                actions.append(.ended(failure: nil, remoteHangup: true, code: nil))
            }
            return actions
        case "INVITE":
            // A re-INVITE: answer with our same media, take the far end's new address.
            var actions: [Action] = []
            var answer = request.offer
            localSDPVersion += 1
            answer.version = localSDPVersion
            if !message.body.isEmpty, let sdp = try? SessionDescription(parsing: message.body) {
                if let media = try? NegotiatedMedia(answer: sdp) {
                    answer.media[0].formats = [media.codec.rawValue] + (media.telephoneEvent.map { [$0] } ?? [])
                    actions.append(.mediaChanged(media))
                } else {
                    return [.send(Self.response(to: message, code: 488, reason: "Not Acceptable Here"))]
                }
            }
            var ok = Self.response(to: message, code: 200, reason: "OK", toTag: nil)
            ok.headers.add("Contact", "<\(request.contact)>")
            ok.headers.add("Content-Type", "application/sdp")
            ok.body = answer.bytes
            return [.send(ok)] + actions
        case "OPTIONS", "INFO", "UPDATE", "NOTIFY":
            return [.send(Self.response(to: message, code: 200, reason: "OK"))]
        default:
            var refusal = Self.response(to: message, code: 405, reason: "Method Not Allowed")
            refusal.headers.add("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO")
            return [.send(refusal)]
        }
    }

    // MARK: Internals

    private mutating func cancel(because reason: CallFailure) -> [Action] {
        cancelReason = reason
        var actions: [Action] = [.cancelTimer(.ring)]
        // A CANCEL may only follow a provisional response (RFC 3261 §9.1);
        // before one, it is sent when the first arrives.
        if provisionalSeen { actions += sendCancel() }
        return actions
    }

    private mutating func sendCancel() -> [Action] {
        guard !cancelSent else { return [] }
        cancelSent = true
        phase = .ending
        return startNonInvite(makeCancel())
    }

    private mutating func startNonInvite(_ message: SIPMessage) -> [Action] {
        var transaction = NonInviteClientTransaction(request: message, reliable: reliable, timers: timers)
        let branch = Self.key(branch: transaction.branch ?? "", method: message.method ?? "")
        let actions = transaction.start()
        nonInvite[branch] = transaction
        return map(actions, branch: branch)
    }

    private mutating func sendBye(authorization: (header: String, value: String)?) -> [Action] {
        guard let dialog else { return [] }
        phase = .ending
        cseq += 1
        let bye = dialog.request("BYE", cseq: cseq, via: via(branch: Self.newBranch()), from: fromHeader,
                                 userAgent: request.userAgent, extra: authorization.map { [($0.header, $0.value)] } ?? [])
        return startNonInvite(bye)
    }

    /// Translates a transaction's actions into the call's.
    private mutating func map(_ actions: [TransactionAction], branch: String?) -> [Action] {
        var out: [Action] = []
        let branch = branch ?? ""
        for action in actions {
            switch action {
            case .send(let message): out.append(.send(message))
            case .startTimer(let timer, let duration): out.append(.startTimer(.transaction(branch: branch, timer), duration))
            case .cancelTimer(let timer): out.append(.cancelTimer(.transaction(branch: branch, timer)))
            case .deliver(let response): out += handle(response)
            case .timedOut: out += transactionTimedOut(branch: branch)
            case .transportFailed:
                let host = request.outboundProxy?.host ?? request.target.host
                out += finish(.network(code: nil, reason: transportFailure.map { "\(host) unreachable: \($0)" } ?? "cannot reach \(host)"))
            case .terminated: if branch != invite.branch { nonInvite[branch] = nil }
            }
        }
        return out
    }

    private mutating func transactionTimedOut(branch: String) -> [Action] {
        if branch == invite.branch {
            return finish(.network(code: 408, reason: "no response from \(request.outboundProxy?.host ?? request.target.host) in \(timers.timeout)"))
        }
        let method = nonInvite[branch]?.request.method
        if method == "BYE", phase == .ending {
            // The far end vanished: the call is over all the same.
            phase = .ended
            guard !reportedEnd else { return [] }
            reportedEnd = true
            return [.ended(failure: nil, remoteHangup: false, code: 408)]
        }
        return []
    }

    private mutating func finish(_ failure: CallFailure) -> [Action] {
        guard !reportedEnd else { return [] }
        reportedEnd = true
        if phase != .ending { phase = .ended }
        return [.cancelTimer(.ring), .ended(failure: failure, remoteHangup: false, code: failure.code)]
    }

    private mutating func handle(_ response: SIPMessage) -> [Action] {
        guard let code = response.statusCode, let method = response.cseq?.method else { return [] }
        switch method {
        case "INVITE": return handleInviteResponse(response, code: code)
        case "BYE":
            if code == 401 || code == 407, let authorization = authorize(response, method: "BYE", uri: dialog?.remoteTarget.description ?? "") {
                return sendBye(authorization: authorization)
            }
            guard code >= 200 else { return [] }
            phase = .ended
            guard !reportedEnd else { return [] }
            reportedEnd = true
            return [.ended(failure: nil, remoteHangup: false, code: code)]
        default:
            return []
        }
    }

    private mutating func handleInviteResponse(_ response: SIPMessage, code: Int) -> [Action] {
        switch code {
        case 100:
            provisionalSeen = true
            return cancelReason != nil ? sendCancel() : []
        case 101...199:
            provisionalSeen = true
            if cancelReason != nil { return sendCancel() }
            if phase == .inviting { phase = .ringing }
            let media = response.body.isEmpty ? nil : (try? SessionDescription(parsing: response.body)).flatMap { try? NegotiatedMedia(answer: $0) }
            return [.progress(code: code, earlyMedia: media)]
        case 200...299:
            return handleSuccess(response)
        default:
            if code == 401 || code == 407, cancelReason == nil,
               let authorization = authorize(response, method: "INVITE", uri: request.target.description) {
                // A fresh INVITE with credentials: new CSeq and branch, same Call-ID and tag.
                cseq += 1
                invite = InviteClientTransaction(request: makeInvite(authorization: authorization), reliable: reliable, timers: timers)
                return map(invite.start(), branch: invite.branch)
            }
            if code == 401 || code == 407 {
                let realm = Self.challenge(in: response).map(\.realm) ?? ""
                if authenticator == nil { return finish(.authentication(SIPAuthError.noCredentials(realm: realm).description)) }
                return finish(.authentication(SIPAuthError.rejected(realm: realm).description))
            }
            if code == 487, let reason = cancelReason { return finish(reason) }
            if case .response(_, let text) = response.startLine { return finish(CallFailure(sipCode: code, reason: text)) }
            return finish(CallFailure(sipCode: code, reason: ""))
        }
    }

    private mutating func handleSuccess(_ response: SIPMessage) -> [Action] {
        // Every 2xx, first or retransmitted, gets its ACK (RFC 3261 §13.2.2.4).
        let first = dialog == nil
        if first {
            guard let established = Dialog(uacResponse: response, callID: request.callID, localTag: localTag,
                                           inviteCSeq: invite.request.cseq?.number ?? cseq) else {
                return finish(.failed(code: response.statusCode ?? 200, reason: "2xx without a usable Contact or To tag"))
            }
            dialog = established
        }
        let ack = dialog!.ack(via: via(branch: Self.newBranch()), from: fromHeader, userAgent: request.userAgent)
        guard first else { return [.send(ack)] }
        var actions: [Action] = [.send(ack), .cancelTimer(.ring)]
        if let reason = cancelReason {
            // The callee answered as we cancelled: hang up at once.
            actions += sendBye(authorization: nil)
            actions += finish(reason)
            return actions
        }
        let offered = request.offer.media.first?.formats.compactMap(AudioCodec.init(rawValue:)) ?? [.pcmu, .pcma]
        do {
            let sdp = try SessionDescription(parsing: response.body)
            let media = try NegotiatedMedia(answer: sdp, offered: offered)
            phase = .answered
            return actions + [.answered(media)]
        } catch {
            actions += sendBye(authorization: nil)
            return actions + finish(.failed(code: 488, reason: "the answer's SDP is unusable: \(error)"))
        }
    }

    private static func challenge(in response: SIPMessage) -> DigestChallenge? {
        let header = response.statusCode == 407 ? "Proxy-Authenticate" : "WWW-Authenticate"
        return response.headers.all(header).lazy.compactMap { try? DigestChallenge(parsing: $0) }.first
    }

    /// The Authorization header answering a 401/407, unless we already failed with these credentials.
    private mutating func authorize(_ response: SIPMessage, method: String, uri: String) -> (header: String, value: String)? {
        guard var authenticator, let challenge = Self.challenge(in: response) else { return nil }
        authAttempts += 1
        // One try per challenge, one more when the server only says the nonce went stale.
        guard authAttempts <= 1 || (challenge.stale && authAttempts <= 3) else { return nil }
        let value = authenticator.authorization(for: challenge, method: method, uri: uri)
        self.authenticator = authenticator
        return (response.statusCode == 407 ? "Proxy-Authorization" : "Authorization", value)
    }

    /// A response to a request of the far end, echoing its Via, From, To, Call-ID and CSeq.
    static func response(to message: SIPMessage, code: Int, reason: String, toTag: String? = nil) -> SIPMessage {
        var headers = SIPHeaders()
        for via in message.headers.values("Via") { headers.add("Via", via) }
        headers.add("From", message.headers["From"] ?? "")
        var to = message.headers["To"] ?? ""
        if let toTag, NameAddressTag.of(to) == nil { to += ";tag=\(toTag)" }
        headers.add("To", to)
        headers.add("Call-ID", message.callID ?? "")
        headers.add("CSeq", message.headers["CSeq"] ?? "")
        return SIPMessage(startLine: .response(code: code, reason: reason), headers: headers)
    }
}

enum NameAddressTag {
    static func of(_ header: String?) -> String? {
        header.flatMap { try? NameAddress(parsing: $0) }?.tag
    }
}

extension SIPHeaders {
    /// Every raw value of a header, without splitting at commas (digest challenges hold commas).
    func all(_ name: String) -> [String] {
        let canonical = Self.canonical(name)
        return filter { $0.name == canonical }.map(\.value)
    }
}
