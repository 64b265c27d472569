import Foundation
import MiniBotTestSupport

/// A tiny W3C WebDriver client (the HTTP protocol chromedriver speaks), enough
/// to drive Debian's headless Chromium: open pages, find elements, type,
/// click, run a script, take screenshots.
final class WebDriver: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let base: String
    let session: String
    let driver: Process

    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    static var chromium: String? { ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) } }
    static var chromedriver: String? { ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first { FileManager.default.isExecutableFile(atPath: $0) } }

    /// Starts chromedriver and a headless Chromium session.
    static func start(log: String) async throws -> WebDriver {
        guard let chromium, let chromedriver else { throw Failure(description: "chromium and chromium-driver are not installed (scripts/setup installs them)") }
        let port = PeerProcess.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromedriver)
        process.arguments = ["--port=\(port)", "--log-path=\(log)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let base = "http://127.0.0.1:\(port)"
        var ready = false
        for _ in 0..<100 where !ready {
            ready = Self.bool(((try? await request("GET", base + "/status", nil))?["value"] as? [String: Any])?["ready"]) == true
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        guard ready else { kill(process.processIdentifier, SIGKILL); throw Failure(description: "chromedriver did not start (\(log))") }
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": [
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1366,900",
                         "--autoplay-policy=no-user-gesture-required", "--lang=fr-FR", "--no-first-run", "--disable-extensions"],
                "prefs": ["intl.accept_languages": "fr-FR,fr"],
            ] as [String: Any],
        ] as [String: Any]]]
        let created: [String: Any]
        do {
            created = try await request("POST", base + "/session", capabilities)
        } catch {
            kill(process.processIdentifier, SIGKILL)
            throw error
        }
        guard let value = created["value"] as? [String: Any], let session = value["sessionId"] as? String else {
            kill(process.processIdentifier, SIGKILL)
            throw Failure(description: "no session: \(created)")
        }
        return WebDriver(base: base, session: session, driver: process)
    }

    private init(base: String, session: String, driver: Process) {
        self.base = base
        self.session = session
        self.driver = driver
    }

    func quit() async {
        _ = try? await Self.request("DELETE", "\(base)/session/\(session)", nil)
        // chromedriver ignores SIGTERM.
        kill(driver.processIdentifier, SIGKILL)
    }

    /// One HTTP/1.1 exchange with chromedriver. Not URLSession: chromedriver writes
    /// headers without a space after the colon (`Content-Length:250`), which
    /// Foundation's curl-based client on Linux rejects ("Failed writing header").
    @discardableResult
    static func request(_ method: String, _ url: String, _ body: [String: Any]?) async throws -> [String: Any] {
        guard let parsed = URL(string: url), let port = parsed.port else { throw Failure(description: "bad URL \(url)") }
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        var head = "\(method) \(parsed.path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nAccept: application/json\r\n"
        if body != nil { head += "Content-Type: application/json; charset=utf-8\r\n" }
        head += "Content-Length: \(payload.count)\r\n\r\n"
        let reply = try await exchange(port: port, Data(head.utf8) + payload)
        guard let split = reply.range(of: Data("\r\n\r\n".utf8)) else { throw Failure(description: "\(method) \(url): no answer") }
        let statusLine = String(decoding: reply[reply.startIndex..<split.lowerBound], as: UTF8.self).split(separator: "\r\n").first ?? ""
        let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        let data = Data(reply[split.upperBound...])
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        if status >= 400 || status == 0 {
            let value = object["value"] as? [String: Any]
            throw Failure(description: "\(method) \(url): \(status) \(value?["error"] ?? "") \(value?["message"] ?? String(decoding: data, as: UTF8.self))")
        }
        return object
    }

    /// Sends `request` over a new loopback TCP connection and reads the answer to its end, on a thread of its own.
    static func exchange(port: Int, _ request: Data) async throws -> Data {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data, any Error>) in
            Thread.detachNewThread {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                guard fd >= 0 else { return continuation.resume(throwing: Failure(description: "socket: \(errno)")) }
                defer { close(fd) }
                // A page that never loads fails the test instead of hanging it.
                var timeout = timeval(tv_sec: 180, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = in_port_t(UInt16(port).bigEndian)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                guard connected == 0 else { return continuation.resume(throwing: Failure(description: "connect to \(port): \(errno)")) }
                var sent = 0
                let bytes = [UInt8](request)
                while sent < bytes.count {
                    let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
                    guard n > 0 else { return continuation.resume(throwing: Failure(description: "send: \(errno)")) }
                    sent += n
                }
                // chromedriver keeps the connection open: read up to the end of its Content-Length.
                var reply = Data()
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                    if n <= 0 { break }
                    reply.append(contentsOf: buffer[0..<n])
                    if let split = reply.range(of: Data("\r\n\r\n".utf8)) {
                        let head = String(decoding: reply[reply.startIndex..<split.lowerBound], as: UTF8.self).lowercased()
                        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
                        if let length, reply.count - (split.upperBound - reply.startIndex) >= length { break }
                    }
                }
                continuation.resume(returning: reply)
            }
        }
    }

    @discardableResult
    func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        try await Self.request(method, "\(base)/session/\(session)\(path)", body ?? (method == "POST" ? [:] : nil))["value"]
    }

    func open(_ url: String) async throws { try await command("POST", "/url", ["url": url]) }

    /// The handle of the window commands go to.
    var window: String { get async throws { try await command("GET", "/window") as? String ?? "" } }

    /// Opens a new browser window and returns its handle; commands still go to the current one.
    func newWindow() async throws -> String {
        guard let value = try await command("POST", "/window/new", ["type": "window"]) as? [String: Any], let handle = value["handle"] as? String else {
            throw Failure(description: "no new window")
        }
        return handle
    }

    func switchTo(window handle: String) async throws { try await command("POST", "/window", ["handle": handle]) }

    /// Closes the current window (switch to another one after).
    func closeWindow() async throws { try await command("DELETE", "/window") }

    var url: String { get async throws { try await command("GET", "/url") as? String ?? "" } }

    func find(_ css: String) async throws -> String {
        guard let value = try await command("POST", "/element", ["using": "css selector", "value": css]) as? [String: Any],
              let id = value[Self.elementKey] as? String else { throw Failure(description: "no element \(css)") }
        return id
    }

    func findAll(_ css: String) async throws -> [String] {
        let values = try await command("POST", "/elements", ["using": "css selector", "value": css]) as? [[String: Any]] ?? []
        return values.compactMap { $0[Self.elementKey] as? String }
    }

    func type(_ css: String, _ text: String) async throws {
        let element = try await find(css)
        try await command("POST", "/element/\(element)/clear")
        try await command("POST", "/element/\(element)/value", ["text": text])
    }

    /// Sends a file path to an `<input type="file">`.
    func attach(_ css: String, file: String) async throws {
        try await command("POST", "/element/\(try await find(css))/value", ["text": file])
    }

    func click(_ css: String) async throws { try await command("POST", "/element/\(try await find(css))/click") }

    /// The element's text; found again if a navigation or an update replaced it meanwhile.
    func text(_ css: String) async throws -> String {
        var attempt = 0
        while true {
            do {
                return try await command("GET", "/element/\(try await find(css))/text") as? String ?? ""
            } catch let failure as Failure where failure.description.contains("stale element") && attempt < 20 {
                attempt += 1
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    func pageText() async throws -> String { try await text("body") }

    func execute(_ script: String, _ arguments: [Any] = []) async throws -> Any? {
        try await command("POST", "/execute/sync", ["script": script, "args": arguments])
    }

    /// Runs `script`, whose last argument is the callback to call with the result.
    func executeAsync(_ script: String, _ arguments: [Any] = []) async throws -> Any? {
        try await command("POST", "/execute/async", ["script": script, "args": arguments])
    }

    func setTimeouts(script milliseconds: Int) async throws {
        try await command("POST", "/timeouts", ["script": milliseconds, "pageLoad": 60_000, "implicit": 0])
    }

    func resize(width: Int, height: Int) async throws {
        try await command("POST", "/window/rect", ["width": width, "height": height])
    }

    /// A PNG of the viewport, or of the whole page when `fullPage` (through the DevTools protocol).
    func screenshot(to path: String, fullPage: Bool = true) async throws {
        var base64: String?
        if fullPage {
            let size = (try await execute("return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]") as? [Any] ?? [])
                .compactMap { Self.number($0).map(Int.init) }
            if size.count == 2 {
                let result = try? await Self.request("POST", "\(base)/session/\(session)/goog/cdp/execute", [
                    "cmd": "Page.captureScreenshot",
                    "params": ["captureBeyondViewport": true, "clip": ["x": 0, "y": 0, "width": size[0], "height": min(size[1], 6000), "scale": 1]],
                ])
                base64 = (result?["value"] as? [String: Any])?["data"] as? String
            }
        }
        if base64 == nil { base64 = try await command("GET", "/screenshot") as? String }
        guard let base64, let data = Data(base64Encoded: base64) else { throw Failure(description: "no screenshot") }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// JSON numbers and booleans arrive as NSNumber or as Swift values, depending on the Foundation.
    static func number(_ value: Any?) -> Double? {
        if let value = value as? Double { return value }
        if let value = value as? Int { return Double(value) }
        if let value = value as? NSNumber { return value.doubleValue }
        return nil
    }

    static func bool(_ value: Any?) -> Bool? {
        if let value = value as? Bool { return value }
        if let value = value as? NSNumber { return value.boolValue }
        return nil
    }

    /// Waits until `condition` holds, polling every 250 ms.
    func wait(seconds: Double, _ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw Failure(description: "timed out after \(Int(seconds)) s waiting for \(what)")
    }
}
