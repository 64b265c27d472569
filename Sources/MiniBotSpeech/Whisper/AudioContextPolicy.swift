/// How many encoder positions (`audio_ctx`) whisper.cpp spends on a clip.
///
/// Whisper's encoder was trained on 30 s windows (1,500 positions, one per
/// 20 ms). whisper.cpp can encode fewer: a 2 s answer needs about 100. Fitting
/// the window to the clip cuts the encoder's cost several times over; too
/// tight a window makes the model worse, so the fitted window keeps a margin
/// and a floor. The floor, ``defaultMinimum``, is the trade measured on French
/// phone answers (docs/BENCHMARKS.md, speech).
public enum AudioContextPolicy: Sendable, Equatable {
    /// The full 30 s window, whatever the clip's length (the reference).
    case full
    /// The clip's length plus `margin` positions, rounded up to a multiple of
    /// `granularity`, never under `minimum`, never over 1,500.
    case fitted(minimum: Int = AudioContextPolicy.defaultMinimum, margin: Int = 64, granularity: Int = 64)

    /// The fitted window's floor: 384 positions (7.7 s). On 333 French phone
    /// answers (2 threads, exact windows) 256 made 34.3 % word errors and kept
    /// 254 intents, 320 32.2 % and 261, 384 31.0 % and 267 for 43 % more CPU
    /// than 256; 448 gained 0.2 points for another 14 %. The seed's
    /// recogniser: 31.3 % and 268.
    public static let defaultMinimum = 384

    /// Encoder positions per second of 16 kHz audio (hop 160, stride 2).
    public static let positionsPerSecond = 50
    /// The model's full window.
    public static let fullWindow = 1500

    /// The `audio_ctx` to use for `sampleCount` samples at 16 kHz; 0 means
    /// whisper.cpp's default (the full window).
    public func audioContext(forSampleCount sampleCount: Int) -> Int {
        switch self {
        case .full:
            return 0
        case let .fitted(minimum, margin, granularity):
            let needed = (sampleCount + 319) / 320 + max(0, margin)
            let step = max(1, granularity)
            let rounded = (needed + step - 1) / step * step
            return min(Self.fullWindow, max(minimum, rounded))
        }
    }
}
