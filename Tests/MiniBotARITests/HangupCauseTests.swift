import MiniBotARI
import MiniBotCore
import Testing

@Suite("ARI hang-up causes map to the SIP backend's outcomes")
struct HangupCauseTests {
    @Test(arguments: [
        (17, nil, CallFailure.busy(code: 17)),
        (18, nil, .noAnswer(code: 18)),
        (19, nil, .noAnswer(code: 19)),
        (1, nil, .invalidNumber(code: 1)),
        (28, nil, .invalidNumber(code: 28)),
        (21, nil, .rejected(code: 21)),
        (16, "BUSY", .busy(code: 17)),
        (16, "NOANSWER", .noAnswer(code: 19)),
        (16, nil, .noAnswer(code: 16)),
        (0, "BUSY", .busy(code: 17)),
        (0, "CANCEL", .noAnswer(code: 0)),
        (0, nil, .failed(code: 0, reason: "Q.850 0 cause 0")),
    ] as [(Int, String?, CallFailure)])
    func causeAndDialStatus(cause: Int, dialStatus: String?, expected: CallFailure) {
        #expect(HangupCause.failure(cause: cause, text: "", dialStatus: dialStatus) == expected)
    }

    /// Congestion is a network failure, like a SIP 5xx.
    @Test(arguments: [34, 38])
    func congestionIsANetworkFailure(cause: Int) {
        let failure = HangupCause.failure(cause: cause, text: "Circuit/channel congestion", dialStatus: nil)
        #expect(failure.callStatus == .failed)
        #expect(failure.code == cause)
        #expect(failure.description.contains("Circuit/channel congestion"))
        #expect(HangupCause.failure(cause: 16, text: "Normal Clearing", dialStatus: "CONGESTION").callStatus == .failed)
    }

    /// The same contact statuses as the SIP codes they stand for.
    @Test func sameCallStatusAsSIP() {
        let pairs: [(Int, Int)] = [(17, 486), (19, 480), (1, 404), (28, 484), (21, 603)]
        for (cause, sip) in pairs {
            #expect(HangupCause.failure(cause: cause, text: "", dialStatus: nil).callStatus
                    == CallFailure(sipCode: sip, reason: "").callStatus, "Q.850 \(cause) vs SIP \(sip)")
        }
    }

    @Test func otherCausesKeepTheirNumberAndWords() {
        let failure = HangupCause.failure(cause: 31, text: "Normal, unspecified", dialStatus: nil)
        #expect(failure == .failed(code: 31, reason: "Q.850 31 Normal, unspecified"))
    }
}
