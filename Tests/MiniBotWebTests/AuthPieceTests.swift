import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import MiniBotCore
import MiniBotDialer
import MiniBotStore
import Testing
@testable import MiniBotWeb

@Suite("Panel auth pieces: hashing, tokens, cookies, throttle")
struct AuthPieceTests {
    @Test func passwordHashVerifiesOnlyItsPassword() throws {
        let hash = try PasswordHasher.hash("correct horse", rounds: 1000)
        #expect(hash.hasPrefix("pbkdf2-sha256$1000$"))
        #expect(hash.split(separator: "$").count == 4)
        #expect(PasswordHasher.verify("correct horse", against: hash))
        #expect(!PasswordHasher.verify("correct horsE", against: hash))
        #expect(!PasswordHasher.verify("", against: hash))
    }

    @Test func passwordHashesAreSaltedAndSlowByDefault() throws {
        let first = try PasswordHasher.hash("same password", rounds: 1000)
        let second = try PasswordHasher.hash("same password", rounds: 1000)
        #expect(first != second)
        #expect(PasswordHasher.defaultRounds >= 600_000)
        let start = ContinuousClock.now
        let slow = try PasswordHasher.hash("same password")
        // Slow on purpose: a guess costs a real fraction of a second.
        #expect(ContinuousClock.now - start > .milliseconds(20))
        #expect(slow.hasPrefix("pbkdf2-sha256$\(PasswordHasher.defaultRounds)$"))
    }

    @Test func passwordHashMatchesRFC7914Vector() throws {
        // PBKDF2-HMAC-SHA256("passwd", "salt", 1, 64) from RFC 7914 §11.
        let key = try PasswordHasher.derive("passwd", salt: Data("salt".utf8), rounds: 1, length: 64)
        #expect(key.map { String(format: "%02x", $0) }.joined().hasPrefix("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"))
    }

    @Test(arguments: ["", "plain", "pbkdf2-sha256$x$AAAA$AAAA", "pbkdf2-sha256$1000$!!$AAAA", "md5$1$AAAA$AAAA", "pbkdf2-sha256$0$AAAA$AAAA"])
    func malformedHashesNeverVerify(_ stored: String) {
        #expect(!PasswordHasher.verify("anything", against: stored))
    }

    @Test func emptyPasswordsAreRefused() {
        #expect(throws: PasswordHasher.Failure.self) { try PasswordHasher.hash("", rounds: 1000) }
    }

    @Test func tokensAreRandomURLSafeAndStoredHashed() {
        let tokens = (0..<200).map { _ in Tokens.random() }
        #expect(Set(tokens).count == 200)
        for token in tokens {
            #expect(token.count == 43)
            #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        }
        #expect(Tokens.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func csrfTokensMatchOnlyExactly() {
        let token = Tokens.random()
        #expect(Tokens.matches(token, expected: token))
        #expect(!Tokens.matches(token + "x", expected: token))
        #expect(!Tokens.matches(String(token.dropLast()) + (token.hasSuffix("A") ? "B" : "A"), expected: token))
        #expect(!Tokens.matches(nil, expected: token))
        #expect(!Tokens.matches("", expected: ""))
    }

    func request(_ headers: HTTPFields = [:]) -> Request {
        Request(head: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/panel", headerFields: headers),
                body: RequestBody(buffer: ByteBuffer()))
    }

    @Test func sessionCookieIsHttpOnlyStrictAndSecureOnlyOverTLS() {
        let plain = CookiePolicy()
        let cookie = plain.setCookie(CookiePolicy.session, "tok", maxAge: 60, secure: plain.isSecure(request()))
        #expect(cookie == "minibot_session=tok; Path=/; Max-Age=60; SameSite=Strict; HttpOnly")
        let forwarded = request([HTTPField.Name("X-Forwarded-Proto")!: "https"])
        // A forwarded header is believed only when configured (anyone can send one).
        #expect(!plain.isSecure(forwarded))
        let proxied = CookiePolicy(trustForwardedProto: true)
        #expect(proxied.isSecure(forwarded))
        #expect(!proxied.isSecure(request([HTTPField.Name("X-Forwarded-Proto")!: "http"])))
        #expect(proxied.setCookie("a", "b", maxAge: 1, secure: proxied.isSecure(forwarded)).hasSuffix("; HttpOnly; Secure"))
        #expect(CookiePolicy(alwaysSecure: true).isSecure(request()))
        let tls = Request(head: HTTPRequest(method: .get, scheme: "https", authority: "panel.example", path: "/panel"), body: RequestBody(buffer: ByteBuffer()))
        #expect(plain.isSecure(tls))
    }

    @Test func failedLoginsAreSlowedThenRefusedPerKeyForAWindow() {
        var throttle = LoginThrottleState(limit: 5, window: 600, slowAfter: 2, delayStep: 1)
        let start = Date(timeIntervalSince1970: 1_000_000)
        var delays: [TimeInterval] = []
        for attempt in 0..<5 {
            #expect(throttle.retryAfter("192.0.2.7", now: start.addingTimeInterval(Double(attempt))) == nil)
            delays.append(throttle.failed("192.0.2.7", now: start.addingTimeInterval(Double(attempt))))
        }
        // The first two answer at once, then each waits a second more.
        #expect(delays == [0, 0, 1, 2, 3])
        #expect(throttle.retryAfter("192.0.2.7", now: start.addingTimeInterval(10)) == 590)
        #expect(throttle.retryAfter("192.0.2.8", now: start.addingTimeInterval(10)) == nil)
        #expect(throttle.retryAfter("192.0.2.7", now: start.addingTimeInterval(599)) == 1)
        #expect(throttle.retryAfter("192.0.2.7", now: start.addingTimeInterval(601)) == nil, "the window has passed since the first failure")
        // A success forgets the failures.
        for attempt in 0..<4 { throttle.failed("192.0.2.8", now: start.addingTimeInterval(Double(attempt))) }
        throttle.succeeded("192.0.2.8")
        #expect(throttle.failureCount("192.0.2.8", now: start.addingTimeInterval(5)) == 0)
        for attempt in 0..<4 { throttle.failed("192.0.2.8", now: start.addingTimeInterval(Double(10 + attempt))) }
        #expect(throttle.retryAfter("192.0.2.8", now: start.addingTimeInterval(20)) == nil)
    }

    @Test func throttleRefusesAnAddressWhateverTheNameAndANameFromAnyAddress() {
        let throttle = LoginThrottle(perAddress: .init(limit: 3, window: 600), perName: .init(limit: 4, window: 900))
        let now = Date(timeIntervalSince1970: 2_000_000)
        for name in ["marie", "paul", "root"] { _ = throttle.failed(address: "198.51.100.1", name: name, now: now) }
        #expect(throttle.retryAfter(address: "198.51.100.1", name: "alain", now: now) == 600)
        #expect(throttle.retryAfter(address: "198.51.100.2", name: "alain", now: now) == nil)
        // One name tried from many addresses.
        for address in ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"] { _ = throttle.failed(address: address, name: "alain", now: now) }
        #expect(throttle.retryAfter(address: "203.0.113.9", name: "alain", now: now) == 900)
        #expect(throttle.retryAfter(address: "203.0.113.9", name: "marie", now: now) == nil)
    }

    @Test func forwardedForIsBelievedOnlyFromATrustedProxy() {
        let direct = ClientAddress()
        #expect(direct.resolve(peer: "198.51.100.4", forwardedFor: ["203.0.113.9"]) == "198.51.100.4")
        #expect(direct.resolve(peer: nil, forwardedFor: ["203.0.113.9"]) == "unknown")
        #expect(direct.resolve(peer: "::ffff:127.0.0.1", forwardedFor: []) == "127.0.0.1")
        let proxied = ClientAddress(trustedProxies: ["10.0.0.2", "10.0.0.3", "::1"])
        #expect(proxied.resolve(peer: "10.0.0.2", forwardedFor: ["203.0.113.9"]) == "203.0.113.9")
        // Read from the right: what the client wrote itself (left) is not believed past an untrusted hop.
        #expect(proxied.resolve(peer: "10.0.0.2", forwardedFor: ["1.2.3.4, 203.0.113.9", "10.0.0.3"]) == "203.0.113.9")
        #expect(proxied.resolve(peer: "::1", forwardedFor: ["[2001:db8::7]"]) == "2001:db8::7")
        #expect(proxied.resolve(peer: "10.0.0.2", forwardedFor: []) == "10.0.0.2")
        #expect(proxied.resolve(peer: "198.51.100.4", forwardedFor: ["203.0.113.9"]) == "198.51.100.4", "not a trusted proxy")
    }

    @Test func sessionsEndWhenIdleAndAtTheirLifetime() {
        let expiry = SessionExpiry(lifetime: 3600, idle: 600)
        let start = Date(timeIntervalSince1970: 3_000_000)
        var session = PanelSession(tokenHash: "h", userName: "marie", csrfToken: "c", createdAt: start, expiresAt: expiry.initial(at: start))
        #expect(session.expiresAt == start.addingTimeInterval(600))
        // A request soon after is not worth a write; one later moves the expiry on.
        #expect(expiry.extended(session, now: start.addingTimeInterval(30)) == nil)
        #expect(expiry.extended(session, now: start.addingTimeInterval(500)) == start.addingTimeInterval(1100))
        #expect(!expiry.isOver(session, now: start.addingTimeInterval(599)))
        #expect(expiry.isOver(session, now: start.addingTimeInterval(600)))
        // Never past the lifetime, however active.
        session.expiresAt = start.addingTimeInterval(3560)
        #expect(expiry.extended(session, now: start.addingTimeInterval(3400)) == nil, "40 s more is not worth a write")
        session.expiresAt = start.addingTimeInterval(3300)
        #expect(expiry.extended(session, now: start.addingTimeInterval(3200)) == start.addingTimeInterval(3600))
        // A lifetime shortened since the login counts too.
        session.expiresAt = start.addingTimeInterval(7000)
        #expect(expiry.isOver(session, now: start.addingTimeInterval(3600)))
        #expect(SessionExpiry(lifetime: 300, idle: 900).idle == 300)
    }

    @Test func formFieldsDecodePlusAndPercent() {
        let form = FormFields("name=Relance+printemps&statuses=New&statuses=No_answer&csrf=a%2Bb%3D&empty=")
        #expect(form["name"] == "Relance printemps")
        #expect(form.all("statuses") == ["New", "No_answer"])
        #expect(form["csrf"] == "a+b=")
        #expect(form.text("empty") == nil)
        #expect(form["missing"] == nil)
    }

    @Test func multipartUploadsSplitIntoFields() throws {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntoken\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.csv\"\r\nContent-Type: text/csv\r\n\r\nphone\r\n0611111111\r\n\r\n--XyZ--\r\n"
        #expect(MultipartForm.boundary(contentType: "multipart/form-data; boundary=XyZ") == "XyZ")
        #expect(MultipartForm.boundary(contentType: "text/plain") == nil)
        let form = try #require(MultipartForm(body: Data(body.utf8), boundary: "XyZ"))
        #expect(form.field("csrf") == "token")
        let file = try #require(form.file("file"))
        #expect(file.filename == "c.csv")
        #expect(String(decoding: file.data, as: UTF8.self) == "phone\r\n0611111111\r\n")
        #expect(MultipartForm(body: Data("nothing".utf8), boundary: "XyZ") == nil)
    }

    @Test func languageComesFromQueryThenCookieThenBrowser() {
        #expect(Language.choose(query: nil, cookie: nil, acceptLanguage: nil) == .fr)
        #expect(Language.choose(query: "en", cookie: "fr", acceptLanguage: "fr") == .en)
        #expect(Language.choose(query: "xx", cookie: "en", acceptLanguage: "fr") == .en)
        #expect(Language.choose(query: nil, cookie: nil, acceptLanguage: "de-DE,en-GB;q=0.8") == .en)
        #expect(Language.choose(query: nil, cookie: nil, acceptLanguage: "de-DE") == .fr)
    }

    @Test func everyTemplateStringExistsInBothLanguages() throws {
        let folder = try #require(PageRenderer.templateDirectory)
        var used: Set<String> = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            let text = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
            let regex = try NSRegularExpression(pattern: "\\{\\{t\\.([a-z_]+)\\}\\}")
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                used.insert(String(text[Range(match.range(at: 1), in: text)!]))
            }
        }
        #expect(used.count > 100)
        #expect(used.subtracting(Strings.french.keys).isEmpty, "missing in French: \(used.subtracting(Strings.french.keys).sorted())")
        #expect(Set(Strings.french.keys) == Set(Strings.english.keys))
        #expect(Strings.entries.count == Strings.french.count, "a key is listed twice")
    }

    @Test func valuesFromTheDataHaveLabelsInBothLanguages() throws {
        let builtin = try ScenarioLoader.parse(try ScenarioLoader.builtinText)
        let values: [(String, [String])] = [
            ("status", CallStatus.allCases.map(\.rawValue)), ("contact", ContactStatus.allCases.map(\.rawValue)),
            ("campaign", CampaignStatus.allCases.map(\.rawValue)), ("queue", QueueStatus.allCases.map(\.rawValue)),
            ("intent", ScenarioEvent.allCases.map(\.rawValue) + Intent.allCases.map(\.rawValue)), ("amd", AMDResult.allCases.map(\.rawValue)),
            ("step", Array(builtin.steps.keys)),
        ]
        for (prefix, raws) in values {
            for raw in raws {
                #expect(Strings.french["\(prefix)_\(raw)"] != nil, "no label for \(prefix) \(raw)")
                #expect(!Strings.label(.en, prefix, raw).contains("_"), "\(prefix) \(raw) in English: \(Strings.label(.en, prefix, raw))")
            }
        }
        #expect(Strings.label(.en, "contact", "Not_interested") == "Not interested")
        #expect(Strings.label(.fr, "contact", "Not_interested") == "Pas intéressé")
        #expect(Strings.label(.en, "status", "no_answer") == "No answer")
        #expect(Strings.label(.fr, "intent", "positive") == "Positif" && Strings.label(.en, "intent", "positive") == "Positive")
        #expect(Strings.label(.en, "step", "hello") == "Greeting")
        #expect(Strings.label(.en, "step", "my_own_step") == "my_own_step", "a scenario's own step keeps its name")
    }

    @Test func configurationSecretsAreMasked() {
        #expect(WebPanel.maskURLPassword("postgres://minibot:hunter2@db:5432/minibot") == "postgres://minibot:••••••@db:5432/minibot")
        #expect(WebPanel.maskURLPassword("sqlite:///var/lib/minibot.sqlite") == "sqlite:///var/lib/minibot.sqlite")
        #expect(WebPanel.isSecretKey("password") && WebPanel.isSecretKey("api_key") && WebPanel.isSecretKey("auth_token"))
        #expect(!WebPanel.isSecretKey("max_attempts") && !WebPanel.isSecretKey("host"))
    }

    @Test func chartScalesToNiceSteps() {
        #expect(HourlyChart.niceCeiling(0) == 4)
        #expect(HourlyChart.niceCeiling(7) == 8)
        #expect(HourlyChart.niceCeiling(33) == 40)
        #expect(HourlyChart.niceCeiling(1234) == 2000)
        let svg = HourlyChart(bars: [.init(hour: 9, calls: 3, leads: 1)], title: "t<", callsLabel: "calls", leadsLabel: "leads").svg()
        #expect(svg.contains("<title id=\"chart-svg-title\">t&lt;</title>"))
        #expect(svg.contains("class=\"bar-lead\""))
    }
}
