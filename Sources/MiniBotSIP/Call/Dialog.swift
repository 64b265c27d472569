/// A dialog we created with an INVITE (RFC 3261 §12.1.2): the far end's tag
/// and target, the route set, and the requests we send inside it.
struct Dialog: Sendable {
    let callID: String
    let localTag: String
    let remoteTag: String
    /// The To header of the 2xx, tag included, as our requests must carry it.
    let remoteParty: String
    /// Where in-dialog requests go: the 2xx's Contact.
    var remoteTarget: SIPURI
    /// Record-Route of the 2xx in reverse order: the Route of our requests.
    let routeSet: [String]
    let inviteCSeq: UInt32

    init?(uacResponse response: SIPMessage, callID: String, localTag: String, inviteCSeq: UInt32) {
        guard let to = response.headers["To"], let tag = NameAddressTag.of(to),
              let contact = response.headers.values("Contact").first.flatMap({ try? NameAddress(parsing: $0) })
        else { return nil }
        self.callID = callID
        self.localTag = localTag
        self.remoteTag = tag
        self.remoteParty = to
        self.remoteTarget = contact.uri
        self.routeSet = response.headers.values("Record-Route").reversed()
        self.inviteCSeq = inviteCSeq
    }

    /// The ACK of the 2xx: its own transaction, the INVITE's CSeq number (§13.2.2.4).
    func ack(via: String, from: String, userAgent: String) -> SIPMessage {
        request("ACK", cseq: inviteCSeq, via: via, from: from, userAgent: userAgent)
    }

    func request(_ method: String, cseq: UInt32, via: String, from: String, userAgent: String, extra: [(String, String)] = []) -> SIPMessage {
        var headers = SIPHeaders()
        headers.add("Via", via)
        for route in routeSet { headers.add("Route", route) }
        headers.add("Max-Forwards", "70")
        headers.add("From", from)
        headers.add("To", remoteParty)
        headers.add("Call-ID", callID)
        headers.add("CSeq", "\(cseq) \(method)")
        for (name, value) in extra { headers.add(name, value) }
        headers.add("User-Agent", userAgent)
        return .request(method, uri: remoteTarget.description, headers: headers)
    }
}
