import ArgumentParser
import Foundation
import MiniBotAudio
import MiniBotCore
import MiniBotSpeech

/// `minibot-bench speech`: whisper.cpp latency on short telephone answers
/// (p50/p95, 1 and 2 threads, full vs fitted encoder window), word error rate
/// per voice, how often the transcript keeps the reference's intent, and
/// answers per second with 2, 4 and 8 concurrent calls.
/// Clips and model come from scripts/fetch-test-model.
struct SpeechBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speech",
        abstract: "Speech recognition: latency p50/p95, WER per voice, answers per second under concurrency."
    )

    @Option(help: "ggml Whisper model (float16).")
    var model = ".deps/speech-test/ggml-base.bin"

    @Option(help: "Quantise the model first, as `minibot models quantize` does (q8_0, q5_1, q5_0), or none.")
    var quantize = "q8_0"

    @Option(help: "Folder of clips with manifest.tsv (file, voice, text).")
    var clips = ".deps/speech-test/clips"

    @Option(help: "Shortest and longest clip kept, in seconds.")
    var minSeconds = 1.0
    @Option(help: "Longest clip kept, in seconds.")
    var maxSeconds = 3.0

    @Option(help: "Clips per voice (0: all).")
    var perVoice = 0

    @Option(help: "Concurrency levels for the throughput run.")
    var concurrency: [Int] = [2, 4, 8]

    @Option(help: "Fitted window: fewest encoder positions; repeat to compare floors (the first is used for the throughput run).")
    var fittedMinimum: [Int] = [AudioContextPolicy.defaultMinimum]

    @Option(help: "Fitted window: positions added to the clip's own.")
    var fittedMargin = 64

    @Option(help: "Fitted window: rounded up to a multiple of this.")
    var fittedGranularity = 64

    @Option(help: "Thread counts for the latency runs.")
    var threads: [Int] = [1, 2]

    @Option(help: "Seconds a transcription started at a pause has before the turn ends (wait_before_stop − speech.speculative_pause).")
    var headStart = 0.7

    @Option(help: "Silence added before and after each clip, in milliseconds.")
    var paddingMs = 300

    @Option(help: "Beam size (0: greedy, the default).")
    var beam = 0

    @Flag(inversion: .prefixedNo, help: "Decode timestamp tokens.")
    var timestamps = true

    @Flag(help: "Print every transcript.")
    var verbose = false

    @Flag(help: "Skip the full 30 s window runs (the slow reference).")
    var skipFullWindow = false

    @Flag(help: "Also run the seed's recogniser (faster-whisper, int8) on the same clips and weights.")
    var seed = false

    @Option(help: "Where faster-whisper is installed (pip install --target DIR faster-whisper==1.2.1).")
    var seedPackages = ".deps/seed-recognizer"

    @Option(help: "The CTranslate2 model the seed loads.")
    var ct2 = ".deps/speech-test/faster-whisper-base"

    @Option(help: "Initial prompt (a scenario step's `hint`) for every clip, ours and the seed's.")
    var prompt: String?

    struct Clip {
        let path: String
        let name: String
        let voice: String
        let text: String
        let audio: PCMBuffer
    }

    struct Row {
        let label: String
        let threads: Int
        let window: String
        var fittedMinimum: Int?
        var latencies: [Double] = []
        var cpuSeconds: [Double] = []
        var wer: [String: WordErrorRate] = [:]
        /// Clips whose transcript the classifier reads as it reads the reference text.
        var intentsKept = 0
        var misreadIntents: [String] = []

        mutating func score(_ clip: Clip, _ hypothesis: String, classifier: IntentClassifier) {
            wer[clip.voice, default: WordErrorRate()].add(reference: clip.text, hypothesis: hypothesis)
            let expected = classifier.classify(clip.text).intent, heard = classifier.classify(hypothesis).intent
            if expected == heard { intentsKept += 1 } else { misreadIntents.append("\(clip.name): \(clip.text) (\(expected)) → \(hypothesis) (\(heard))") }
        }
    }

    func run() async throws {
        let loaded = try loadClips()
        guard !loaded.isEmpty else { throw ValidationError("no clip of \(minSeconds)–\(maxSeconds) s in \(clips)") }
        let modelPath = try QuantizedModel.path(for: model, quantize: quantize)
        defer { if modelPath != model { try? FileManager.default.removeItem(atPath: modelPath) } }
        let loadStart = ContinuousClock.now
        let whisper = try WhisperModel.shared(path: modelPath)
        let loadSeconds = seconds(ContinuousClock.now - loadStart)
        let voices = Array(Set(loaded.map(\.voice))).sorted()
        let totalAudio = loaded.reduce(0.0) { $0 + seconds($1.audio.duration) }
        print("Speech: \(loaded.count) clips (\(voices.joined(separator: ", "))), \(String(format: "%.1f", totalAudio / Double(loaded.count))) s average at 8 kHz; model \(model) (\(quantize == "none" ? "as is" : quantize)) loaded in \(String(format: "%.2f", loadSeconds)) s")

        let classifier = IntentClassifier()
        var rows: [Row] = []
        let windows = (skipFullWindow ? [] : [("full", AudioContextPolicy.full)])
            + fittedMinimum.map { ("fitted", AudioContextPolicy.fitted(minimum: $0, margin: fittedMargin, granularity: fittedGranularity)) }
        for (window, policy) in windows {
            for threads in self.threads {
                let recognizer = WhisperRecognizer(model: whisper, configuration: .init(
                    threads: threads, audioContext: policy, decoding: beam > 0 ? .beamSearch(beamSize: beam) : .greedy,
                    padding: .milliseconds(paddingMs), timestamps: timestamps))
                let minimum: Int? = if case .fitted(let minimum, _, _) = policy { minimum } else { nil }
                let floor = minimum.map { fittedMinimum.count > 1 ? " ≥ \($0)" : "" } ?? ""
                var row = Row(label: "\(threads) thread\(threads > 1 ? "s" : ""), \(window) window\(floor)", threads: threads, window: window,
                              fittedMinimum: minimum)
                _ = try await recognizer.transcribe(loaded[0].audio)          // warm-up
                for clip in loaded {
                    let cpu = processCPUSeconds()
                    let transcript = try await recognizer.transcribe(clip.audio, language: "fr", prompt: prompt)
                    row.cpuSeconds.append(processCPUSeconds() - cpu)
                    row.latencies.append(seconds(transcript.inferenceDuration))
                    row.score(clip, transcript.text, classifier: classifier)
                    if verbose { print("    \(clip.name): \(clip.text) → \(transcript.text)") }
                }
                rows.append(row)
                print("  \(row.label): p50 \(ms(percentile(row.latencies, 0.5))), p95 \(ms(percentile(row.latencies, 0.95)))")
            }
        }

        if seed {
            for threads in self.threads {
                let results = try SpeechSeed.run(files: loaded.map(\.path), ct2Model: ct2, threads: threads, prompt: prompt,
                                                sitePackages: seedPackages)
                var row = Row(label: "seed faster-whisper int8, \(threads) thread\(threads > 1 ? "s" : "")", threads: threads, window: "seed")
                for (clip, result) in zip(loaded, results) {
                    row.latencies.append(result.seconds)
                    row.score(clip, result.text, classifier: classifier)
                }
                rows.append(row)
                print("  \(row.label): p50 \(ms(percentile(row.latencies, 0.5))), p95 \(ms(percentile(row.latencies, 0.95)))")
                if let ours = rows.first(where: { $0.window == "fitted" && $0.threads == threads }) {
                    let ratio = percentile(row.latencies, 0.5) / percentile(ours.latencies, 0.5)
                    print("    seed p50 / ours (fitted) p50 = \(String(format: "%.2f", ratio))")
                }
            }
        }

        var throughput: [(calls: Int, perSecond: Double)] = []
        for calls in concurrency {
            let recognizer = WhisperRecognizer(model: whisper, configuration: .init(
                threads: 1, concurrency: calls, audioContext: .fitted(minimum: fittedMinimum.first ?? AudioContextPolicy.defaultMinimum, margin: fittedMargin, granularity: fittedGranularity)))
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<calls {
                    group.addTask {
                        for index in stride(from: worker, to: loaded.count, by: calls) {
                            _ = try await recognizer.transcribe(loaded[index].audio, language: "fr", prompt: prompt)
                        }
                    }
                }
                try await group.waitForAll()
            }
            throughput.append((calls, Double(loaded.count) / seconds(ContinuousClock.now - start)))
        }

        print("")
        // What the callee waits once their turn is over: ours started at the pause, `headStart` earlier; the seed's at the end.
        func waits(_ row: Row) -> [Double] { row.window == "seed" ? row.latencies : row.latencies.map { max(0, $0 - headStart) } }
        var header = ["configuration", "p50", "p95", "cpu/clip", "wait p50", "wait p95"] + voices.map { "WER \($0)" } + ["WER all", "intent kept"]
        var lines: [[String]] = []
        for row in rows {
            var all = WordErrorRate()
            for voice in voices { all.merge(row.wer[voice] ?? WordErrorRate()) }
            lines.append([row.label, ms(percentile(row.latencies, 0.5)), ms(percentile(row.latencies, 0.95)),
                          row.cpuSeconds.isEmpty ? "-" : ms(percentile(row.cpuSeconds, 0.5)),
                          ms(percentile(waits(row), 0.5)), ms(percentile(waits(row), 0.95))]
                         + voices.map { pct(row.wer[$0]?.rate ?? 0) } + [pct(all.rate), "\(row.intentsKept)/\(loaded.count)"])
        }
        printTable(header, lines)
        print("intent kept: the classifier reads the transcript as it reads the reference text")
        if verbose {
            for row in rows where !row.misreadIntents.isEmpty {
                print("  intents misread, \(row.label):")
                for line in row.misreadIntents { print("    \(line)") }
            }
        }
        print("wait: after the end of the turn, for a transcription started \(String(format: "%.1f", headStart)) s earlier at the pause (the seed starts at the end)")
        print("")
        header = ["concurrent calls (1 thread each, fitted)", "answers/s"]
        printTable(header, throughput.map { ["\($0.calls)", String(format: "%.2f", $0.perSecond)] })

        var json: [String: Any] = [
            "benchmark": "speech", "model": model, "quantization": quantize, "clips": loaded.count,
            "average_clip_seconds": round3(totalAudio / Double(loaded.count)), "model_load_seconds": round3(loadSeconds),
            "cpu_cores": ProcessInfo.processInfo.activeProcessorCount,
        ]
        json["latency"] = rows.map { row -> [String: Any] in
            var all = WordErrorRate()
            for voice in voices { all.merge(row.wer[voice] ?? WordErrorRate()) }
            var entry: [String: Any] = ["threads": row.threads, "window": row.window,
                    "p50_ms": Int(percentile(row.latencies, 0.5) * 1000), "p95_ms": Int(percentile(row.latencies, 0.95) * 1000),
                    "cpu_ms_p50": Int(percentile(row.cpuSeconds, 0.5) * 1000),
                    "wait_p50_ms": Int(percentile(waits(row), 0.5) * 1000), "wait_p95_ms": Int(percentile(waits(row), 0.95) * 1000),
                    "wer": Dictionary(uniqueKeysWithValues: voices.map { ($0, round3(row.wer[$0]?.rate ?? 0)) }),
                    "wer_all": round3(all.rate), "intents_kept": row.intentsKept]
            if let minimum = row.fittedMinimum { entry["fitted_minimum"] = minimum }
            return entry
        }
        var ratios: [String: Double] = [:]
        for seedRow in rows where seedRow.window == "seed" {
            if let ours = rows.first(where: { $0.window == "fitted" && $0.threads == seedRow.threads }) {
                ratios["\(seedRow.threads)_threads"] = round3(percentile(seedRow.latencies, 0.5) / percentile(ours.latencies, 0.5))
            }
        }
        if !ratios.isEmpty { json["seed_p50_over_fitted_p50"] = ratios }
        json["answers_per_second"] = Dictionary(uniqueKeysWithValues: throughput.map { ("\($0.calls)", round3($0.perSecond)) })
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    private func loadClips() throws -> [Clip] {
        let manifest = URL(fileURLWithPath: clips).appendingPathComponent("manifest.tsv").path
        guard let text = try? String(contentsOfFile: manifest, encoding: .utf8) else {
            throw ValidationError("\(manifest) is missing: run scripts/fetch-test-model")
        }
        var perVoiceCount: [String: Int] = [:]
        var out: [Clip] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: "\t").map(String.init)
            guard f.count == 3 else { continue }
            let audio = try WAVFile.read(path: URL(fileURLWithPath: clips).appendingPathComponent(f[0]).path).buffer
            let length = seconds(audio.duration)
            guard length >= minSeconds, length <= maxSeconds else { continue }
            if perVoice > 0, perVoiceCount[f[1], default: 0] >= perVoice { continue }
            perVoiceCount[f[1], default: 0] += 1
            out.append(Clip(path: URL(fileURLWithPath: clips).appendingPathComponent(f[0]).path, name: f[0], voice: f[1], text: f[2], audio: audio))
        }
        return out
    }

    private func printTable(_ header: [String], _ rows: [[String]]) {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == 0 ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[i] - c.count) + c }.joined(separator: "  ")
        }
        print(line(header))
        print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        for row in rows { print(line(row)) }
    }

    private func seconds(_ d: Duration) -> Double { d.milliseconds / 1000 }
    private func ms(_ s: Double) -> String { String(format: "%.0f ms", s * 1000) }
    private func pct(_ r: Double) -> String { String(format: "%.1f %%", r * 100) }
    private func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

    private func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = p * Double(sorted.count - 1)
        let low = Int(rank.rounded(.down)), high = Int(rank.rounded(.up))
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - Double(low))
    }

    private func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
