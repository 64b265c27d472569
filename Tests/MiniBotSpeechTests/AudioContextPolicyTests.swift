import Testing
@testable import MiniBotSpeech

@Suite struct AudioContextPolicyTests {
    @Test func fullWindowLeavesWhisperDefault() {
        #expect(AudioContextPolicy.full.audioContext(forSampleCount: 16_000) == 0)
    }

    @Test(arguments: [
        (16_000, 384),           // 1 s: 50 positions + 64 margin → floor 384
        (3 * 16_000 + 9_600, 384),
        (6 * 16_000, 384),       // 6 s: 300 + 64 = 364 → 384
        (7 * 16_000, 448),       // 7 s: 350 + 64 = 414 → 448
        (8 * 16_000, 512),       // 8 s: 400 + 64 = 464 → 512
        (30 * 16_000, 1500),     // capped at the full window
        (60 * 16_000, 1500),
    ])
    func fittedWindowCoversTheClip(samples: Int, expected: Int) {
        let ctx = AudioContextPolicy.fitted().audioContext(forSampleCount: samples)
        #expect(ctx == expected)
        #expect(ctx * 320 >= min(samples, 30 * 16_000))
    }

    @Test func fittedWindowHonoursItsParameters() {
        let policy = AudioContextPolicy.fitted(minimum: 0, margin: 0, granularity: 1)
        #expect(policy.audioContext(forSampleCount: 320) == 1)
        #expect(policy.audioContext(forSampleCount: 321) == 2)
        #expect(AudioContextPolicy.fitted(minimum: 0, margin: 10, granularity: 32).audioContext(forSampleCount: 32_000) == 128)
    }
}
