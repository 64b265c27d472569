import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
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

    static let elementKey = "element-6066-11e4-a52e-4f735466cecc"

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
            ready = ((try? await request("GET", base + "/status", nil))?["value"] as? [String: Any])?["ready"] as? Bool == true
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        guard ready else { process.terminate(); throw Failure(description: "chromedriver did not start (\(log))") }
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": [
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1366,900",
                         "--autoplay-policy=no-user-gesture-required", "--lang=fr-FR", "--no-first-run", "--disable-extensions"],
            ],
        ] as [String: Any]]]
        let created: [String: Any]
        do {
            created = try await request("POST", base + "/session", capabilities)
        } catch {
            process.terminate()
            throw error
        }
        guard let value = created["value"] as? [String: Any], let session = value["sessionId"] as? String else {
            process.terminate()
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
        driver.terminate()
    }

    @discardableResult
    static func request(_ method: String, _ url: String, _ body: [String: Any]?) async throws -> [String: Any] {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = 120
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        if let status = (response as? HTTPURLResponse)?.statusCode, status >= 400 {
            let value = object["value"] as? [String: Any]
            throw Failure(description: "\(method) \(url): \(status) \(value?["error"] ?? "") \(value?["message"] ?? String(decoding: data, as: UTF8.self))")
        }
        return object
    }

    @discardableResult
    func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        try await Self.request(method, "\(base)/session/\(session)\(path)", body ?? (method == "POST" ? [:] : nil))["value"]
    }

    func open(_ url: String) async throws { try await command("POST", "/url", ["url": url]) }

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

    func text(_ css: String) async throws -> String {
        try await command("GET", "/element/\(try await find(css))/text") as? String ?? ""
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
            let size = try await execute("return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]") as? [Int] ?? []
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
