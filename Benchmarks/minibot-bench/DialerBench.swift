import ArgumentParser
import Foundation
import Logging
import MiniBotAudio
import MiniBotCore
import MiniBotDialer
import MiniBotSIP
import MiniBotSpeech
import MiniBotStore

/// A whole campaign through the real stack against sipp callees: contacts per
/// hour, CPU and memory, at several concurrency levels. The callees are a mix
/// of people who answer and refuse (two answers to transcribe), voicemails
/// with a beep, phones that ring out and busy lines — each a sipp process.
struct DialerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dialer",
        abstract: "Campaign throughput: contacts per hour, CPU and memory against sipp callees."
    )

    @Option(help: "Contacts per run.")
    var contacts = 1_000

    @Option(help: "Concurrent call limits, comma-separated.")
    var concurrency = "50,100,200"

    @Option(help: "Share of each callee kind, in percent: refuses,voicemail,noanswer,busy.")
    var mix = "40,30,20,10"

    @Option(help: "Seconds a ringing call waits before it counts as no answer.")
    var ringTimeout = 15.0

    @Option(help: "Whisper model (ggml file).")
    var model = ".deps/speech-test/ggml-base.bin"

    @Option(help: "whisper.cpp threads per transcription (speech.threads).")
    var threads = 2

    @Option(help: "Transcriptions at once, one decoder state each (speech.concurrency).")
    var states = 2

    @Option(help: "Seconds of silence after which an answer starts being transcribed before its turn ends (0: off).")
    var speculativePause = MiniBotConfig.Speech().speculativePause

    @Option(help: "Quantise the model first, as `minibot models quantize` does (q8_0, q5_1, q5_0), or none.")
    var quantize = "q8_0"

    struct Row: Codable {
        var concurrency: Int
        var contacts: Int
        var seconds: Double
        var contactsPerHour: Double
        var cpuPercent: Double
        var peakRSSMiB: Double
        var outcomes: [String: Int]
        var transcriptions: Int
        /// Answering machines' greetings transcribed to the end (not cancelled by a decision first).
        var greetings: Int
        /// Calls the AMD took for a machine (the mix's voicemails: 30 % by default).
        var machines: Int
        /// Calls in progress on average (sampled every half second), ringing ones included.
        var meanCalls: Double

        enum CodingKeys: String, CodingKey {
            case concurrency, contacts, seconds, outcomes, transcriptions, greetings, machines
            case contactsPerHour = "contacts_per_hour", cpuPercent = "cpu_percent", peakRSSMiB = "peak_rss_mib", meanCalls = "mean_calls"
        }
    }

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let levels = concurrency.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let shares = mix.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard shares.count == 4, shares.reduce(0, +) == 100 else { throw ValidationError("--mix takes four percentages adding up to 100") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minibot-bench-dialer-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        guard let python = PicoSynthesizer.defaultPython() else { throw ValidationError("no Python with py-nanotts: run scripts/setup") }
        let pico = PicoSynthesizer(python: python)
        FileHandle.standardError.write(Data("preparing prompts and callee voices…\n".utf8))
        let (scenario, promptLength) = try await Self.prompts(in: folder, pico: pico)
        try await Self.voices(in: folder, scenario: scenario.scenario, promptLength: promptLength, pico: pico)
        let modelPath = try QuantizedModel.path(for: model, quantize: quantize)
        defer { if modelPath != model { try? FileManager.default.removeItem(atPath: modelPath) } }
        let recognizer = try WhisperRecognizer(modelPath: modelPath, configuration: .init(threads: threads, concurrency: states))

        var rows: [Row] = []
        for level in levels {
            rows.append(try await measure(level, shares: shares, scenario: scenario, recognizer: recognizer, folder: folder, logger: logger))
            FileHandle.standardError.write(Data("  concurrency \(level) done\n".utf8))
        }
        var table = "concurrency  mean calls  contacts  seconds  contacts/h  CPU %  peak RSS  transcribed  greetings  machines  outcomes\n"
        for r in rows {
            let outcomes = r.outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            table += String(format: "%11d  %10.1f  %8d  %7.0f  %10.0f  %5.0f  %5.0f MiB  %11d  %9d  %8d  %@\n", r.concurrency,
                            r.meanCalls, r.contacts, r.seconds, r.contactsPerHour, r.cpuPercent, r.peakRSSMiB, r.transcriptions, r.greetings, r.machines, outcomes)
        }
        print(table)
        struct Report: Encodable {
            let benchmark = "dialer"
            let mix: String, quantization: String, threads: Int, states: Int, speculativePause: Double
            let results: [Row]
            enum CodingKeys: String, CodingKey {
                case benchmark, mix, quantization, threads, states, results, speculativePause = "speculative_pause"
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(Report(mix: mix, quantization: quantize, threads: threads, states: states, speculativePause: speculativePause, results: rows)), as: UTF8.self))
    }

    static let kinds = ["refuses", "voicemail", "noanswer", "busy"]

    private func measure(_ level: Int, shares: [Int], scenario: LoadedScenario, recognizer: WhisperRecognizer, folder: String,
                         logger: Logger) async throws -> Row {
        // One sipp per kind of callee.
        var sipps: [Process] = []
        var ports: [String: Int] = [:]
        defer { for sipp in sipps { kill(sipp.processIdentifier, SIGKILL) } }
        for kind in Self.kinds {
            let port = 26_000 + Int.random(in: 0..<2_000) * 2
            ports[kind] = port
            let sipp = Process()
            sipp.executableURL = URL(fileURLWithPath: "/usr/bin/sipp")
            sipp.arguments = ["-sf", folder + "/\(kind).xml", "-i", "127.0.0.1", "-p", String(port), "-mi", "127.0.0.1", "-mp", String(port + 4_000),
                              "-ci", "127.0.0.1", "-cp", String(port + 1), "-nostdin", "-timeout", "3600", "-max_socket", "2000"]
            sipp.currentDirectoryURL = URL(fileURLWithPath: folder)
            sipp.standardOutput = FileHandle.nullDevice
            sipp.standardError = FileHandle.nullDevice
            try sipp.run()
            sipps.append(sipp)
        }
        try await Task.sleep(for: .seconds(1))

        let databasePath = folder + "/bench-\(level).sqlite"
        let store = try await openStore(url: "sqlite://" + databasePath, logger: logger)
        defer { Task { await store.close() } }
        var config = MiniBotConfig(dataDir: folder + "/data-\(level)")
        config.sip.bindHost = "127.0.0.1"
        config.sip.bindPort = 0
        config.callerID.number = "+33162000000"
        var phones: [String] = []
        for index in 0..<contacts {
            let phone = String(format: "+336200%05d", index)
            phones.append(phone)
            // 61 is prime to 100: each run of 100 contacts visits every bucket once, kinds interleaved.
            var bucket = (index * 61) % 100
            var kind = Self.kinds[3]
            for (position, share) in shares.enumerated() {
                if bucket < share { kind = Self.kinds[position]; break }
                bucket -= share
            }
            config.sip.routes[phone] = "sip:\(kind)@127.0.0.1:\(ports[kind]!)"
        }
        try await store.importContacts { sink in
            let parser = PhoneNumberParser()
            try await sink.upsert(phones.map { ContactUpsert(phone: try! parser.parse($0)) }, at: Date())
        }
        var settings = CampaignSettings(maxAttempts: 1)
        settings.compliance.enabled = false
        try await store.createCampaign(Campaign(id: "bench", name: "bench", scenario: scenario.source, settings: settings,
                                                createdAt: Date(), updatedAt: Date()))
        _ = try await store.enqueue(campaignID: "bench", selection: ContactSelection(statuses: [.new], maxAttempts: 1), at: Date())
        let files = CallFiles(dataDirectory: config.dataDir)
        try files.prepare()
        let counter = TranscriptionCounter(recognizer)
        let speculative = MiniBotConfig.Speech(speculativePause: speculativePause).speculativePauseDuration
        let session = CallSession(configuration: .init(scenario: scenario, prompts: try PromptSet.load(scenario), settings: settings,
                                                       speculativePause: speculative),
                                  recognizer: counter, classifier: IntentClassifier(), store: store, files: files, logger: logger)
        let agent = SIPAgent(configuration: .init(bindHost: "127.0.0.1", bindPort: 0, rtpPorts: 40_000...(40_000 + 4 * level + 400)), logger: logger)
        let runner = CampaignRunner(campaignID: "bench", worker: "bench", store: store, telephony: SIPTelephony(agent: agent, config: config),
                                    session: session, callerID: config.callerID,
                                    limits: .init(maxConcurrentCalls: level, delayBetweenCalls: .milliseconds(20),
                                                  queueCheckInterval: .milliseconds(200), ringTimeout: .seconds(ringTimeout)),
                                    logger: logger)
        let cpuStart = SIPLoadBench.cpuSeconds()
        let start = Date()
        let peak = PeakMemory()
        let calls = CallSamples()
        let sampler = Task {
            while !Task.isCancelled {
                peak.sample()
                calls.add(await runner.activeCalls.count)
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
        defer { sampler.cancel() }
        _ = try await withThrowingTaskGroup(of: CampaignRunner.Ending?.self) { group in
            group.addTask { try await agent.run(); return nil }
            group.addTask { _ = try await agent.ready(); return try await runner.run() }
            defer { group.cancelAll() }
            while let result = try await group.next() { if let result { return result } }
            throw ValidationError("the SIP agent stopped")
        }
        let seconds = Date().timeIntervalSince(start)
        let cpu = SIPLoadBench.cpuSeconds() - cpuStart
        var outcomes: [String: Int] = [:]
        for phone in phones {
            let status = try await store.contact(phone: phone)?.status.rawValue ?? "?"
            outcomes[status, default: 0] += 1
        }
        return Row(concurrency: level, contacts: contacts, seconds: seconds, contactsPerHour: Double(contacts) / seconds * 3_600,
                   cpuPercent: cpu / seconds * 100, peakRSSMiB: peak.mebibytes, outcomes: outcomes, transcriptions: counter.count,
                   greetings: counter.greetings, machines: try await store.campaign(id: "bench")?.counters.machine ?? 0, meanCalls: calls.mean)
    }

    /// The universal scenario with Pico prompts; the length of each prompt in seconds.
    static func prompts(in folder: String, pico: PicoSynthesizer) async throws -> (LoadedScenario, [String: Double]) {
        let text = try ScenarioLoader.builtinText.replacingOccurrences(of: "prompts: .", with: "prompts: \(folder)/prompts")
        try FileManager.default.createDirectory(atPath: folder + "/prompts", withIntermediateDirectories: true)
        try text.write(toFile: folder + "/universal.yaml", atomically: true, encoding: .utf8)
        let parsed = try ScenarioLoader.parse(text)
        var lengths: [String: Double] = [:]
        for step in parsed.steps.values {
            let audio = try Resampler.resample(try await pico.synthesize(step.prompt.text).mono(), to: 8_000)
            try WAVFile.writePCM16(audio, to: folder + "/prompts/" + step.prompt.file)
            lengths[step.name] = Double(audio.samples.count) / 8_000
        }
        let loaded = try ScenarioLoader.load(folder + "/universal.yaml", defaultPromptDirectory: folder, checkPrompts: true) { _ in
            ListenTimeouts(maxSilenceSeconds: 5, waitBeforeStop: 1.2)
        }
        return (loaded, lengths)
    }

    /// The callees' sipp scenarios and voices (raw µ-law streamed from the answer).
    static func voices(in folder: String, scenario: Scenario, promptLength: [String: Double], pico: PicoSynthesizer) async throws {
        func say(_ text: String) async throws -> [Int16] { try Resampler.resample(try await pico.synthesize(text).mono(), to: 8_000).samples }
        // A person who answers "Allô ?", refuses at hello and again at retry.
        var person = [Int16](repeating: 0, count: 8_000 * 60)
        func place(_ samples: [Int16], at seconds: Double) -> Double {
            let start = Int(seconds * 8_000)
            for (offset, sample) in samples.enumerated() where start + offset < person.count { person[start + offset] = sample }
            return seconds + Double(samples.count) / 8_000
        }
        var end = place(try await say("Allô ?"), at: 0.3)
        end = place(try await say("Non merci, ça ne m'intéresse pas."), at: end + 1.5 + (promptLength["hello"] ?? 8) + 1.2)
        _ = place(try await say("Non, vraiment pas, au revoir."), at: end + 1.5 + 1.2 + (promptLength["retry"] ?? 8) + 1.2)
        FileManager.default.createFile(atPath: folder + "/refuses.ulaw", contents: Data(G711.encode(person, law: .muLaw)))
        var machine = try await say("Bonjour, vous êtes bien sur la messagerie de Paul Martin. Je ne suis pas disponible, laissez-moi un message après le bip.")
        machine = [Int16](repeating: 0, count: 3_200) + machine + [Int16](repeating: 0, count: 2_400)
            + (0..<4_000).map { Int16(8_000 * sin(2 * .pi * 1_000 * Double($0) / 8_000)) } + [Int16](repeating: 0, count: 8_000 * 40)
        FileManager.default.createFile(atPath: folder + "/voicemail.ulaw", contents: Data(G711.encode(machine, law: .muLaw)))
        let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Tests/MiniBotTestSupport/Scenarios").path
        let answer = try String(contentsOfFile: scenarios + "/uas_answer_rtp.xml", encoding: .utf8)
        for kind in ["refuses", "voicemail"] {
            try answer.replacingOccurrences(of: "tone.ulaw,-1,0", with: "\(kind).ulaw,-1,0")
                .write(toFile: folder + "/\(kind).xml", atomically: true, encoding: .utf8)
        }
        try FileManager.default.copyItem(atPath: scenarios + "/uas_ring_noanswer.xml", toPath: folder + "/noanswer.xml")
        try FileManager.default.copyItem(atPath: scenarios + "/uas_busy.xml", toPath: folder + "/busy.xml")
    }
}

/// Counts transcriptions on their way to the real recogniser: all those
/// asked for, and the greetings (background priority) that ran to the end.
final class TranscriptionCounter: SpeechRecognizer, @unchecked Sendable {
    private let recognizer: any SpeechRecognizer
    private let lock = NSLock()
    private var asked = 0
    private var greetingsDone = 0

    init(_ recognizer: any SpeechRecognizer) { self.recognizer = recognizer }

    var count: Int { lock.withLock { asked } }
    var greetings: Int { lock.withLock { greetingsDone } }

    func transcribe(_ audio: PCMBuffer, language: String, prompt: String?) async throws -> Transcript {
        lock.withLock { asked += 1 }
        let transcript = try await recognizer.transcribe(audio, language: language, prompt: prompt)
        if Task.currentPriority <= .backgroundTranscription { lock.withLock { greetingsDone += 1 } }
        return transcript
    }
}

/// Calls in progress, sampled.
final class CallSamples: @unchecked Sendable {
    private let lock = NSLock()
    private var sum = 0
    private var count = 0

    func add(_ calls: Int) { lock.withLock { sum += calls; count += 1 } }

    var mean: Double { lock.withLock { count == 0 ? 0 : Double(sum) / Double(count) } }
}

/// The highest resident set seen.
final class PeakMemory: @unchecked Sendable {
    private let lock = NSLock()
    private var peakKiB = 0

    func sample() {
        let kib = SIPLoadBench.residentKiB()
        lock.withLock { peakKiB = max(peakKiB, kib) }
    }

    var mebibytes: Double { lock.withLock { Double(peakKiB) / 1_024 } }
}
