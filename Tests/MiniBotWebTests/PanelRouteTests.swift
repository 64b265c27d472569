import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MiniBotAudio
import MiniBotCore
import MiniBotStore
import MiniBotTestSupport
import MiniBotWeb
import Testing

@Suite("Panel routes (HummingbirdTesting, SQLite)")
struct PanelRouteTests {
    @Test func pagesNeedALogin() async throws {
        try await withPanel { panel in
            for path in ["/panel", "/panel/campaigns", "/panel/contacts", "/panel/calls", "/panel/calls/b", "/panel/scenarios",
                         "/panel/optouts", "/panel/settings", "/panel/live", "/panel/events", "/panel/contacts/export", "/panel/files/assembled/b.wav"] {
                let response = try await panel.get(path)
                #expect(response.status == .seeOther, "\(path)")
                #expect(response.headers[.location]?.hasPrefix("/panel/login?next=") == true, "\(path)")
            }
            let root = try await panel.get("/")
            #expect(root.status == .seeOther && root.headers[.location] == "/panel")
            // The panel opens no API route: those still want a key.
            #expect(try await panel.get("/calls").status == .unauthorized)
            #expect(try await panel.get("/panel/assets/panel.css").status == .ok)
        }
    }

    @Test func loginSetsAStrictHttpOnlySessionCookieAndLogoutEndsIt() async throws {
        try await withPanel { panel in
            let form = try await panel.get("/panel/login")
            #expect(form.status == .ok && form.text.contains("Se connecter"))
            #expect(form.headers[values: .setCookie].contains { $0.hasPrefix("minibot_login_csrf=") && $0.contains("SameSite=Strict") && $0.contains("HttpOnly") })
            let response = try await panel.login()
            #expect(response.status == .seeOther && response.headers[.location] == "/panel")
            let cookie = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("minibot_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/") && !cookie.contains("Secure"))
            let token = try #require(panel.cookies["minibot_session"])
            // Only the token's hash is stored.
            let session = try #require(try await panel.store.session(tokenHash: Tokens.hash(token), now: Date()))
            #expect(session.userName == "marie" && session.tokenHash != token)
            let dashboard = try await panel.get("/panel")
            #expect(dashboard.status == .ok)
            #expect(dashboard.text.contains("Tableau de bord") && dashboard.text.contains("marie"))
            #expect(dashboard.headers[.contentType] == "text/html; charset=utf-8")
            #expect(dashboard.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("default-src 'self'") == true)

            let csrf = try await panel.sessionCSRF()
            let logout = try await panel.post("/panel/logout", [("csrf", csrf)])
            #expect(logout.status == .seeOther && logout.headers[.location] == "/panel/login")
            #expect(try await panel.store.session(tokenHash: Tokens.hash(token), now: Date()) == nil)
            // The old cookie opens nothing any more.
            _ = try await panel.send(.get, "/panel", headers: [.cookie: "minibot_session=\(token)"])
            #expect(try await panel.send(.get, "/panel", headers: [.cookie: "minibot_session=\(token)"]).status == .seeOther)
        }
    }

    @Test func wrongPasswordsFailAndAreThrottled() async throws {
        try await withPanel(throttle: LoginThrottle(perAddress: LoginThrottleState(limit: 3, window: 600, delayStep: 0))) { panel in
            for _ in 0..<3 {
                let failed = try await panel.login("marie", "wrong password")
                #expect(failed.status == .unauthorized)
                #expect(failed.text.contains("Identifiant ou mot de passe incorrect."))
            }
            // Even the right password waits now.
            let throttled = try await panel.login()
            #expect(throttled.status == .tooManyRequests)
            #expect(throttled.headers[.retryAfter] != nil)
            #expect(throttled.text.contains("Trop de tentatives : réessayez dans 10 minutes."))
            #expect(panel.cookies["minibot_session"] == nil)
        }
    }

    /// Issue #10: five failures from one address, whatever the names, and the sixth attempt is refused, right password or not.
    @Test func aSixthAttemptFromOneAddressIsRefusedWhateverTheNameUntilTheWindowPasses() async throws {
        let clock = ManualClock()
        try await withPanel(throttle: LoginThrottle(perAddress: LoginThrottleState(limit: 5, window: 600, slowAfter: 2, delayStep: 0.05)),
                            clock: clock) { panel in
            for name in ["marie", "admin", "root", "paul", "marie"] {
                #expect(try await panel.login(name, "wrong password").status == .unauthorized)
                clock.advance(10)
            }
            let refused = try await panel.login()
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "550", "600 s from the first failure, 50 s ago")
            #expect(panel.cookies["minibot_session"] == nil)
            #expect(try await panel.login("someone-else", "x").status == .tooManyRequests)
            clock.advance(551)
            #expect(try await panel.login().status == .seeOther, "the window has passed")

            // A success forgets the address's failures.
            panel.forgetCookies()
            for _ in 0..<4 { #expect(try await panel.login("marie", "wrong password").status == .unauthorized) }
            #expect(try await panel.login().status == .seeOther)
            panel.forgetCookies()
            for _ in 0..<4 { #expect(try await panel.login("marie", "wrong password").status == .unauthorized) }
            #expect(try await panel.login().status == .seeOther)
        }
    }

    /// A login as if through a proxy that says the client is `client`.
    static func attempt(_ panel: PanelHarness, from client: String, password: String) async throws -> HTTPResponse.Status {
        let forwarded: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: client]
        let form = try await panel.send(.get, "/panel/login", headers: forwarded)
        let body = [("csrf", panel.csrf(from: form)), ("name", PanelHarness.user), ("password", password)]
            .map { "\(panel.encode($0.0))=\(panel.encode($0.1))" }.joined(separator: "&")
        return try await panel.send(.post, "/panel/login", body: body, contentType: "application/x-www-form-urlencoded", headers: forwarded).status
    }

    /// Over a real socket: behind a trusted proxy each X-Forwarded-For client has its own count; without one, the header changes nothing.
    @Test func forwardedForNamesTheClientOnlyBehindATrustedProxy() async throws {
        let throttle = { LoginThrottle(perAddress: LoginThrottleState(limit: 2, window: 600, delayStep: 0), perName: LoginThrottleState(limit: 100)) }
        let proxied = PanelConfiguration(clientAddress: ClientAddress(trustedProxies: ["127.0.0.1", "::1"]), passwordRounds: 1000)
        try await withPanel(mode: .live, configuration: proxied, throttle: throttle()) { panel in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<2 { statuses.append(try await Self.attempt(panel, from: "203.0.113.5", password: "wrong")) }
            statuses.append(try await Self.attempt(panel, from: "203.0.113.5", password: PanelHarness.password))
            statuses.append(try await Self.attempt(panel, from: "203.0.113.6", password: PanelHarness.password))
            #expect(statuses == [.unauthorized, .unauthorized, .tooManyRequests, .seeOther])
        }
        try await withPanel(mode: .live, throttle: throttle()) { panel in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<2 { statuses.append(try await Self.attempt(panel, from: "203.0.113.5", password: "wrong")) }
            // Anyone can write the header: without a trusted proxy it is the connection's address that counts.
            statuses.append(try await Self.attempt(panel, from: "203.0.113.6", password: PanelHarness.password))
            #expect(statuses == [.unauthorized, .unauthorized, .tooManyRequests])
        }
    }

    @Test func sessionsEndAfterIdlingAndAtTheirLifetimeHoweverActive() async throws {
        let clock = ManualClock()
        let configuration = PanelConfiguration(sessionLifetime: 3600, sessionIdleTimeout: 600, passwordRounds: 1000)
        try await withPanel(configuration: configuration, clock: clock) { panel in
            let login = try await panel.login()
            #expect(login.status == .seeOther)
            let cookie = try #require(login.headers[values: .setCookie].first { $0.hasPrefix("minibot_session=") })
            #expect(cookie.contains("Max-Age=3600"))
            // Each request moves the idle expiry on.
            for _ in 0..<3 {
                clock.advance(500)
                #expect(try await panel.get("/panel").status == .ok)
            }
            clock.advance(601)
            let idle = try await panel.get("/panel")
            #expect(idle.status == .seeOther && idle.headers[.location]?.hasPrefix("/panel/login") == true, "ten idle minutes end the login")

            #expect(try await panel.login().status == .seeOther)
            for _ in 0..<7 {
                clock.advance(500)
                #expect(try await panel.get("/panel/calls").status == .ok)
            }
            clock.advance(101)
            #expect(try await panel.get("/panel/calls").status == .seeOther, "an hour after the login, however active")
            #expect(try await panel.store.session(tokenHash: Tokens.hash(panel.cookies["minibot_session"] ?? ""), now: clock.now) == nil)

            // The dashboard's own refreshes are no activity: an unattended screen is logged out.
            #expect(try await panel.login().status == .seeOther)
            for _ in 0..<2 {
                clock.advance(290)
                #expect(try await panel.get("/panel/live").status == .ok)
            }
            clock.advance(30)
            #expect(try await panel.get("/panel/live").status == .seeOther, "ten minutes after the last page, however often the script polled")
        }
    }

    @Test func loginWithoutItsCSRFTokenIsRefused() async throws {
        try await withPanel { panel in
            _ = try await panel.get("/panel/login")
            let response = try await panel.post("/panel/login", [("csrf", "forged"), ("name", PanelHarness.user), ("password", PanelHarness.password)])
            #expect(response.status == .forbidden)
            #expect(panel.cookies["minibot_session"] == nil)
        }
    }

    @Test func everyFormWantsTheSessionsCSRFToken() async throws {
        try await withPanel { panel in
            try await seedPanel(panel.store, dataDir: panel.dataDir)
            _ = try await panel.login()
            let forms: [(String, [(String, String)])] = [("/panel/campaigns", [("name", "x")]), ("/panel/campaigns/c1/status", [("status", "pause")]),
                                   ("/panel/optouts", [("phone", "0611111111")]), ("/panel/settings/apikeys", [("name", "k"), ("scope", "admin")]),
                                   ("/panel/logout", [])]
            for (path, fields) in forms {
                let missing = try await panel.post(path, fields)
                #expect(missing.status == .forbidden, "\(path)")
                let wrong = try await panel.post(path, fields + [("csrf", Tokens.random())])
                #expect(wrong.status == .forbidden, "\(path)")
            }
            #expect(try await panel.store.campaign(id: "c1")?.status == .active)
            #expect(try await panel.store.apiKeys().isEmpty)
            #expect(try await panel.store.optOuts(limit: 10, offset: 0).isEmpty)
        }
    }

    @Test func everyPageRendersWithData() async throws {
        try await withPanel { panel in
            try await seedPanel(panel.store, dataDir: panel.dataDir)
            _ = try await panel.login()
            let expectations: [(String, [String])] = [
                ("/panel", ["Appels aujourd’hui", "<svg class=\"chart\"", "+33622222222", "Derniers leads"]),
                ("/panel/campaigns", ["Relance printemps", "Nouvelle campagne", "universal"]),
                ("/panel/campaigns/c1", ["Relance printemps", "Mettre en pause", "Avancement"]),
                ("/panel/contacts", ["Léa", "ACME", "Importer un CSV"]),
                ("/panel/contacts?status=Leads", []),
                ("/panel/contacts?search=acme", ["ACME"]),
                ("/panel/calls", ["2 appels", "+33611111111"]),
                ("/panel/calls?lead=true", ["1 appels"]),
                ("/panel/calls?campaign_id=c1&status=completed", ["+33622222222"]),
                ("/panel/calls/b", ["oui bonjour", "Positif", "0.91", "/panel/files/assembled/b.wav", "<audio"]),
                ("/panel/scenarios", ["hello", "is_leads", "bye_success"]),
                ("/panel/optouts", ["La liste est vide."]),
                ("/panel/settings", ["Clés d’API", "Configuration en vigueur"]),
            ]
            // Render time is PanelRenderTimeTests' business (printed, never asserted: a loaded machine is not a slow panel).
            for (path, texts) in expectations {
                let page = try await panel.get(path)
                #expect(page.status == .ok, "\(path): \(page.text.prefix(300))")
                for text in texts { #expect(page.text.contains(text), "\(path) lacks \(text)") }
                #expect(!page.text.contains("{{"), "\(path) has an unrendered tag")
            }
            #expect(try await panel.get("/panel/calls/nope").status == .notFound)
            #expect(try await panel.get("/panel/campaigns/nope").status == .notFound)
        }
    }

    @Test func englishOnRequestAndRemembered() async throws {
        try await withPanel { panel in
            _ = try await panel.login()
            let english = try await panel.get("/panel?lang=en")
            #expect(english.text.contains("Dashboard") && english.text.contains("<html lang=\"en\">"))
            #expect(panel.cookies["minibot_lang"] == "en")
            #expect(try await panel.get("/panel/calls").text.contains("No call matches."))
            #expect(try await panel.get("/panel/calls?lang=fr").text.contains("Aucun appel ne correspond."))
        }
    }

    @Test func dataValuesAreShownInThePagesLanguage() async throws {
        try await withPanel { panel in
            try await seedPanel(panel.store, dataDir: panel.dataDir)
            try await panel.store.importContacts { sink in try await sink.upsert([try upsert("+33633333333", first: "Zoé", status: .notInterested)], at: Date()) }
            _ = try await panel.login()
            let checks: [(String, [String], [String])] = [
                ("/panel/calls/b?lang=en", ["Greeting", ">Positive<", "Completed", "Lead"], [">positive<", ">hello<"]),
                ("/panel/calls/b?lang=fr", ["Accueil", ">Positif<", "Terminé"], [">positive<", ">hello<"]),
                ("/panel/contacts?lang=en", [">Not interested<", "Not interested (1)"], [">Not_interested<", "Not_interested ("]),
                ("/panel/contacts?lang=fr", [">Pas intéressé<"], [">Not_interested<"]),
                ("/panel/calls?lang=en", ["No answer", ">Lead<"], [">no_answer<"]),
                ("/panel/scenarios?lang=en", ["Greeting", "Offer", ">Not understood<", ">Silence<", "Goodbye (lead)", "(Not interested)", "(No answer)"],
                 [">unknown<", "Not_interested", "No_answer"]),
                ("/panel/scenarios?lang=fr", ["Accueil", "Proposition", ">Incompris<", "(Pas intéressé)"], [">unknown<", "Not_interested"]),
                ("/panel?lang=en", ["No answer", "Lead"], ["No_answer", "Not_interested"]),
            ]
            for (path, present, absent) in checks {
                let page = try await panel.get(path)
                for text in present { #expect(page.text.contains(text), "\(path) lacks \(text)") }
                for text in absent { #expect(!page.text.contains(text), "\(path) shows \(text)") }
            }
        }
    }

    @Test func theLiveUpdateCarriesTheLatestLeads() async throws {
        try await withPanel { panel in
            _ = try await panel.login()
            func leads() async throws -> String {
                let json = try JSONSerialization.jsonObject(with: Data(try await panel.get("/panel/live").text.utf8)) as? [String: Any]
                return json?["leads_html"] as? String ?? ""
            }
            #expect(try await leads().contains("Pas encore de lead."))
            #expect(try await panel.get("/panel").text.contains("id=\"latest-leads\""))
            try await seedPanel(panel.store, dataDir: panel.dataDir)
            let html = try await leads()
            #expect(html.contains("+33622222222") && html.contains("/panel/calls/b") && !html.contains("+33611111111"))
            #expect(html.contains("Exporter les leads"))
        }
    }

    @Test func callAudioIsServedWithRangesToTheSessionOnly() async throws {
        try await withPanel { panel in
            try await seedPanel(panel.store, dataDir: panel.dataDir)
            _ = try await panel.login()
            let whole = try await panel.get("/panel/files/assembled/b.wav")
            #expect(whole.status == .ok && whole.body.readableBytes == 1000 && whole.headers[.contentType] == "audio/wav")
            let part = try await panel.send(.get, "/panel/files/assembled/b.wav", headers: [.range: "bytes=100-199"])
            #expect(part.status == .partialContent && part.body.readableBytes == 100)
            #expect(part.headers[.contentRange] == "bytes 100-199/1000")
            for name in ["..%2F..%2Fetc%2Fpasswd", "missing.wav", ".hidden"] {
                #expect(try await panel.get("/panel/files/assembled/\(name)").status == .notFound, "\(name)")
            }
        }
    }

    @Test func campaignIsCreatedFromASelectionAndPausedResumedCancelled() async throws {
        try await withPanel { panel in
            try await seedPanel(panel.store, dataDir: panel.dataDir)
            _ = try await panel.login()
            let csrf = try await panel.sessionCSRF()
            let invalid = try await panel.post("/panel/campaigns", [("csrf", csrf), ("name", "  "), ("scenario", "universal")])
            #expect(invalid.status == .unprocessableContent && invalid.text.contains("name: must not be empty"))
            let created = try await panel.post("/panel/campaigns", [("csrf", csrf), ("name", "Été"), ("scenario", "universal"),
                                                                    ("statuses", "New"), ("max_attempts", "2")])
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location])
            let id = String(location.dropFirst("/panel/campaigns/".count))
            let campaign = try #require(try await panel.store.campaign(id: id))
            #expect(campaign.name == "Été" && campaign.settings.maxAttempts == 2)
            #expect(try await panel.store.queueSummary(campaignID: id)[.pending] == 2)
            let page = try await panel.get(location)
            #expect(page.text.contains("Campagne créée : 2 contacts en file."))
            #expect(!(try await panel.get(location)).text.contains("Campagne créée"), "a flash shows once")

            for (verb, status) in [("pause", CampaignStatus.paused), ("resume", .active), ("cancel", .cancelled)] {
                let changed = try await panel.post("/panel/campaigns/\(id)/status", [("csrf", csrf), ("status", verb)])
                #expect(changed.status == .seeOther)
                #expect(try await panel.store.campaign(id: id)?.status == status)
            }
            let again = try await panel.post("/panel/campaigns/\(id)/status", [("csrf", csrf), ("status", "resume")])
            #expect(again.status == .seeOther)
            #expect(try await panel.get(location).text.contains("cannot become active"))

            let live = try await panel.get("/panel/live?campaign=\(id)")
            let json = try JSONSerialization.jsonObject(with: Data(live.text.utf8)) as? [String: Any]
            #expect(json?["campaign_status"] as? String == "cancelled")
            #expect((json?["campaign_html"] as? String)?.contains("progressbar") == true)
            #expect(json?["campaign_status_label"] as? String == "Annulée")
            #expect((json?["chart_html"] as? String)?.hasPrefix("<svg") == true)
            #expect((json?["outcomes_html"] as? String)?.contains("share-bar") == true)
            #expect((json?["kpi"] as? [String: Any])?["calls"] as? String == "2", "the two seeded calls are today's: \(json?["kpi"] ?? "")")
        }
    }

    @Test func csvUploadShowsTheImportReportAndExportGivesTheLeads() async throws {
        try await withPanel { panel in
            try await seedPanel(panel.store, dataDir: panel.dataDir)
            _ = try await panel.login()
            let csrf = try await panel.sessionCSRF()
            let csv = "phone,first_name,company\n06 33 33 33 33,Zoé,Initech\n0644444444,Yann,\nnot a phone,X,\n"
            let boundary = "----minibot\(UUID().uuidString)"
            let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)\r\n" +
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"leads.csv\"\r\nContent-Type: text/csv\r\n\r\n\(csv)\r\n--\(boundary)--\r\n"
            let report = try await panel.send(.post, "/panel/contacts/import", body: body, contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(report.status == .ok)
            #expect(report.text.contains("Rapport d’import") && report.text.contains("id=\"report-imported\">2<"))
            #expect(report.text.contains("not a phone"))
            #expect(!report.text.contains("Colonnes ignorées"), "no column was ignored")
            #expect(try await panel.store.contact(phone: "+33633333333")?.firstName == "Zoé")

            let forged = body.replacingOccurrences(of: csrf, with: "forged")
            #expect(try await panel.send(.post, "/panel/contacts/import", body: forged, contentType: "multipart/form-data; boundary=\(boundary)").status == .forbidden)

            // Mark Paul a lead, as a finished call would.
            try await panel.store.importContacts { sink in try await sink.upsert([try upsert("+33622222222", status: .optOut)], at: Date()) }
            let export = try await panel.get("/panel/contacts/export?status=Opt_out")
            #expect(export.status == .ok && export.headers[.contentDisposition]?.contains("contacts-opt_out.csv") == true)
            #expect(export.text.contains("+33622222222") && !export.text.contains("+33633333333"))
            let all = try await panel.get("/panel/contacts/export")
            #expect(all.text.split(whereSeparator: \.isNewline).count == 5)
        }
    }

    @Test func optOutsAndAPIKeysAreManagedFromThePanel() async throws {
        try await withPanel { panel in
            _ = try await panel.login()
            let csrf = try await panel.sessionCSRF()
            let added = try await panel.post("/panel/optouts", [("csrf", csrf), ("phone", "06 12 34 56 78")])
            #expect(added.status == .seeOther)
            #expect(try await panel.store.isOptedOut(phone: "+33612345678"))
            #expect(try await panel.get("/panel/optouts").text.contains("+33612345678 ajouté à la liste d’opposition."))
            // A number checked as the dialer checks it, in any form; what was typed stays in the field, escaped.
            #expect(try await panel.get("/panel/optouts?check=%2B33%206%2012%2034%2056%2078").text
                .contains("+33612345678 est sur la liste : il ne sera jamais appelé."))
            _ = try await panel.post("/panel/optouts/remove", [("csrf", csrf), ("key", "+33612345678")])
            #expect(try await !panel.store.isOptedOut(phone: "+33612345678"))
            #expect(try await panel.get("/panel/optouts?check=0612345678").text.contains("+33612345678 n’est pas sur la liste."))
            let invalid = try await panel.get("/panel/optouts?check=%3Cb%3Enope").text
            #expect(invalid.contains("Numéro invalide") && invalid.contains("&lt;b&gt;nope") && !invalid.contains("<b>nope"))

            let created = try await panel.post("/panel/settings/apikeys", [("csrf", csrf), ("name", "crm"), ("scope", "read")])
            #expect(created.status == .ok)
            let html = created.text
            let start = try #require(html.range(of: "id=\"new-key\">"))
            let secret = String(html[start.upperBound...].prefix { $0 != "<" })
            #expect(secret.hasPrefix("mbk_"))
            // The key works on the API at once, and stops when revoked from the panel.
            #expect(try await panel.send(.get, "/calls", headers: [.authorization: "Bearer \(secret)"]).status == .ok)
            let key = try #require(try await panel.store.apiKeys().first)
            #expect(!(try await panel.get("/panel/settings")).text.contains(secret), "a key is shown once")
            _ = try await panel.post("/panel/settings/apikeys/revoke", [("csrf", csrf), ("id", key.id)])
            #expect(try await panel.send(.get, "/calls", headers: [.authorization: "Bearer \(secret)"]).status == .unauthorized)
        }
    }

    @Test func anUploadedPromptIsPreparedWhereTheScenarioReadsIt() async throws {
        try await withPanel { panel in
            _ = try await panel.login()
            let csrf = try await panel.sessionCSRF()
            let source = temporaryFolder("minibot-prompt") + "/voice.wav"
            try FileManager.default.createDirectory(atPath: (source as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try WAVFile.writePCM16(PCMBuffer(sampleRate: 16_000, samples: Tone.sine(440, seconds: 1.5, amplitude: 3000).samples), to: source)
            let audio = try Data(contentsOf: URL(fileURLWithPath: source))
            func upload(file: String, csrf: String) async throws -> TestResponse {
                let boundary = "b\(UUID().uuidString)"
                var body = Data()
                for (name, value) in [("csrf", csrf), ("name", "universal"), ("file", file)] {
                    body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
                }
                body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"voice.wav\"\r\nContent-Type: audio/wav\r\n\r\n".utf8))
                body.append(audio)
                body.append(Data("\r\n--\(boundary)--\r\n".utf8))
                return try await panel.send(.post, "/panel/scenarios/prompt", data: body,
                                            contentType: "multipart/form-data; boundary=\(boundary)")
            }
            #expect(try await upload(file: "hello.wav", csrf: "forged").status == .forbidden)
            #expect(try await upload(file: "../../etc/passwd", csrf: csrf).status == .notFound)
            #expect(try await upload(file: "other.wav", csrf: csrf).status == .notFound)
            let done = try await upload(file: "hello.wav", csrf: csrf)
            #expect(done.status == .seeOther, "\(done.text.prefix(300))")
            let prepared = try WAVFile.read(path: panel.dataDir + "/prompts/universal/hello.wav")
            #expect(prepared.buffer.sampleRate == 8_000 && prepared.buffer.channels == 1)
            let page = try await panel.get("/panel/scenarios?name=universal")
            #expect(page.text.contains("Message hello.wav préparé"))
            #expect(page.text.contains("/panel/scenarios/prompt?name=universal&amp;file=hello.wav"))
            let played = try await panel.get("/panel/scenarios/prompt?name=universal&file=hello.wav")
            #expect(played.status == .ok && played.headers[.contentType] == "audio/wav")
        }
    }

    @Test func nextOnlyLeadsInsideThePanel() async throws {
        try await withPanel { panel in
            let form = try await panel.get("/panel/login?next=//evil.example/x")
            let response = try await panel.post("/panel/login", [("csrf", panel.csrf(from: form)), ("name", PanelHarness.user),
                                                                 ("password", PanelHarness.password), ("next", "https://evil.example")])
            #expect(response.headers[.location] == "/panel")
            panel.forgetCookies()
            let deep = try await panel.get("/panel/login?next=%2Fpanel%2Fcalls")
            #expect(deep.text.contains("value=\"/panel/calls\""))
        }
    }
}

@Suite("Panel users and sessions in the store")
struct PanelStoreTests {
    @Test(arguments: Backend.available)
    func usersAndSessions(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            let now = Date(timeIntervalSince1970: 1_790_000_000)
            try await store.createUser(PanelUser(name: "marie", passwordHash: "h1", createdAt: now, updatedAt: now))
            await #expect(throws: StoreError.self) {
                try await store.createUser(PanelUser(name: "marie", passwordHash: "h2", createdAt: now, updatedAt: now))
            }
            try await store.createUser(PanelUser(name: "alain", passwordHash: "h3", createdAt: now, updatedAt: now))
            #expect(try await store.users().map(\.name) == ["alain", "marie"])
            let session = PanelSession(tokenHash: "t1", userName: "marie", csrfToken: "c1", createdAt: now, expiresAt: now.addingTimeInterval(60))
            try await store.createSession(session)
            try await store.createSession(PanelSession(tokenHash: "t2", userName: "alain", csrfToken: "c2", createdAt: now, expiresAt: now.addingTimeInterval(10)))
            #expect(try await store.session(tokenHash: "t1", now: now) == session)
            #expect(try await store.session(tokenHash: "t1", now: now.addingTimeInterval(60)) == nil)
            // Activity moves the expiry later, never earlier.
            try await store.extendSession(tokenHash: "t1", expiresAt: now.addingTimeInterval(120))
            try await store.extendSession(tokenHash: "t1", expiresAt: now.addingTimeInterval(90))
            #expect(try await store.session(tokenHash: "t1", now: now.addingTimeInterval(100))?.expiresAt == now.addingTimeInterval(120))
            try await store.extendSession(tokenHash: "missing", expiresAt: now.addingTimeInterval(120))
            #expect(try await store.deleteExpiredSessions(now: now.addingTimeInterval(30)) == 1)
            #expect(try await store.setUserPassword(name: "marie", hash: "h9", at: now.addingTimeInterval(5)))
            #expect(try await store.user(name: "marie")?.passwordHash == "h9")
            #expect(try await store.session(tokenHash: "t1", now: now) == nil, "a new password ends the sessions")
            #expect(try await !store.setUserPassword(name: "nobody", hash: "x", at: now))
            try await store.createSession(PanelSession(tokenHash: "t3", userName: "alain", csrfToken: "c3", createdAt: now, expiresAt: now.addingTimeInterval(60)))
            #expect(try await store.deleteUser(name: "alain"))
            #expect(try await store.session(tokenHash: "t3", now: now) == nil)
            #expect(try await !store.deleteUser(name: "alain"))
            try await store.deleteSession(tokenHash: "missing")
        }
    }

    @Test(arguments: Backend.available)
    func callActivityPerHour(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            let hour = Date(timeIntervalSince1970: 1_790_000_000 - 1_790_000_000.truncatingRemainder(dividingBy: 3600))
            try await store.importContacts { sink in try await sink.upsert([try upsert("+33611111111")], at: hour) }
            let calls: [(String, TimeInterval, CallStatus, Bool, ContactStatus?)] = [
                ("a", 10, .completed, true, .leads), ("b", 20, .completed, false, .notInterested), ("c", 3700, .noAnswer, false, nil),
                ("d", 3800, .completed, true, .leads), ("e", -10, .busy, false, nil), ("f", 7300, .busy, false, nil),
            ]
            for (id, offset, status, lead, outcome) in calls {
                try await store.saveCall(Call(callID: id, phone: "+33611111111", status: status, isLead: lead, startedAt: hour.addingTimeInterval(offset), outcome: outcome))
            }
            let rows = try await store.callActivity(from: hour, to: hour.addingTimeInterval(7200))
            #expect(rows.reduce(0) { $0 + $1.calls } == 4)
            #expect(Set(rows.map(\.hour)) == [hour, hour.addingTimeInterval(3600)])
            let first = rows.filter { $0.hour == hour }
            #expect(first.reduce(0) { $0 + $1.leads } == 1 && first.count == 2)
            #expect(rows.contains { $0.hour == hour.addingTimeInterval(3600) && $0.status == "no_answer" && $0.outcome == nil && $0.calls == 1 })
        }
    }
}
