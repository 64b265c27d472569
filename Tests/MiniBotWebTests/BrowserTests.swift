import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MiniBotAudio
import MiniBotCore
import MiniBotDialer
import MiniBotSpeech
import MiniBotTestSupport
import Testing

/// A campaign manager's day in Debian's real headless Chromium, driven over
/// WebDriver, against the built `minibot serve` (panel, API and dialer) and
/// two baresip callees speaking French (Pico), heard by whisper.cpp: log in,
/// upload contacts, create and start a campaign, watch it live, open a call,
/// play its audio, read its transcript, export the leads. A screenshot of
/// every page lands in MINIBOT_TEST_SCREENSHOTS (default: a temporary folder).
@Suite("Panel in headless Chromium against minibot serve and baresip callees", .serialized)
struct BrowserTests {
    static let browserInstalled = WebDriver.chromium != nil && WebDriver.chromedriver != nil
    /// Under CI, scripts/setup installs Chromium: the test must run there, never skip.
    static let required = ProcessInfo.processInfo.environment["CI"] != nil

    struct Persona {
        var name: String
        var phone: String
        var answers: [String]
    }

    static let interested = Persona(name: "Camille Lefèvre", phone: "+33600000011",
                                    answers: ["Oui, bien sûr, allez-y.", "Oui, je suis propriétaire.", "Non, pas vraiment.", "Non, pas vraiment.",
                                              "Oui, tout à fait, ça m'intéresse beaucoup.", "Le matin, c'est mieux."])
    static let refuses = Persona(name: "Bruno Garnier", phone: "+33600000012",
                                 answers: ["Non merci, ça ne m'intéresse pas.", "Non, vraiment pas, au revoir."])

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test("log in, import, create and start a campaign, watch it live, open a call, play it, read it, export the leads",
          .enabled(if: browserInstalled || required, "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver; scripts/setup does)"))
    func campaignManagerJourney() async throws {
        let model = Self.repository + "/.deps/speech-test/ggml-base.bin"
        guard FileManager.default.fileExists(atPath: model) else { throw TestSetupError("\(model) is missing: run scripts/fetch-test-model (scripts/test does)") }
        guard let python = PicoSynthesizer.defaultPython() else { throw TestSetupError("no Python with py-nanotts: run scripts/setup") }
        let folder = temporaryFolder("minibot-browser")
        defer { if ProcessInfo.processInfo.environment["MINIBOT_TEST_KEEP"] == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let shots = ProcessInfo.processInfo.environment["MINIBOT_TEST_SCREENSHOTS"] ?? temporaryFolder("minibot-screenshots")
        try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
        print("panel screenshots: \(shots)")
        let pico = PicoSynthesizer(python: python)

        // The robot's prompts and a scenario named `printemps` that uses them, in DATA_DIR/scenarios.
        let data = folder + "/data"
        let promptFolder = folder + "/prompts"
        try FileManager.default.createDirectory(atPath: promptFolder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: data + "/scenarios", withIntermediateDirectories: true)
        let builtin = try ScenarioLoader.parse(try ScenarioLoader.builtinText)
        var promptLength: [String: Double] = [:]
        for step in builtin.steps.values {
            let audio = try Self.telephone(await pico.synthesize(step.prompt.text))
            try WAVFile.writePCM16(audio, to: promptFolder + "/" + step.prompt.file)
            promptLength[step.name] = Double(audio.samples.count) / 8_000
        }
        try (try ScenarioLoader.builtinText).replacingOccurrences(of: "prompts: .", with: "prompts: \(promptFolder)")
            .replacingOccurrences(of: "name: universal", with: "name: printemps")
            .write(toFile: data + "/scenarios/printemps.yaml", atomically: true, encoding: .utf8)

        // The callees.
        var callees: [String: Baresip] = [:]
        defer { for callee in callees.values { Task { await callee.peer.stop() } } }
        for persona in [Self.interested, Self.refuses] {
            let voice = folder + "/\(persona.phone).wav"
            try WAVFile.writePCM16(try await Self.track(persona, scenario: builtin, promptLength: promptLength, pico: pico), to: voice)
            let home = folder + "/callee-\(persona.phone)"
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
            callees[persona.phone] = try await Baresip.start(folder: home, voice: voice, lifetime: 600)
        }

        let port = PeerProcess.freePort()
        try """
            data_dir: \(data)
            database_url: "sqlite://\(folder)/minibot.sqlite"
            caller_id: {number: "+33162000000"}
            sip:
              bind_host: 127.0.0.1
              bind_port: 0
              rtp_port_min: 46000
              rtp_port_max: 46999
              routes:
                "\(Self.interested.phone)": "\(callees[Self.interested.phone]!.uri)"
                "\(Self.refuses.phone)": "\(callees[Self.refuses.phone]!.uri)"
            speech: {engine: local, model: "\(model)", threads: 2, concurrency: 2}
            dialer: {max_concurrent_calls: 2, delay_between_calls: 0.2, queue_check_interval: 0.5, ring_timeout: 10}
            listen: {defaults: {max_silence_seconds: 5, wait_before_stop: 1.2}, steps: {}}
            api: {host: 127.0.0.1, port: \(port)}
            log_level: info
            """.write(toFile: folder + "/minibot.yaml", atomically: true, encoding: .utf8)
        let environment = ["MINIBOT_CONFIG": folder + "/minibot.yaml"]

        // A user, created as the README says.
        let created = try await Self.run(["user", "create", "--name", "marie"], stdin: "motdepasse-solide\n", environment: environment)
        try #require(created.status == 0, "\(created.stderr)")

        let serveLog = folder + "/serve.log"
        FileManager.default.createFile(atPath: serveLog, contents: nil)
        let server = try MinibotProcess.start(["serve"], environment: environment, stderr: try FileHandle(forWritingTo: URL(fileURLWithPath: serveLog)))
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        let base = "http://127.0.0.1:\(port)"
        var up = false
        for _ in 0..<150 where !up {
            up = (try? await URLSession.shared.data(from: URL(string: base + "/health")!)) != nil
            if !up { try await Task.sleep(for: .milliseconds(200)) }
        }
        try #require(up, "minibot serve did not answer: \((try? String(contentsOfFile: serveLog, encoding: .utf8)) ?? "")")

        let browser = try await WebDriver.start(log: folder + "/chromedriver.log")
        var timings: [(String, Double)] = []
        func shot(_ name: String) async throws {
            try await browser.screenshot(to: shots + "/\(name).png")
            // Time to first byte of the page's HTML, as the browser measured it.
            let ttfb = try await browser.execute(
                "const n = performance.getEntriesByType('navigation')[0]; return n ? n.responseStart - n.requestStart : -1")
                .flatMap(WebDriver.number) ?? -1
            timings.append((name, ttfb))
        }
        do {
            try await browser.setTimeouts(script: 30_000)

            // 1. Log in.
            try await browser.open(base + "/panel")
            #expect(try await browser.url.contains("/panel/login"))
            try await shot("01-login")
            try await browser.type("#name", "marie")
            try await browser.type("#password", "mauvais")
            try await browser.click("button[type=submit]")
            try await browser.wait(seconds: 10, "the login error") { try await browser.pageText().contains("Identifiant ou mot de passe incorrect.") }
            try await browser.type("#password", "motdepasse-solide")
            try await browser.click("button[type=submit]")
            try await browser.wait(seconds: 10, "the dashboard") { try await browser.url.hasSuffix("/panel") }
            #expect(try await browser.text("h1") == "Tableau de bord")
            try await shot("02-dashboard-empty")

            // 2. Upload the contacts.
            let csv = folder + "/contacts.csv"
            try """
                phone,first_name,last_name,company
                \(Self.interested.phone),Camille,Lefèvre,Boulangerie Lefèvre
                \(Self.refuses.phone),Bruno,Garnier,
                01 23,Mauvais,Numéro,
                """.write(toFile: csv, atomically: true, encoding: .utf8)
            try await browser.open(base + "/panel/contacts")
            try await browser.attach("#file", file: csv)
            try await browser.click("form[enctype] button[type=submit]")
            try await browser.wait(seconds: 20, "the import report") { (try? await browser.find("#import-report")) != nil }
            #expect(try await browser.text("#report-imported") == "2")
            #expect(try await browser.pageText().contains("Camille"))
            try await shot("03-contacts-import")

            // 3. The scenario is ready.
            try await browser.open(base + "/panel/scenarios?name=printemps")
            #expect(try await browser.pageText().contains("Le scénario est valide"))
            #expect(try await browser.findAll("audio").count >= 9)
            try await shot("04-scenario")

            // A copy of it with a longer first wait, checked by the validator, saved under a new name.
            try await browser.click("#edit-scenario")
            try await browser.wait(seconds: 10, "the scenario editor") { (try? await browser.find("#yaml")) != nil }
            #expect(try await browser.execute("return document.getElementById('sc-name').value") as? String == "printemps-2")
            _ = try await browser.execute("""
                const area = document.getElementById('yaml'); area.value = area.value.replace('max_silence_seconds: 5', 'max_silence_seconds: 7'); return 1
                """)
            try await browser.click("button[value=check]")
            try await browser.wait(seconds: 10, "the check") { (try? await browser.find("#editor-valid")) != nil }
            try await shot("04b-scenario-editor")
            try await browser.click("button[value=save]")
            try await browser.wait(seconds: 10, "the saved scenario") { try await browser.pageText().contains("Scénario printemps-2 enregistré.") }
            #expect(try await browser.pageText().contains("Le scénario est valide"), "the copy finds the same prompts")
            #expect(FileManager.default.fileExists(atPath: data + "/scenarios/printemps-2.yaml"))

            // 4. Create and start a campaign (calling rules off: the test runs at any hour).
            try await browser.open(base + "/panel/campaigns")
            try await browser.type("#c-name", "Rénovation printemps")
            try await browser.click("#c-scenario option[value=printemps]")
            try await browser.click("input[name=compliance]")
            try await shot("05-campaign-form")
            try await browser.click("#campaign-form button[type=submit]")
            try await browser.wait(seconds: 10, "the campaign page") { try await browser.url.contains("/panel/campaigns/c-") }
            try await browser.wait(seconds: 10, "the campaign's flash") { try await browser.pageText().contains("Campagne créée : 2 contacts en file.") }
            let campaignURL = try await browser.url

            // 5. Watch the calls live on the dashboard: the page is not reloaded, the event stream updates it.
            try await browser.open(base + "/panel")
            _ = try await browser.execute("window.__stayed = true; return 1")
            let dashboardWindow = try await browser.window
            #expect(try await browser.text("#latest-leads").contains("Pas encore de lead."))
            try await browser.wait(seconds: 90, "a call on the line on the dashboard") {
                try await browser.findAll("#active-calls .badge-answered").count > 0
            }
            // Today's figures, shares and chart follow too.
            try await browser.wait(seconds: 10, "today's figures on the dashboard") { try await browser.text("#kpi-calls") == "2" }
            try await browser.wait(seconds: 10, "the outcome shares") { !(try await browser.text("#outcomes")).contains("Aucun appel") }
            #expect(WebDriver.bool(try await browser.execute("return window.__stayed === true")) == true)
            try await shot("06-dashboard-live")

            // 6. The campaign's progress, live, to the end, in a window of its own (the dashboard stays open in the first).
            let campaignWindow = try await browser.newWindow()
            try await browser.switchTo(window: campaignWindow)
            try await browser.open(campaignURL)
            _ = try await browser.execute("window.__stayed = true; return 1")
            try await shot("07-campaign-running")
            try await browser.wait(seconds: 240, "the campaign to reach 100 %") {
                try await browser.text("#campaign-progress").contains("100 %")
            }
            #expect(WebDriver.bool(try await browser.execute("return window.__stayed === true")) == true, "the progress must update without a reload")
            #expect(try await browser.text("#campaign-progress").contains("2 / 2"))
            try await shot("08-campaign-done")
            try await browser.closeWindow()
            try await browser.switchTo(window: dashboardWindow)

            // The dashboard, never reloaded, shows the new lead among the latest.
            try await browser.wait(seconds: 20, "the lead among the latest leads on the dashboard") {
                try await browser.text("#latest-leads").contains(Self.interested.phone)
            }
            #expect(!(try await browser.text("#latest-leads")).contains(Self.refuses.phone))
            #expect(WebDriver.bool(try await browser.execute("return window.__stayed === true")) == true, "the leads must update without a reload")
            try await shot("08b-dashboard-latest-leads")

            // 7. The calls, then the lead's call: audio, transcript.
            try await browser.open(base + "/panel/calls")
            #expect(try await browser.pageText().contains("2 appels"))
            try await shot("09-calls")
            try await browser.open(base + "/panel/calls?lead=true")
            try await browser.click("tbody a[href^='/panel/calls/']")
            try await browser.wait(seconds: 10, "the call page") { (try? await browser.find("#call-audio")) != nil }
            let duration = try await browser.executeAsync("""
                const done = arguments[arguments.length - 1]; const a = document.getElementById('call-audio');
                if (a.readyState >= 1) { done(a.duration); } else { a.addEventListener('loadedmetadata', () => done(a.duration)); a.addEventListener('error', () => done(-1)); a.load(); }
                """).flatMap(WebDriver.number) ?? -1
            #expect(duration > 5, "the call's WAV did not load in the player (duration \(duration))")
            let played = try await browser.executeAsync("""
                const done = arguments[arguments.length - 1]; const a = document.getElementById('call-audio');
                a.currentTime = 2; a.play().then(() => setTimeout(() => { done(a.currentTime); a.pause(); }, 1500)).catch(e => done(-1));
                """).flatMap(WebDriver.number) ?? -1
            #expect(played > 2.5, "the player did not seek and play (at \(played) s)")
            let leadCallURL = try await browser.url
            let transcript = try await browser.text(".transcript")
            for text in ["Accueil", "Question 1", "Proposition", "Positif"] { #expect(transcript.contains(text), "transcript lacks \(text): \(transcript)") }
            #expect(try await browser.findAll(".transcript .confidence").count >= 3)
            try await shot("10-call-lead")

            // 8. Export the leads, as the browser downloads them (with its session cookie).
            let export = try await browser.executeAsync("""
                const done = arguments[arguments.length - 1];
                fetch('/panel/contacts/export?status=Leads').then(r => r.text()).then(done).catch(() => done(''));
                """) as? String ?? ""
            #expect(export.contains(Self.interested.phone) && !export.contains(Self.refuses.phone), "leads export: \(export)")

            // 9. The other pages.
            try await browser.open(base + "/panel/calls?phone=%2B\(Self.refuses.phone.dropFirst())")
            try await browser.click("tbody a[href^='/panel/calls/']")
            try await browser.wait(seconds: 10, "the refusal's call page") { (try? await browser.find(".transcript")) != nil }
            #expect(try await browser.text(".transcript").contains("Négatif"))
            try await shot("11-call-refusal")
            try await browser.open(base + "/panel/campaigns")
            try await shot("12-campaigns")
            try await browser.open(base + "/panel")
            #expect(try await browser.text("#kpi-calls") == "2")
            try await shot("13-dashboard")
            try await browser.open(base + "/panel/optouts")
            try await browser.type("#o-phone", "06 99 88 77 66")
            try await browser.click("form.stack button[type=submit]")
            try await browser.wait(seconds: 10, "the number on the list") { try await browser.pageText().contains("+33699887766") }
            try await shot("14-optouts")
            try await browser.open(base + "/panel/settings")
            try await browser.type("#k-name", "CRM")
            try await browser.click("form.form-grid button[type=submit]")
            try await browser.wait(seconds: 10, "the new key") { try await browser.text("#new-key").hasPrefix("mbk_") }
            try await shot("15-settings")
            try await browser.open(base + "/panel?lang=en")
            #expect(try await browser.text("h1") == "Dashboard")
            try await shot("16-dashboard-english")
            // The data's values too: steps, intents, statuses.
            try await browser.open(leadCallURL)
            let english = try await browser.text(".transcript")
            for text in ["Greeting", "Question 1", "Offer", "Positive"] { #expect(english.contains(text), "English transcript lacks \(text): \(english)") }
            #expect(!english.contains("positive") && !english.contains("is_leads"))
            try await shot("16b-call-english")
            try await browser.open(base + "/panel?lang=fr")

            // 10. On a phone.
            try await browser.resize(width: 390, height: 844)
            try await browser.open(base + "/panel")
            try await shot("17-phone-dashboard")
            try await browser.click(".menu-toggle")
            try await shot("18-phone-menu")
            try await browser.open(campaignURL)
            try await shot("19-phone-campaign")
            try await browser.resize(width: 1366, height: 900)

            // 11. Log out.
            try await browser.open(base + "/panel")
            try await browser.click(".account button")
            try await browser.wait(seconds: 10, "the login page") { try await browser.url.contains("/panel/login") }
            try await browser.open(base + "/panel/calls")
            #expect(try await browser.url.contains("/panel/login"))
        } catch {
            try? await browser.screenshot(to: shots + "/failure.png")
            await browser.quit()
            Issue.record("\(error)\n--- serve log ---\n\(((try? String(contentsOfFile: serveLog, encoding: .utf8)) ?? "").suffix(4000))")
            throw error
        }
        await browser.quit()
        print("panel page times (time to first byte, ms): " + timings.map { "\($0.0) \(String(format: "%.1f", $0.1))" }.joined(separator: ", "))
        for (name, ms) in timings where ms >= 0 { #expect(ms < 1000, "\(name) took \(ms) ms") }
        let shotsTaken = try FileManager.default.contentsOfDirectory(atPath: shots).filter { $0.hasSuffix(".png") }
        #expect(shotsTaken.count >= 19)
        kill(server.processIdentifier, SIGTERM)
        let start = ContinuousClock.now
        while server.isRunning && ContinuousClock.now - start < .seconds(20) { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!server.isRunning)
    }

    /// Runs `minibot` with `stdin` as its standard input.
    static func run(_ arguments: [String], stdin: String, environment: [String: String]) async throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: MinibotProcess.executable)
        process.arguments = arguments
        process.environment = MinibotProcess.environment(environment)
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        return (process.terminationStatus, String(decoding: stderr, as: UTF8.self))
    }

    static func telephone(_ buffer: PCMBuffer) throws -> PCMBuffer {
        try Resampler.resample(buffer.mono(), to: 8_000)
    }

    /// What the callee says, timed against the robot's prompts (as the dialer's end-to-end test does).
    static func track(_ persona: Persona, scenario: Scenario, promptLength: [String: Double], pico: PicoSynthesizer) async throws -> PCMBuffer {
        var samples = [Int16](repeating: 0, count: 8_000 * 90)
        func place(_ audio: PCMBuffer, at seconds: Double) -> Double {
            let start = Int(seconds * 8_000)
            for (offset, sample) in audio.samples.enumerated() where start + offset < samples.count { samples[start + offset] = sample }
            return seconds + Double(audio.samples.count) / 8_000
        }
        var end = place(try telephone(await pico.synthesize("Allô ?")), at: 0.3)
        var promptStart = end + 1.5
        var step = scenario.start
        for answer in persona.answers {
            end = place(try telephone(await pico.synthesize(answer)), at: promptStart + (promptLength[step] ?? 3) + 1.2)
            promptStart = end + (scenario.steps[step]?.listen?.waitBeforeStop ?? 1.5) + 1.2
            let event = ScenarioEvent(IntentClassifier().classify(answer).intent)
            step = scenario.steps[step]?.transitions[event]?.next ?? step
        }
        return PCMBuffer(sampleRate: 8_000, samples: Array(samples.prefix(Int((end + 40) * 8_000))))
    }
}
