/// Failures of the SIP agent itself (not of a call).
public enum SIPAgentError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotBind(host: String, port: Int, underlying: String)
    case noMediaPort(range: ClosedRange<Int>, underlying: String)
    case notRunning
    case unresolvable(String)
    case registrationFailed(String)

    public var description: String {
        switch self {
        case .cannotBind(let host, let port, let underlying):
            "cannot listen for SIP on \(host):\(port): \(underlying) (is another program using the port? set sip.bind_port)"
        case .noMediaPort(let range, let underlying):
            "no free RTP port in \(range.lowerBound)-\(range.upperBound): \(underlying) (widen sip.rtp_ports)"
        case .notRunning:
            "the SIP agent is not running"
        case .unresolvable(let host):
            "cannot resolve the SIP host '\(host)'"
        case .registrationFailed(let reason):
            "registration failed: \(reason)"
        }
    }
}
