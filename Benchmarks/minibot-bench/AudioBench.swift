import ArgumentParser
import Foundation
import MiniBotAudio

/// `minibot-bench audio`: what one call's inbound audio costs the CPU every
/// 20 ms (µ-law decode + voice activity/endpointing + tone detection +
/// recording), hence how many calls one core can analyse; and how long the
/// full-call WAV of a 3-minute call takes to assemble.
struct AudioBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audio",
        abstract: "Audio core: per-frame cost of decode+VAD+tones+recording (calls per core) and 3-minute call assembly time."
    )

    @Option(help: "Simulated call length in seconds (frames analysed per pass, and the assembled call).")
    var callSeconds = 180

    @Option(help: "Passes over the call for the per-frame figures; the best pass is kept.")
    var passes = 5

    @Option(help: "Repeats of the assembly; the median is kept.")
    var assemblies = 20

    func run() async throws {
        let payloads = Self.syntheticCall(seconds: callSeconds)
        let frames = payloads.compactMap { G711.decodeFrame($0, law: .muLaw) }
        let n = Double(payloads.count)

        // Each stage alone, then the whole pipeline as a call session runs it.
        var checksum = 0
        let decode = best(passes) {
            for p in payloads { checksum &+= Int(G711.decodeFrame(p, law: .muLaw)?.samples[80] ?? 0) }
        }
        let vad = best(passes) {
            var endpointer = Endpointer()
            for f in frames {
                if endpointer.process(f) != nil, endpointer.isFinished { endpointer = Endpointer(detector: endpointer.detector) }
            }
            checksum &+= Int(endpointer.detector.noiseFloorDBFS)
        }
        let tones = best(passes) {
            var detector = ToneDetector()
            for f in frames { if detector.process(f) != nil { checksum &+= 1 } }
        }
        let record = best(passes) {
            var recording = CallRecording()
            for f in frames { recording.appendClient(f) }
            checksum &+= recording.client.count
        }
        let pipeline = best(passes) {
            var endpointer = Endpointer()
            var detector = ToneDetector()
            var recording = CallRecording()
            for p in payloads {
                guard let frame = G711.decodeFrame(p, law: .muLaw) else { continue }
                if endpointer.process(frame) != nil, endpointer.isFinished { endpointer = Endpointer(detector: endpointer.detector) }
                if detector.process(frame) != nil { checksum &+= 1 }
                recording.appendClient(frame)
            }
            checksum &+= recording.client.count
        }
        let perFrame = pipeline.cpu / n
        let callsPerCore = 0.020 / perFrame
        // Worst case: a loud line (hiss at −30 dBFS), so every frame passes the tone detector's level gate.
        let loud = Self.syntheticCall(seconds: callSeconds, hissAmplitude: 1_500).compactMap { G711.decodeFrame($0, law: .muLaw) }
        let worst = best(passes) {
            var endpointer = Endpointer()
            var detector = ToneDetector()
            var recording = CallRecording()
            for frame in loud {
                if endpointer.process(frame) != nil, endpointer.isFinished { endpointer = Endpointer(detector: endpointer.detector) }
                if detector.process(frame) != nil { checksum &+= 1 }
                recording.appendClient(frame)
            }
            checksum &+= recording.client.count
        }
        let worstPerFrame = worst.cpu / Double(loud.count)

        // Assembly of the call: client track + the bot's prompts, to stereo and mono WAV bytes.
        var recording = CallRecording()
        for f in frames { recording.appendClient(f) }
        let prompt = PCMBuffer(sampleRate: 8_000, samples: frames.prefix(200).flatMap(\.samples))   // 4 s prompts
        for k in 0..<(callSeconds / 20) { recording.addBot(prompt, at: .seconds(20 * k), playedFor: k % 3 == 0 ? .seconds(2) : nil) }
        let stereo = median(assemblies) { checksum &+= WAVFile.encodePCM16(recording.assemble(.stereo)).count }
        let mono = median(assemblies) { checksum &+= WAVFile.encodePCM16(recording.assemble(.mono)).count }

        func us(_ seconds: Double) -> String { String(format: "%.2f µs", seconds * 1e6) }
        func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1e3) }
        print("Audio core: one call's inbound stream, \(payloads.count) frames of 20 ms (\(callSeconds) s, µ-law), best of \(passes) passes")
        print("(CPU time of this thread; wall time differs on a busy machine)\n")
        print(Self.table([
            ["stage", "per frame (CPU)", "per frame (wall)"],
            ["G.711 µ-law decode (160 bytes)", us(decode.cpu / n), us(decode.wall / n)],
            ["voice activity + endpointer", us(vad.cpu / n), us(vad.wall / n)],
            ["tone detector (Goertzel bank, 71 bins)", us(tones.cpu / n), us(tones.wall / n)],
            ["recording (append to call track)", us(record.cpu / n), us(record.wall / n)],
            ["whole pipeline", us(perFrame), us(pipeline.wall / n)],
            ["whole pipeline, loud line (every frame tone-analysed)", us(worstPerFrame), us(worst.wall / Double(loud.count))],
        ]))
        print("\ncalls one core can analyse in real time: \(Int(callsPerCore)) (goal ≥ 2,000); "
            + "on a loud line: \(Int(0.020 / worstPerFrame))\n")
        print(Self.table([
            ["full-call assembly, \(callSeconds) s call (median of \(assemblies))", "CPU", "wall"],
            ["stereo (bot left, client right) to WAV bytes", ms(stereo.cpu), ms(stereo.wall)],
            ["mono mix to WAV bytes", ms(mono.cpu), ms(mono.wall)],
        ]))
        print("(goal < 50 ms; the seed took < 1 s with sox)\n")

        let json: [String: Any] = [
            "benchmark": "audio",
            "frames": payloads.count,
            "per_frame_cpu_us": [
                "decode": round(decode.cpu / n * 1e6), "vad_endpointer": round(vad.cpu / n * 1e6),
                "tone_detector": round(tones.cpu / n * 1e6), "recording": round(record.cpu / n * 1e6),
                "pipeline": round(perFrame * 1e6),
            ],
            "pipeline_wall_us": round(pipeline.wall / n * 1e6),
            "calls_per_core": Int(callsPerCore),
            "pipeline_loud_line_cpu_us": round(worstPerFrame * 1e6),
            "calls_per_core_loud_line": Int(0.020 / worstPerFrame),
            "assembly_call_seconds": callSeconds,
            "assembly_stereo_cpu_ms": round(stereo.cpu * 1e3),
            "assembly_stereo_wall_ms": round(stereo.wall * 1e3),
            "assembly_mono_cpu_ms": round(mono.cpu * 1e3),
            "assembly_mono_wall_ms": round(mono.wall * 1e3),
            "checksum": checksum,
        ]
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    private func round(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

    /// Runs `body` `count` times; the fastest run's CPU and wall seconds.
    private func best(_ count: Int, _ body: () -> Void) -> (cpu: Double, wall: Double) {
        var result = (cpu: Double.infinity, wall: Double.infinity)
        for _ in 0..<max(1, count) {
            let clock = ContinuousClock()
            let cpu0 = Self.threadCPUSeconds()
            let elapsed = clock.measure(body)
            let cpu = Self.threadCPUSeconds() - cpu0
            if cpu < result.cpu { result = (cpu, AudioTime.seconds(elapsed)) }
        }
        return result
    }

    /// Runs `body` `count` times; the median CPU and wall seconds.
    private func median(_ count: Int, _ body: () -> Void) -> (cpu: Double, wall: Double) {
        let clock = ContinuousClock()
        var cpu: [Double] = [], wall: [Double] = []
        for _ in 0..<max(1, count) {
            let cpu0 = Self.threadCPUSeconds()
            wall.append(AudioTime.seconds(clock.measure(body)))
            cpu.append(Self.threadCPUSeconds() - cpu0)
        }
        return (cpu.sorted()[cpu.count / 2], wall.sorted()[wall.count / 2])
    }

    /// A call's inbound audio as µ-law payloads: line hiss, then turns of a
    /// voiced, syllabic signal (moving pitch, five harmonics) separated by
    /// pauses, and a 1 kHz beep now and then: every stage does real work.
    static func syntheticCall(seconds: Int, hissAmplitude: Double = 120) -> [[UInt8]] {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func noise() -> Double {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Double(Int64(bitPattern: state) >> 11) / Double(1 << 52)
        }
        let count = seconds * 8_000
        var phase = 0.0
        var samples = [Int16](repeating: 0, count: count)
        for i in 0..<count {
            let t = Double(i) / 8_000
            let turn = t.truncatingRemainder(dividingBy: 10)           // 10 s cycle: 4 s speech, 6 s pause
            var x = hissAmplitude * noise()                              // 120: about −50 dBFS hiss
            if turn < 4 {
                let f0 = 140 + 30 * sin(2 * .pi * 0.7 * t)
                phase += 2 * .pi * f0 / 8_000
                let syllable = max(0, sin(2 * .pi * 4 * t))               // 4 syllables per second
                x += syllable * 2_500 * (1...5).reduce(0.0) { $0 + sin(Double($1) * phase) / Double($1) }
            } else if turn > 8 && turn < 8.5 {
                x += 6_000 * sin(2 * .pi * 1_000 * t)
            }
            samples[i] = Int16(clamping: Int(x.rounded()))
        }
        let encoded = G711.encode(samples, law: .muLaw)
        return stride(from: 0, to: encoded.count, by: 160).map { Array(encoded[$0..<min($0 + 160, encoded.count)]) }
            .filter { $0.count == 160 }
    }

    static func table(_ rows: [[String]]) -> String {
        var widths = rows[0].map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ row: [String]) -> String {
            row.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return i == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        return ([line(rows[0]), widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")]
            + rows.dropFirst().map(line)).joined(separator: "\n")
    }

    /// CPU time this thread has used, in seconds.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
