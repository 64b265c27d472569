@testable import MiniBotARI
import Testing

@Suite("ARI client: URLs, escaping, credentials")
struct ClientTests {
    @Test(arguments: [
        ("http://127.0.0.1:8088", "http://127.0.0.1:8088"),
        ("http://127.0.0.1:8088/", "http://127.0.0.1:8088"),
        ("http://127.0.0.1:8088/ari", "http://127.0.0.1:8088"),
        ("https://pbx.example/asterisk/ari/", "https://pbx.example/asterisk"),
    ])
    func baseURL(given: String, expected: String) throws {
        #expect(try ARIClient(url: given, username: "u", password: "p").baseURL == expected)
    }

    @Test func refusesWhatCannotWork() {
        #expect(throws: ARIError.configuration("ari.url must not carry credentials: set ari.username and ari.password instead")) {
            _ = try ARIClient(url: "http://u:secret@127.0.0.1:8088", username: "u", password: "p")
        }
        #expect(throws: ARIError.self) { _ = try ARIClient(url: "127.0.0.1:8088", username: "u", password: "p") }
        #expect(throws: ARIError.self) { _ = try ARIAgent(configuration: .init(url: "http://127.0.0.1:8088", username: "u", password: "p", app: ""),
                                                           logger: .init(label: "test")) }
    }

    @Test func eventsURLFollowsTheScheme() throws {
        #expect(try ARIClient(url: "http://127.0.0.1:8088", username: "u", password: "p").eventsURL(app: "mini bot")
                == "ws://127.0.0.1:8088/ari/events?app=mini%20bot&subscribeAll=false")
        #expect(try ARIClient(url: "https://pbx.example", username: "u", password: "p").eventsURL(app: "m").hasPrefix("wss://pbx.example/ari/events?"))
    }

    /// Endpoints carry `/`, `@` and `+`: all escaped, so `+33…` does not become a space.
    @Test func queryValuesAreEscaped() {
        #expect(ARIClient.query([("endpoint", "PJSIP/+33612345678@trunk"), ("callerId", "\"Bot\" <+33162000000>")])
                == "endpoint=PJSIP%2F%2B33612345678%40trunk&callerId=%22Bot%22%20%3C%2B33162000000%3E")
    }

    /// The password is only in the Authorization header, never in what is printed.
    @Test func credentialsAreNeverPrinted() throws {
        let client = try ARIClient(url: "http://127.0.0.1:8088", username: "minibot", password: "s3cret-pw")
        #expect(client.authorization == "Basic bWluaWJvdDpzM2NyZXQtcHc=")
        let errors: [ARIError] = [.unauthorized(url: client.baseURL), .unreachable(url: client.baseURL, reason: "connection refused"),
                                  .notConnected("x")]
        for error in errors { #expect(!error.description.contains("s3cret-pw")) }
        #expect(!client.eventsURL(app: "m").contains("s3cret"))
        #expect(!"\(client.baseURL)".contains("s3cret"))
    }
}
