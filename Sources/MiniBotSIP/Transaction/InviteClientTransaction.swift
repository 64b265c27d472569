/// The INVITE client transaction (RFC 3261 §17.1.1, with RFC 6026's
/// Accepted state) as a value-type state machine: feed it events, perform
/// the actions it returns. No sockets, no clock.
public struct InviteClientTransaction: Sendable {
    public enum State: Sendable, Equatable { case calling, proceeding, completed, accepted, terminated }

    public private(set) var state: State = .calling
    public let request: SIPMessage
    public let reliable: Bool
    private let timers: SIPTimers
    private var retransmitInterval: Duration

    /// - Parameters:
    ///   - request: the INVITE, with its top Via branch set.
    ///   - reliable: true over TCP (no retransmissions, no wait states).
    public init(request: SIPMessage, reliable: Bool, timers: SIPTimers = SIPTimers()) {
        self.request = request
        self.reliable = reliable
        self.timers = timers
        self.retransmitInterval = timers.t1
    }

    public var branch: String? { request.via?.branch }

    /// Sends the INVITE and starts the timers.
    public mutating func start() -> [TransactionAction] {
        var actions: [TransactionAction] = [.send(request)]
        if !reliable { actions.append(.startTimer(.a, retransmitInterval)) }
        actions.append(.startTimer(.b, timers.timeout))
        return actions
    }

    public mutating func timerFired(_ timer: TransactionTimer) -> [TransactionAction] {
        switch (state, timer) {
        case (.calling, .a):
            retransmitInterval = retransmitInterval * 2
            return [.send(request), .startTimer(.a, retransmitInterval)]
        case (.calling, .b):
            state = .terminated
            return [.cancelTimer(.a), .timedOut, .terminated]
        case (.completed, .d), (.accepted, .m):
            state = .terminated
            return [.terminated]
        default:
            return []
        }
    }

    public mutating func received(_ response: SIPMessage) -> [TransactionAction] {
        guard let code = response.statusCode else { return [] }
        switch (state, code) {
        case (.calling, 100...199), (.proceeding, 100...199):
            let wasCalling = state == .calling
            state = .proceeding
            return (wasCalling ? [.cancelTimer(.a)] : []) + [.deliver(response)]
        case (.calling, 200...299), (.proceeding, 200...299):
            // The call acknowledges 2xx itself, in its dialog.
            state = .accepted
            return [.cancelTimer(.a), .cancelTimer(.b), .deliver(response), .startTimer(.m, timers.timeout)]
        case (.accepted, 200...299):
            return [.deliver(response)]
        case (.calling, 300...699), (.proceeding, 300...699):
            state = reliable ? .terminated : .completed
            var actions: [TransactionAction] = [.cancelTimer(.a), .cancelTimer(.b), .send(ack(for: response)), .deliver(response)]
            actions += reliable ? [.terminated] : [.startTimer(.d, .seconds(32))]
            return actions
        case (.completed, 300...699):
            return [.send(ack(for: response))]
        default:
            return []
        }
    }

    public mutating func transportError() -> [TransactionAction] {
        guard state == .calling || state == .proceeding else { return [] }
        state = .terminated
        return [.cancelTimer(.a), .cancelTimer(.b), .transportFailed, .terminated]
    }

    /// The ACK of a non-2xx final response: same branch, the response's To (RFC 3261 §17.1.1.3).
    func ack(for response: SIPMessage) -> SIPMessage {
        var headers = SIPHeaders()
        if let via = request.headers.values("Via").first { headers.add("Via", via) }
        for route in request.headers.values("Route") { headers.add("Route", route) }
        headers.add("Max-Forwards", "70")
        headers.add("From", request.headers["From"] ?? "")
        headers.add("To", response.headers["To"] ?? request.headers["To"] ?? "")
        headers.add("Call-ID", request.callID ?? "")
        headers.add("CSeq", "\(request.cseq?.number ?? 1) ACK")
        guard case .request(_, let uri) = request.startLine else { return request }
        return .request("ACK", uri: uri, headers: headers)
    }
}

/// The non-INVITE client transaction (RFC 3261 §17.1.2): BYE, CANCEL,
/// REGISTER, OPTIONS sent by us.
public struct NonInviteClientTransaction: Sendable {
    public enum State: Sendable, Equatable { case trying, proceeding, completed, terminated }

    public private(set) var state: State = .trying
    public let request: SIPMessage
    public let reliable: Bool
    private let timers: SIPTimers
    private var retransmitInterval: Duration

    public init(request: SIPMessage, reliable: Bool, timers: SIPTimers = SIPTimers()) {
        self.request = request
        self.reliable = reliable
        self.timers = timers
        self.retransmitInterval = timers.t1
    }

    public var branch: String? { request.via?.branch }

    public mutating func start() -> [TransactionAction] {
        var actions: [TransactionAction] = [.send(request)]
        if !reliable { actions.append(.startTimer(.e, retransmitInterval)) }
        actions.append(.startTimer(.f, timers.timeout))
        return actions
    }

    public mutating func timerFired(_ timer: TransactionTimer) -> [TransactionAction] {
        switch (state, timer) {
        case (.trying, .e):
            retransmitInterval = min(retransmitInterval * 2, timers.t2)
            return [.send(request), .startTimer(.e, retransmitInterval)]
        case (.proceeding, .e):
            return [.send(request), .startTimer(.e, timers.t2)]
        case (.trying, .f), (.proceeding, .f):
            state = .terminated
            return [.cancelTimer(.e), .timedOut, .terminated]
        case (.completed, .k):
            state = .terminated
            return [.terminated]
        default:
            return []
        }
    }

    public mutating func received(_ response: SIPMessage) -> [TransactionAction] {
        guard let code = response.statusCode else { return [] }
        switch (state, code) {
        case (.trying, 100...199), (.proceeding, 100...199):
            state = .proceeding
            return [.deliver(response)]
        case (.trying, 200...699), (.proceeding, 200...699):
            state = reliable ? .terminated : .completed
            var actions: [TransactionAction] = [.cancelTimer(.e), .cancelTimer(.f), .deliver(response)]
            actions += reliable ? [.terminated] : [.startTimer(.k, timers.t4)]
            return actions
        default:
            return []
        }
    }

    public mutating func transportError() -> [TransactionAction] {
        guard state == .trying || state == .proceeding else { return [] }
        state = .terminated
        return [.cancelTimer(.e), .cancelTimer(.f), .transportFailed, .terminated]
    }
}
