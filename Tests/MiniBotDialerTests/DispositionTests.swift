import Foundation
import MiniBotAudio
import MiniBotCore
@testable import MiniBotDialer
import Testing

@Suite("Disposition: what a call attempt means for the contact, the queue and the counters")
struct DispositionTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)
    let settings = CampaignSettings(retryDelaySeconds: 300, callbackDelaySeconds: 7_200)

    func result(_ outcome: ContactStatus?, amd: AMDResult = .human, remoteHangup: Bool = false,
                reason: String = "final step played") -> CallSessionResult {
        CallSessionResult(amd: AMDDecision(result: amd, decidedAt: .seconds(1), reason: "test"), outcome: outcome, isLead: outcome == .leads,
                          finalIntent: nil, endReason: reason, remoteHangup: remoteHangup, duration: .seconds(30), interactions: [],
                          path: [], recordingPath: nil, transcriptPath: nil)
    }

    @Test func busyAndNoAnswerAreRetriedAfterTheDelay() {
        for failure in [CallFailure.busy(code: 486), .noAnswer(code: 480), .noAnswer(code: nil)] {
            let d = Disposition.unanswered(failure, now: now, settings: settings)
            #expect(d.contactStatus == .noAnswer)
            #expect(d.retryAt == now.addingTimeInterval(300))
            #expect(d.counters == CampaignCounters(total: 1, noAnswer: 1))
        }
        #expect(Disposition.unanswered(.busy(code: 486), now: now, settings: settings).callStatus == .busy)
    }

    @Test func invalidAndRejectedNumbersAreNotRetried() {
        let invalid = Disposition.unanswered(.invalidNumber(code: 404), now: now, settings: settings)
        #expect(invalid.contactStatus == .invalid)
        #expect(invalid.retryAt == nil)
        let rejected = Disposition.unanswered(.rejected(code: 603), now: now, settings: settings)
        #expect(rejected.retryAt == nil)
        #expect(rejected.callStatus == .rejected)
    }

    @Test func networkFailuresLeaveTheContactAloneAndRetry() {
        let d = Disposition.unanswered(.network(code: 503, reason: "Service Unavailable"), now: now, settings: settings)
        #expect(d.contactStatus == nil)
        #expect(d.retryAt != nil)
        #expect(d.callStatus == .failed)
    }

    @Test func answeredOutcomes() {
        let lead = Disposition.answered(result(.leads), now: now, settings: settings, callbackAt: nil)
        #expect(lead.contactStatus == .leads)
        #expect(lead.counters == CampaignCounters(total: 1, answered: 1, leads: 1))
        #expect(lead.retryAt == nil)
        let refusal = Disposition.answered(result(.notInterested), now: now, settings: settings, callbackAt: nil)
        #expect(refusal.counters.notInterested == 1)
        let optOut = Disposition.answered(result(.optOut), now: now, settings: settings, callbackAt: nil)
        #expect(optOut.optOut)
        #expect(optOut.contactStatus == .optOut)
        #expect(optOut.retryAt == nil)
    }

    @Test func callbacksAreRescheduledAtTheTimeAskedOrTheDefault() {
        let asked = now.addingTimeInterval(86_400)
        #expect(Disposition.answered(result(.callback), now: now, settings: settings, callbackAt: asked).retryAt == asked)
        #expect(Disposition.answered(result(.callback), now: now, settings: settings, callbackAt: nil).retryAt == now.addingTimeInterval(7_200))
    }

    @Test func machinesAreNoAnswerRetried() {
        let d = Disposition.answered(result(.noAnswer, amd: .machine), now: now, settings: settings, callbackAt: nil)
        #expect(d.callStatus == .machine)
        #expect(d.contactStatus == .noAnswer)
        #expect(d.counters == CampaignCounters(total: 1, machine: 1, noAnswer: 1))
        #expect(d.retryAt != nil)
    }

    @Test func aHangUpMidCallIsNotRetriedButALostStreamIs() {
        let hangUp = Disposition.answered(result(nil, remoteHangup: true, reason: "callee hung up during q2"), now: now, settings: settings, callbackAt: nil)
        #expect(hangUp.contactStatus == .noAnswer)
        #expect(hangUp.retryAt == nil)
        let lost = Disposition.answered(result(nil, reason: "lost the callee's audio"), now: now, settings: settings, callbackAt: nil)
        #expect(lost.contactStatus == nil)
        #expect(lost.retryAt != nil)
        #expect(lost.callStatus == .failed)
        let shutdown = Disposition.answered(result(nil, reason: CallSession.shutdownReason), now: now, settings: settings, callbackAt: nil)
        #expect(shutdown.retryAt == now)
    }
}
