/// Something the Asterisk REST Interface refused or could not be reached for.
/// The text names the request and what Asterisk said; credentials never appear in it.
public enum ARIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The configuration cannot work (a URL that is not one, an endpoint template without `{number}`).
    case configuration(String)
    /// Asterisk could not be reached at all (connection refused, timeout).
    case unreachable(url: String, reason: String)
    /// Asterisk answered a request with an error status.
    case http(method: String, path: String, status: Int, message: String)
    /// Asterisk refused the username or password (HTTP 401).
    case unauthorized(url: String)
    /// An answer that is not the JSON the API documents.
    case malformed(path: String, reason: String)
    /// The events connection is down; nothing can be dialled until it is back.
    case notConnected(String)

    public var description: String {
        switch self {
        case .configuration(let problem):
            "ARI configuration: \(problem)"
        case .unreachable(let url, let reason):
            "Asterisk ARI at \(url) is unreachable: \(reason) (is Asterisk running, with http.conf enabled on that address?)"
        case .http(let method, let path, let status, let message):
            "ARI \(method) \(path) failed with HTTP \(status): \(message)"
        case .unauthorized(let url):
            "Asterisk ARI at \(url) refused the username or password (check ari.username / ari.password against ari.conf)"
        case .malformed(let path, let reason):
            "ARI \(path) answered something unexpected: \(reason)"
        case .notConnected(let reason):
            "the ARI events connection is down: \(reason)"
        }
    }
}
