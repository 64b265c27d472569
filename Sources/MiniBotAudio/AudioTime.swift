/// Conversions between sample counts and `Duration`, exact to the sample.
/// Audio code counts time in samples, never with a wall clock.
public enum AudioTime {
    /// The time `count` samples last at `sampleRate`.
    public static func duration(ofSamples count: Int, sampleRate: Int) -> Duration {
        let rate = Int64(sampleRate)
        let seconds = Int64(count) / rate
        let remainder = Int64(count) % rate                  // < rate, so the products below fit
        let nanos = remainder * 1_000_000_000 / rate
        let subNanoAtto = (remainder * 1_000_000_000 % rate) * 1_000_000_000 / rate
        return Duration(secondsComponent: seconds, attosecondsComponent: nanos * 1_000_000_000 + subNanoAtto)
    }

    /// The number of whole samples in `duration` at `sampleRate`, rounded to the nearest.
    public static func sampleCount(for duration: Duration, sampleRate: Int) -> Int {
        let (s, atto) = duration.components
        let frac = (Double(atto) / 1e18) * Double(sampleRate)
        return Int(s) * sampleRate + Int(frac.rounded())
    }

    /// `duration` in seconds as a `Double`, for display and arithmetic.
    public static func seconds(_ duration: Duration) -> Double {
        let (s, atto) = duration.components
        return Double(s) + Double(atto) / 1e18
    }
}
