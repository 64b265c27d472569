import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The Asterisk REST Interface over HTTP: the requests the backend makes,
/// each returning decoded JSON or throwing an ``ARIError`` that names the
/// request and Asterisk's message. The password goes only into the
/// `Authorization` header; no URL, error or log line carries it.
public struct ARIClient: Sendable {
    /// Where ARI answers, without credentials and without `/ari` (`http://127.0.0.1:8088`).
    public let baseURL: String
    let authorization: String
    let httpClient: HTTPClient
    let timeout: TimeAmount

    /// - Parameters:
    ///   - url: `http(s)://host:port`, optionally ending in `/ari`; credentials in it are refused.
    public init(url: String, username: String, password: String, httpClient: HTTPClient = .shared,
                timeout: Duration = .seconds(10)) throws(ARIError) {
        baseURL = try Self.normalise(url)
        authorization = "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        self.httpClient = httpClient
        self.timeout = Self.timeAmount(timeout)
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// `http(s)://host[:port][/prefix]` with any trailing `/` or `/ari` removed.
    static func normalise(_ url: String) throws(ARIError) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty else {
            throw .configuration("ari.url '\(url)' is not an http:// or https:// URL (e.g. http://127.0.0.1:8088)")
        }
        if components.user != nil || components.password != nil {
            throw .configuration("ari.url must not carry credentials: set ari.username and ari.password instead")
        }
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        if path.hasSuffix("/ari") { path.removeLast(4) }
        return "\(scheme)://\(host)\(components.port.map { ":\($0)" } ?? "")\(path)"
    }

    /// The events WebSocket of `app` (`ws://…/ari/events?app=…`).
    public func eventsURL(app: String) -> String {
        let ws = baseURL.hasPrefix("https") ? "wss" + baseURL.dropFirst(5) : "ws" + baseURL.dropFirst(4)
        return ws + "/ari/events?" + Self.query([("app", app), ("subscribeAll", "false")])
    }

    // MARK: Requests

    /// Asterisk's version and system. `timeout`: shorter than the client's for a quick
    /// health check (a refused connection is retried until the deadline).
    public func info(timeout: Duration? = nil) async throws(ARIError) -> AsteriskInfo {
        try await request(.GET, "/asterisk/info", timeout: timeout, as: AsteriskInfo.self)
    }

    /// Dials `endpoint` (`PJSIP/+33…@trunk`, `Local/100@ctx/n`); the channel
    /// enters `app` (a `StasisStart`) once answered.
    public func originate(endpoint: String, app: String, channelID: String, callerID: String?, timeout: Duration,
                          variables: [String: String] = [:]) async throws(ARIError) -> ARIChannel {
        var parameters = [("endpoint", endpoint), ("app", app), ("channelId", channelID),
                          ("timeout", "\(max(1, timeout.components.seconds))")]
        if let callerID { parameters.append(("callerId", callerID)) }
        let body = variables.isEmpty ? nil : try? JSONSerialization.data(withJSONObject: ["variables": variables])
        return try await request(.POST, "/channels", parameters, body: body, as: ARIChannel.self)
    }

    /// Hangs a channel up; a channel already gone is not an error.
    public func hangup(channelID: String, reason: String = "normal") async throws(ARIError) {
        do throws(ARIError) {
            try await send(.DELETE, "/channels/\(Self.escape(channelID))", [("reason", reason)])
        } catch .http(_, _, 404, _) {
            return
        }
    }

    /// The channel, or nil when Asterisk no longer has it.
    public func channel(_ channelID: String) async throws(ARIError) -> ARIChannel? {
        do throws(ARIError) {
            return try await request(.GET, "/channels/\(Self.escape(channelID))", as: ARIChannel.self)
        } catch .http(_, _, 404, _) {
            return nil
        }
    }

    /// A channel variable (or a function: `CHANNEL(linkedid)`), or nil when it is
    /// not set or the channel is gone (ARI answers 404 to both).
    public func variable(_ name: String, channelID: String, timeout: Duration? = nil) async throws(ARIError) -> String? {
        struct Value: Decodable { var value: String }
        do throws(ARIError) {
            return try await request(.GET, "/channels/\(Self.escape(channelID))/variable", [("variable", name)], timeout: timeout,
                                     as: Value.self).value
        } catch .http(_, _, 404, _) {
            return nil
        }
    }

    /// A channel sending and receiving the bridge's audio as RTP to `host:port`
    /// (G.711 µ-law); its `UNICASTRTP_LOCAL_ADDRESS` / `_PORT` variables say where Asterisk listens.
    public func externalMedia(app: String, channelID: String, host: String, port: Int, format: String = "ulaw") async throws(ARIError) -> ARIChannel {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return try await request(.POST, "/channels/externalMedia",
                                 [("app", app), ("channelId", channelID), ("external_host", address), ("format", format),
                                  ("encapsulation", "rtp"), ("transport", "udp"), ("direction", "both")],
                                 as: ARIChannel.self)
    }

    public func createBridge(id: String) async throws(ARIError) {
        try await send(.POST, "/bridges/\(Self.escape(id))", [("type", "mixing"), ("name", id)])
    }

    public func addToBridge(_ bridgeID: String, channels: [String]) async throws(ARIError) {
        try await send(.POST, "/bridges/\(Self.escape(bridgeID))/addChannel", [("channel", channels.joined(separator: ","))])
    }

    /// Destroys a bridge; one already gone is not an error.
    public func destroyBridge(_ bridgeID: String) async throws(ARIError) {
        do throws(ARIError) {
            try await send(.DELETE, "/bridges/\(Self.escape(bridgeID))")
        } catch .http(_, _, 404, _) {
            return
        }
    }

    /// Whether the Stasis application is registered (a WebSocket is connected for it).
    public func applicationExists(_ app: String) async throws(ARIError) -> Bool {
        do throws(ARIError) {
            try await send(.GET, "/applications/\(Self.escape(app))")
            return true
        } catch .http(_, _, 404, _) {
            return false
        }
    }

    /// Subscribes the application to a channel's events again (after the events connection came back).
    public func subscribe(app: String, channelID: String) async throws(ARIError) {
        try await send(.POST, "/applications/\(Self.escape(app))/subscription", [("eventSource", "channel:\(channelID)")])
    }

    // MARK: Plumbing

    private func send(_ method: HTTPMethod, _ path: String, _ parameters: [(String, String)] = []) async throws(ARIError) {
        _ = try await perform(method, path, parameters, body: nil)
    }

    private func request<T: Decodable>(_ method: HTTPMethod, _ path: String, _ parameters: [(String, String)] = [], body: Data? = nil,
                                       timeout: Duration? = nil, as type: T.Type) async throws(ARIError) -> T {
        let data = try await perform(method, path, parameters, body: body, timeout: timeout)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw .malformed(path: path, reason: "\(error)")
        }
    }

    private func perform(_ method: HTTPMethod, _ path: String, _ parameters: [(String, String)], body: Data?,
                         timeout: Duration? = nil) async throws(ARIError) -> Data {
        var url = baseURL + "/ari" + path
        if !parameters.isEmpty { url += "?" + Self.query(parameters) }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: authorization)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        let data: Data
        do {
            response = try await httpClient.execute(request, timeout: timeout.map(Self.timeAmount) ?? self.timeout)
            data = Data(try await response.body.collect(upTo: 4 << 20).readableBytesView)
        } catch {
            throw .unreachable(url: baseURL, reason: "\(error)")
        }
        switch response.status.code {
        case 200..<300:
            return data
        case 401:
            throw .unauthorized(url: baseURL)
        default:
            let message = (try? JSONDecoder().decode([String: String].self, from: data))?["message"]
                ?? String(decoding: data.prefix(300), as: UTF8.self)
            throw .http(method: method.rawValue, path: path, status: Int(response.status.code), message: message)
        }
    }

    /// Characters left as they are in a query value or a path segment (RFC 3986 unreserved).
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func escape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    static func query(_ parameters: [(String, String)]) -> String {
        parameters.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }
}
