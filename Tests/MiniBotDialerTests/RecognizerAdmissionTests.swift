import Metrics
import MiniBotAudio
import MiniBotSpeech
import Prometheus
import Testing
@testable import MiniBotDialer

@Suite struct RecognizerAdmissionTests {
    let start = ContinuousClock.now

    @Test func startsSmallAndGrowsByAQuarterWhileAnswersAreFast() {
        var admission = RecognizerAdmission(ceiling: 100, target: .seconds(5))
        #expect(admission.limit == 8)
        var limits: [Int] = []
        for k in 0..<12 {
            admission.record(latency: .seconds(1), at: start + .seconds(2 * k), inProgress: admission.limit)
            admission.record(latency: .seconds(1), at: start + .seconds(2 * k) + .milliseconds(500), inProgress: admission.limit)
            limits.append(admission.limit)
        }
        #expect(limits == [10, 12, 15, 18, 22, 27, 33, 41, 51, 63, 78, 97])
        admission.record(latency: .seconds(1), at: start + .seconds(30), inProgress: admission.limit)
        #expect(admission.limit == 100)
    }

    @Test func slowAnswersCutTheLimitOncePerTargetThenItGrowsByOne() {
        var admission = RecognizerAdmission(ceiling: 100, target: .seconds(5))
        for k in 0..<20 { admission.record(latency: .milliseconds(500), at: start + .seconds(2 * k), inProgress: admission.limit) }
        #expect(admission.limit == 100)
        // A backlog: many slow answers at once count as one.
        let later = start + .seconds(100)
        for _ in 0..<10 { admission.record(latency: .seconds(9), at: later, inProgress: admission.limit) }
        #expect(admission.limit == 75)
        admission.record(latency: .seconds(9), at: later + .seconds(4), inProgress: admission.limit)
        #expect(admission.limit == 75)
        admission.record(latency: .seconds(9), at: later + .seconds(5), inProgress: admission.limit)
        #expect(admission.limit == 56)
        // Between three quarters of the target and the target: hold.
        admission.record(latency: .seconds(4), at: later + .seconds(20), inProgress: admission.limit)
        #expect(admission.limit == 56)
        // Fast answers again: one more call every 2 s, no faster.
        admission.record(latency: .seconds(1), at: later + .seconds(21), inProgress: admission.limit)
        admission.record(latency: .seconds(1), at: later + .seconds(22), inProgress: admission.limit)
        #expect(admission.limit == 57)
        for k in 0..<100 { admission.record(latency: .milliseconds(500), at: later + .seconds(30 + 2 * k), inProgress: admission.limit) }
        #expect(admission.limit == 100)
    }

    @Test func slowAnswersFromCallsAboveTheLimitDoNotCutItAgain() {
        var admission = RecognizerAdmission(ceiling: 200, target: .seconds(2))
        for k in 0..<20 { admission.record(latency: .milliseconds(500), at: start + .seconds(2 * k), inProgress: admission.limit) }
        #expect(admission.limit == 200)
        // A wave of 200 calls buries the recogniser: one cut, then none while the 200 drain.
        let later = start + .seconds(100)
        admission.record(latency: .seconds(5), at: later, inProgress: 200)
        #expect(admission.limit == 150)
        for k in 1...9 { admission.record(latency: .seconds(6), at: later + .seconds(3 * k), inProgress: 200 - 5 * k) }
        #expect(admission.limit == 150)
        // Within the limit again and still slow: the next cut.
        admission.record(latency: .seconds(6), at: later + .seconds(33), inProgress: 150)
        #expect(admission.limit == 112)
    }

    @Test func neverBelowOneAndFollowsTheConfiguredMaximum() {
        var admission = RecognizerAdmission(ceiling: 4, target: .seconds(5))
        #expect(admission.limit == 4)
        for k in 0..<20 { admission.record(latency: .seconds(30), at: start + .seconds(5 * k), inProgress: admission.limit) }
        #expect(admission.limit == 1)
        admission.setCeiling(2)
        #expect(admission.ceiling == 2 && admission.limit == 1)
        var fresh = RecognizerAdmission(ceiling: 4, target: .seconds(5))
        fresh.setCeiling(10)
        #expect(fresh.limit == 8)
        fresh.setCeiling(3)
        #expect(fresh.limit == 3)
    }
}

/// The meter's latencies reach `/metrics` as a histogram (serve bootstraps the
/// same Prometheus factory), and the admission reads them once each.
@Suite struct RecognizerMeterTests {
    struct Instant: SpeechRecognizer {
        func transcribe(_ audio: PCMBuffer, language: String, prompt: String?) async throws -> Transcript {
            try await Task.sleep(for: .milliseconds(30))
            return Transcript(text: "oui", language: language, audioDuration: audio.duration, inferenceDuration: .milliseconds(30))
        }
    }

    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    @Test func latenciesAreDrainedOnceAndExported() async throws {
        let registry = Self.registry
        let meter = RecognizerMeter(Instant())
        for _ in 0..<3 { _ = try await meter.transcribe(PCMBuffer(sampleRate: 8_000, samples: [Int16](repeating: 0, count: 800))) }
        let drained = meter.drain()
        #expect(drained.count == 3 && drained.allSatisfy { $0 >= .milliseconds(30) })
        #expect(meter.drain().isEmpty)
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        let text = String(decoding: buffer, as: UTF8.self)
        #expect(text.contains("minibot_recognizer_latency_seconds_count"), "\(text.prefix(2_000))")
    }

    /// A transcription started at a pause and cancelled when the callee went on says nothing of the recogniser's speed.
    @Test func aCancelledTranscriptionIsNotTimed() async throws {
        let meter = RecognizerMeter(Instant())
        let clip = PCMBuffer(sampleRate: 8_000, samples: [Int16](repeating: 0, count: 800))
        let task = Task { try await meter.transcribe(clip) }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(meter.drain().isEmpty)
        _ = try await meter.transcribe(clip)
        #expect(meter.drain().count == 1)
    }

    /// An answering machine's greeting waits behind every answer: its wait says nothing of what callees wait.
    @Test func aBackgroundTranscriptionIsNotTimed() async throws {
        let meter = RecognizerMeter(Instant())
        let clip = PCMBuffer(sampleRate: 8_000, samples: [Int16](repeating: 0, count: 800))
        // Awaited through a stream, not `value`: awaiting a task's value raises its priority to the waiter's.
        let (done, finished) = AsyncStream.makeStream(of: Bool.self)
        Task(priority: .backgroundTranscription) {
            finished.yield((try? await meter.transcribe(clip)) != nil)
            finished.finish()
        }
        for await transcribed in done { #expect(transcribed) }
        #expect(meter.drain().isEmpty)
        _ = try await Task(priority: .medium) { try await meter.transcribe(clip) }.value
        #expect(meter.drain().count == 1)
    }
}
