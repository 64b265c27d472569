/// What MiniBotPanel does with Asterisk's own `AMD()` verdict (``AsteriskAMDVerdict``)
/// on calls placed through ARI: the `ari.asterisk_amd` setting.
///
/// Our detector decides; Asterisk's may only fill in where ours does not know.
/// On the AMD corpus Asterisk's algorithm has 68 % precision on machines: it
/// takes about half the people who answer for a voicemail (docs/BENCHMARKS.md,
/// AMD section), so its `MACHINE` never overrides our `human`.
public enum AsteriskAMDPolicy: String, Codable, Sendable, CaseIterable {
    /// Not read at all.
    case ignore
    /// Read and kept with the call (its end reason and transcript); ours alone decides. The default.
    case record
    /// Recorded, and used when ours is `unknown`.
    case combine

    /// The rule. `ignore` and `record`: ours. `combine`: ours, except that an
    /// `unknown` of ours becomes Asterisk's `human` or `machine` (its `NOTSURE`
    /// or `HANGUP` leave it `unknown`). Ours being `human` or `machine` always
    /// stands; with our detection off (`ours` nil) nothing is decided for us either.
    public func result(ours: AMDResult?, asterisk: AsteriskAMDVerdict?) -> AMDResult? {
        guard self == .combine, ours == .unknown, let asterisk, asterisk.result != .unknown else { return ours }
        return asterisk.result
    }
}
