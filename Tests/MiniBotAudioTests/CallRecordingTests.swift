import Testing
@testable import MiniBotAudio

@Suite struct CallRecordingTests {
    static func frame(_ value: Int16) -> AudioFrame { AudioFrame(samples: [Int16](repeating: value, count: 160)) }
    static func prompt(_ value: Int16, ms: Int) -> PCMBuffer { PCMBuffer(sampleRate: 8_000, samples: [Int16](repeating: value, count: ms * 8)) }

    @Test func stereoPutsTheBotLeftAndTheClientRightOnCallTime() {
        var recording = CallRecording()
        recording.addBot(Self.prompt(1_000, ms: 100), at: .zero)
        for _ in 0..<10 { recording.appendClient(Self.frame(-7)) }          // 0–200 ms
        recording.addBot(Self.prompt(2_000, ms: 60), at: .milliseconds(300))
        let call = recording.assemble(.stereo)
        #expect(call.channels == 2)
        #expect(call.duration == .milliseconds(360))
        let left = stride(from: 0, to: call.samples.count, by: 2).map { call.samples[$0] }
        let right = stride(from: 1, to: call.samples.count, by: 2).map { call.samples[$0] }
        #expect(left[0..<800].allSatisfy { $0 == 1_000 })
        #expect(left[800..<2_400].allSatisfy { $0 == 0 })
        #expect(left[2_400..<2_880].allSatisfy { $0 == 2_000 })
        #expect(right[0..<1_600].allSatisfy { $0 == -7 })
        #expect(right[1_600...].allSatisfy { $0 == 0 })
    }

    @Test func monoSumsBothPartiesAndClipsAtFullScale() {
        var recording = CallRecording()
        recording.addBot(Self.prompt(30_000, ms: 20), at: .zero)
        recording.appendClient(Self.frame(10_000))
        recording.appendClient(Self.frame(-5))
        let call = recording.assemble(.mono)
        #expect(call.channels == 1 && call.frameCount == 320)
        #expect(call.samples[0..<160].allSatisfy { $0 == Int16.max })
        #expect(call.samples[160...].allSatisfy { $0 == -5 })
    }

    @Test func bargeInKeepsOnlyWhatWasPlayed() {
        var recording = CallRecording()
        recording.addBot(Self.prompt(500, ms: 3_000), at: .milliseconds(100), playedFor: .milliseconds(400))
        #expect(recording.duration == .milliseconds(500))
        let left = recording.assemble().samples.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        #expect(left.filter { $0 == 500 }.count == 3_200)
    }

    @Test func aGapInTheInboundStreamStaysSilentAndClipsAreCutOnTime() {
        var recording = CallRecording()
        recording.placeClient([Int16](repeating: 9, count: 800), at: .milliseconds(500))
        recording.placeClient([Int16](repeating: 4, count: 400), at: .milliseconds(550))   // overlaps the end: overwrites
        #expect(recording.client.count == 4_000 + 400 + 400)
        #expect(recording.client[0..<4_000].allSatisfy { $0 == 0 })
        #expect(recording.client[4_000..<4_400].allSatisfy { $0 == 9 })
        #expect(recording.client[4_400...].allSatisfy { $0 == 4 })
        let clip = recording.clientClip(from: .milliseconds(540), to: .milliseconds(560))
        #expect(clip.samples == [Int16](repeating: 9, count: 80) + [Int16](repeating: 4, count: 80))
        #expect(recording.clientClip(from: .seconds(5), to: .seconds(6)).isEmpty)
    }

    @Test func overlappingPromptsMixInsteadOfOverwriting() {
        var recording = CallRecording()
        recording.addBot(Self.prompt(100, ms: 20), at: .zero)
        recording.addBot(Self.prompt(50, ms: 20), at: .milliseconds(10))
        let left = recording.assemble(.stereo).samples.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        #expect(Array(left[0..<80]) == [Int16](repeating: 100, count: 80))
        #expect(Array(left[80..<160]) == [Int16](repeating: 150, count: 80))
        #expect(Array(left[160..<240]) == [Int16](repeating: 50, count: 80))
    }
}

@Suite struct PCMBufferTests {
    @Test(arguments: [(8_000, 160), (16_000, 320), (44_100, 882), (11_025, 221)])
    func sampleCountsAndDurationsAreExact(rate: Int, samples: Int) {
        let d = AudioTime.duration(ofSamples: samples, sampleRate: rate)
        #expect(AudioTime.sampleCount(for: d, sampleRate: rate) == samples)
        #expect(AudioTime.duration(ofSamples: rate * 3 + samples, sampleRate: rate) == .seconds(3) + d)
    }

    @Test func twentyMillisecondFramesPadTheLastOne() {
        let buffer = PCMBuffer(sampleRate: 8_000, samples: (0..<400).map { Int16($0) })
        let frames = buffer.frames()
        #expect(frames.count == 3)
        #expect(frames[2].samples[0..<80] == buffer.samples[320..<400])
        #expect(frames[2].samples[80...].allSatisfy { $0 == 0 })
    }

    @Test func monoAveragesTheChannelsRounded() {
        let stereo = PCMBuffer(sampleRate: 8_000, channels: 2, samples: [100, 201, -100, -201, .max, .max, .min, .min])
        #expect(stereo.mono().samples == [151, -151, .max, .min])
    }

    @Test func floatConversionCountsClippedSamples() {
        var clipped = 0
        let buffer = PCMBuffer(sampleRate: 8_000, floatSamples: [0.5, 1.5, -2, 0.25], clippedSamples: &clipped)
        #expect(buffer.samples == [16_384, .max, .min, 8_192])
        #expect(clipped == 2)
    }
}
