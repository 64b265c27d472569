import MiniBotCore
import Testing

@Suite("Asterisk's AMD() verdict and how it combines with ours")
struct AsteriskAMDPolicyTests {
    static let machine = AsteriskAMDVerdict(status: "MACHINE", cause: "MAXWORDS-3-2")!
    static let human = AsteriskAMDVerdict(status: "HUMAN", cause: "HUMAN-805-800")!
    static let notSure = AsteriskAMDVerdict(status: "NOTSURE", cause: "TOOLONG-5000")!
    static let hangup = AsteriskAMDVerdict(status: "HANGUP", cause: "")!

    @Test func statusesMapToOurResults() {
        #expect(Self.machine.result == .machine && Self.human.result == .human)
        #expect(Self.notSure.result == .unknown && Self.hangup.result == .unknown)
        #expect(AsteriskAMDVerdict(status: " machine ")?.result == .machine)
        #expect(AsteriskAMDVerdict(status: "", cause: "x") == nil, "no AMD() ran")
        #expect([Self.machine, Self.human, Self.notSure, Self.hangup].map(\.label) == ["MACHINE", "HUMAN", "NOTSURE", "HANGUP"])
        #expect(AsteriskAMDVerdict(status: "Maybe; DROP")?.label == "OTHER", "a metric label from a dialplan's typo stays bounded")
        #expect(Self.machine.description == "MACHINE (MAXWORDS-3-2)" && Self.hangup.description == "HANGUP")
    }

    @Test func ignoreAndRecordKeepOursWhateverAsteriskSays() {
        for policy in [AsteriskAMDPolicy.ignore, .record] {
            for ours in [AMDResult.human, .machine, .unknown, nil] {
                for asterisk in [Self.machine, Self.human, Self.notSure, nil] {
                    #expect(policy.result(ours: ours, asterisk: asterisk) == ours)
                }
            }
        }
    }

    /// Asterisk's precision on machines is 68 % on our corpus: its MACHINE never overrides our human.
    @Test func combineNeverLetsAsteriskOverrideADecisionOfOurs() {
        #expect(AsteriskAMDPolicy.combine.result(ours: .human, asterisk: Self.machine) == .human)
        #expect(AsteriskAMDPolicy.combine.result(ours: .machine, asterisk: Self.human) == .machine)
        #expect(AsteriskAMDPolicy.combine.result(ours: .human, asterisk: Self.human) == .human)
        #expect(AsteriskAMDPolicy.combine.result(ours: .machine, asterisk: Self.machine) == .machine)
    }

    @Test func combineFillsInOurUnknown() {
        #expect(AsteriskAMDPolicy.combine.result(ours: .unknown, asterisk: Self.machine) == .machine)
        #expect(AsteriskAMDPolicy.combine.result(ours: .unknown, asterisk: Self.human) == .human)
        #expect(AsteriskAMDPolicy.combine.result(ours: .unknown, asterisk: Self.notSure) == .unknown)
        #expect(AsteriskAMDPolicy.combine.result(ours: .unknown, asterisk: Self.hangup) == .unknown)
        #expect(AsteriskAMDPolicy.combine.result(ours: .unknown, asterisk: nil) == .unknown)
    }

    /// With our detection off everyone is taken for a person; Asterisk does not decide alone.
    @Test func combineDecidesNothingWhenOurDetectionIsOff() {
        #expect(AsteriskAMDPolicy.combine.result(ours: nil, asterisk: Self.machine) == nil)
    }
}
