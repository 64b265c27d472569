import Foundation
import MiniBotARI
import Logging
import MiniBotAudio
import MiniBotCore
import MiniBotDialer
import MiniBotSIP
import MiniBotSpeech
import MiniBotStore

/// One line of `minibot doctor`: what was checked, how it went, and what to do.
struct DoctorCheck: Codable, Sendable, Equatable {
    enum Status: String, Codable, Sendable { case ok = "OK", warn = "WARN", fail = "FAIL" }

    var name: String
    var status: Status
    var detail: String
    /// What to do about a WARN or FAIL.
    var fix: String?

    static func ok(_ name: String, _ detail: String) -> DoctorCheck { .init(name: name, status: .ok, detail: detail) }
    static func warn(_ name: String, _ detail: String, fix: String) -> DoctorCheck { .init(name: name, status: .warn, detail: detail, fix: fix) }
    static func fail(_ name: String, _ detail: String, fix: String) -> DoctorCheck { .init(name: name, status: .fail, detail: detail, fix: fix) }
}

/// The checks of `minibot doctor`, each on its own: a failing one never
/// stops the others.
struct Doctor {
    let runtime: Runtime
    /// Under this much free space in the data directory: WARN; under a tenth of it: FAIL.
    var minimumFreeBytes: Int64 = 1 << 30
    var sipTimeout: Duration = .seconds(4)
    /// Scenarios whose prompts are checked besides those of the active and paused campaigns.
    var scenarios: [String] = [ScenarioLoader.builtinName]
    /// Runs `timedatectl` (a test can point it elsewhere).
    var timedatectl = "timedatectl"

    var config: MiniBotConfig { runtime.config }

    func run() async -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        let (database, campaignScenarios) = await checkDatabase()
        checks.append(contentsOf: database)
        checks.append(checkDisk())
        var names = scenarios
        for name in campaignScenarios where !names.contains(name) { names.append(name) }
        for name in names { checks.append(checkPrompts(name)) }
        checks.append(checkRecogniser())
        checks.append(config.telephony == .ari ? await checkARI() : await checkTrunk())
        checks.append(checkClock())
        return checks
    }

    // MARK: Database

    /// Reachable, migrations current; and the scenarios of the campaigns that may dial.
    func checkDatabase() async -> ([DoctorCheck], [String]) {
        let url = config.effectiveDatabaseURL
        let shown = redactedDatabaseURL(url)
        let store: any Store
        do {
            store = try await openStore(url: url, logger: runtime.logger, migrate: false)
        } catch {
            return ([.fail("database", "\(shown): \(error)",
                           fix: "check database_url (MINIBOT_DATABASE_URL): the server running, the host, port, user and password; for SQLite, that the folder is writable")], [])
        }
        let result = await inspect(store, shown: shown, url: url)
        await store.close()
        return result
    }

    private func inspect(_ store: any Store, shown: String, url: String) async -> ([DoctorCheck], [String]) {
        var checks: [DoctorCheck] = []
        do {
            let version = try await store.schemaVersion()
            let latest = try latestSchemaVersion(url: url)
            checks.append(.ok("database", "\(shown) reachable"))
            if version == latest {
                checks.append(.ok("migrations", "schema version \(version), current"))
            } else if version < latest {
                checks.append(.warn("migrations", "schema version \(version), this minibot has \(latest)",
                                    fix: "any command that opens the database (minibot serve, minibot contacts stats) applies them; back the database up first"))
            } else {
                checks.append(.fail("migrations", "schema version \(version) is newer than this minibot's \(latest)",
                                    fix: "upgrade minibot on this host to the version the other workers run"))
            }
        } catch {
            checks.append(.fail("database", "\(shown): \(error)", fix: "check the database's permissions and that it is a minibot database"))
            return (checks, [])
        }
        let scenarios = (try? await store.campaigns().filter { $0.status == .active || $0.status == .paused }.map(\.scenario)) ?? []
        return (checks, Array(Set(scenarios)).sorted())
    }

    // MARK: Disk

    func checkDisk() -> DoctorCheck {
        // The data directory, or its nearest existing parent before the first run.
        var folder = (config.dataDir as NSString).expandingTildeInPath
        while !FileManager.default.fileExists(atPath: folder), folder != "/" { folder = (folder as NSString).deletingLastPathComponent }
        var info = statvfs()
        guard statvfs(folder, &info) == 0 else {
            return .fail("disk", "cannot read the free space of \(folder): \(String(cString: strerror(errno)))", fix: "check that data_dir exists and is readable")
        }
        let free = Int64(info.f_bavail) * Int64(info.f_frsize)
        let text = "\(ByteSize.text(free)) free for recordings in \(folder)"
        if !FileManager.default.isWritableFile(atPath: folder) {
            return .fail("disk", "\(folder) is not writable", fix: "give the user running minibot write access to data_dir (or set data_dir elsewhere)")
        }
        if free < minimumFreeBytes / 10 {
            return .fail("disk", text, fix: "free space, move data_dir to a larger disk, or run `minibot cleanup` (retention.days)")
        }
        if free < minimumFreeBytes {
            return .warn("disk", text + " (under \(ByteSize.text(minimumFreeBytes)))",
                         fix: "a minute of call is about 2 MB of WAV (the stereo full call and the clips): run `minibot cleanup`, lower retention.days, or add space")
        }
        return .ok("disk", text)
    }

    // MARK: Prompts

    /// Every prompt present, readable, 8 kHz mono (others are converted at every start: WARN).
    func checkPrompts(_ name: String) -> DoctorCheck {
        let check = "prompts \(name)"
        let loaded: LoadedScenario
        do {
            loaded = try runtime.loadScenario(name, checkPrompts: false)
        } catch {
            return .fail(check, "\(error)", fix: "fix the scenario file (minibot scenario check \(name))")
        }
        var missing: [String] = [], broken: [String] = [], converted: [String] = []
        for (step, prompt) in loaded.scenario.promptFiles where loaded.scenario.steps[step] != nil {
            let path = loaded.path(of: prompt)
            guard FileManager.default.fileExists(atPath: path) else { missing.append(step); continue }
            do {
                let buffer = try WAVFile.read(path: path).buffer
                if buffer.samples.isEmpty {
                    broken.append("\(step) (\(path): no audio)")
                } else if buffer.sampleRate != 8_000 || buffer.channels != 1 {
                    converted.append("\(step) (\(buffer.sampleRate) Hz, \(buffer.channels == 1 ? "mono" : "stereo"))")
                }
            } catch {
                broken.append("\(step) (\(path): \(error))")
            }
        }
        let folder = loaded.promptDirectory
        let order = Dictionary(loaded.scenario.orderedSteps.enumerated().map { ($1.name, $0) }) { a, _ in a }
        missing.sort { (order[$0] ?? .max, $0) < (order[$1] ?? .max, $1) }
        if !missing.isEmpty || !broken.isEmpty {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing: \(missing.joined(separator: ", "))") }
            if !broken.isEmpty { parts.append("unreadable: \(broken.joined(separator: "; "))") }
            return .fail(check, parts.joined(separator: "; ") + " in \(folder)",
                         fix: "record them as WAV files there, or `minibot prompts synthesize\(name == ScenarioLoader.builtinName ? "" : " --scenario \(name)")`; `minibot prompts prepare` converts recordings")
        }
        if !converted.isEmpty {
            return .warn(check, "not 8 kHz mono, converted at each start: \(converted.joined(separator: ", "))",
                         fix: "`minibot prompts prepare` them (8 kHz mono, trimmed, -16 LUFS)")
        }
        return .ok(check, "\(loaded.scenario.steps.count) steps, every prompt 8 kHz mono in \(folder)")
    }

    // MARK: Recogniser

    func checkRecogniser() -> DoctorCheck {
        let speech = config.speech
        switch speech.engine {
        case .local:
            let path: String
            do {
                path = try LocalRecognizer.path(of: speech.model, dataDirectory: config.dataDir)
            } catch {
                return .fail("recogniser", "model '\(speech.model)': \(error)",
                             fix: "`minibot models install \(speech.model)` (or set speech.model to a ggml file, or speech.engine: http)")
            }
            do {
                _ = try LocalRecognizer.open(model: path, dataDirectory: config.dataDir, configuration: .init(threads: 1, concurrency: 1))
            } catch {
                return .fail("recogniser", "\(path) does not load: \(error)",
                             fix: "install it again (`minibot models install \(speech.model)`): the file may be truncated")
            }
            let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            return .ok("recogniser", "whisper.cpp loads \(path) (\(ByteSize.text(Int64(bytes))))")
        case .http:
            guard let url = URL(string: speech.baseURL), let host = url.host, url.scheme != nil else {
                return .fail("recogniser", "speech.base_url '\(speech.baseURL)' is not a URL", fix: "set speech.base_url to http://host:port of an OpenAI-compatible server")
            }
            let port = url.port ?? (url.scheme == "https" ? 443 : 80)
            if let reason = Self.tcpConnect(host: host, port: port, timeoutMilliseconds: 3000) {
                return .fail("recogniser", "\(speech.baseURL): \(reason)", fix: "start the transcription server, or check speech.base_url and the firewall")
            }
            return .ok("recogniser", "\(speech.baseURL) accepts connections")
        }
    }

    /// Nil when a TCP connection to `host:port` opens within the timeout, else why not.
    static func tcpConnect(host: String, port: Int, timeoutMilliseconds: Int32) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return "cannot resolve \(host)" }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        if connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 { return nil }
        guard errno == EINPROGRESS else { return String(cString: strerror(errno)) }
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&poller, 1, timeoutMilliseconds) == 1 else { return "no answer in \(timeoutMilliseconds / 1000) s" }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        return error == 0 ? nil : String(cString: strerror(error))
    }

    // MARK: Trunk

    func checkTrunk() async -> DoctorCheck {
        let sip = config.sip
        let target = sip.outboundProxy.isEmpty ? sip.trunk : sip.outboundProxy
        guard !target.isEmpty else {
            return sip.routes.isEmpty
                ? .warn("trunk", "sip.trunk is not set: only sip: URIs can be dialled", fix: "set sip.trunk to the host[:port] of your SIP trunk or PBX")
                : .warn("trunk", "sip.trunk is not set; \(sip.routes.count) numbers routed by sip.routes", fix: "set sip.trunk to call other numbers")
        }
        let uri: SIPURI
        do {
            uri = try SIPURI(parsing: target.lowercased().hasPrefix("sip:") ? target : "sip:" + target)
        } catch {
            return .fail("trunk", "'\(target)' is not host[:port]: \(error)", fix: "set sip.trunk to host[:port], e.g. sip.example.net:5060")
        }
        let port = uri.port ?? 5060
        do {
            let answer = try await SIPOptionsPing.ping(host: uri.host, port: port, timeout: sipTimeout, userAgent: "MiniBotPanel/\(MiniBotVersion.current) doctor")
            let server = answer.server.map { ", \($0)" } ?? ""
            return .ok("trunk", "\(uri.host):\(port) answered OPTIONS with \(answer.code) \(answer.reason) in \(answer.milliseconds) ms\(server)")
        } catch {
            return .fail("trunk", "\(uri.host):\(port): \(error)",
                         fix: "check sip.trunk, that UDP \(port) is open towards it, and that the trunk accepts this host's address")
        }
    }

    /// With `telephony: ari`: Asterisk answers, its version, and whether a worker's events connection holds the app.
    func checkARI() async -> DoctorCheck {
        let health = await ARIHealth.probe(ARITelephony.agentConfiguration(config))
        guard health.reachable, let version = health.version else {
            return .fail("asterisk", "ARI at \(config.ari.url) does not answer: \(health.error ?? "no answer")",
                         fix: "check ari.url, ari.username and ari.password against Asterisk's http.conf and ari.conf (deploy/asterisk/)")
        }
        guard health.applicationRegistered else {
            return .warn("asterisk", "Asterisk \(version) answers; no worker holds the Stasis application '\(config.ari.app)' now",
                         fix: "normal while no minibot serve or worker runs; else check their logs for the events connection")
        }
        return .ok("asterisk", "Asterisk \(version) answers; the Stasis application '\(config.ari.app)' is connected")
    }

    // MARK: Clock

    func checkClock() -> DoctorCheck {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [timedatectl, "show", "-p", "NTPSynchronized", "--value"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let unknown = DoctorCheck.warn("clock", "synchronisation unknown (timedatectl not available or no systemd)",
                                       fix: "make sure the host keeps time with NTP (chrony, systemd-timesyncd): calling hours and retention depend on it")
        do { try process.run() } catch { return unknown }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return unknown }
        switch text {
        case "yes": return .ok("clock", "synchronised by NTP")
        case "no": return .warn("clock", "not synchronised by NTP", fix: "`timedatectl set-ntp true` (or run chrony): calling hours and retention depend on the clock")
        default: return unknown
        }
    }
}
