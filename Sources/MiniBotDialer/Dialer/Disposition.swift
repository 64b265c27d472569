import Foundation
import MiniBotCore

/// What a finished call attempt means for the contact, the queue and the
/// campaign's counters. Pure: the same inputs give the same answer.
public struct Disposition: Sendable, Equatable {
    public var callStatus: CallStatus
    /// The contact's new status; nil leaves it as it was.
    public var contactStatus: ContactStatus?
    public var optOut: Bool
    /// When to try again; nil: never in this campaign. The store still caps tries at the row's `max_attempts`.
    public var retryAt: Date?
    /// What to add to the campaign's counters.
    public var counters: CampaignCounters

    /// A call that was never answered.
    public static func unanswered(_ failure: CallFailure, now: Date, settings: CampaignSettings) -> Disposition {
        let retry = now.addingTimeInterval(settings.retryDelaySeconds)
        switch failure {
        case .busy, .noAnswer:
            return Disposition(callStatus: failure.callStatus, contactStatus: .noAnswer, optOut: false, retryAt: retry,
                               counters: .init(total: 1, noAnswer: 1))
        case .invalidNumber:
            return Disposition(callStatus: failure.callStatus, contactStatus: .invalid, optOut: false, retryAt: nil,
                               counters: .init(total: 1, failed: 1))
        case .rejected:
            return Disposition(callStatus: failure.callStatus, contactStatus: .failed, optOut: false, retryAt: nil,
                               counters: .init(total: 1, failed: 1))
        case .network, .authentication, .failed:
            // Our side or the trunk's: the contact is not to blame; try again later.
            return Disposition(callStatus: failure.callStatus, contactStatus: nil, optOut: false, retryAt: retry,
                               counters: .init(total: 1, failed: 1))
        case .cancelled:
            return Disposition(callStatus: .cancelled, contactStatus: nil, optOut: false, retryAt: now,
                               counters: .init(total: 1))
        }
    }

    /// A call that was answered and ran through the session.
    /// - Parameter callbackAt: when the callee asked to be called back, if they named a time.
    public static func answered(_ result: CallSessionResult, now: Date, settings: CampaignSettings, callbackAt: Date?) -> Disposition {
        if result.amd?.result == .machine {
            return Disposition(callStatus: .machine, contactStatus: .noAnswer, optOut: false,
                               retryAt: now.addingTimeInterval(settings.retryDelaySeconds), counters: .init(total: 1, machine: 1, noAnswer: 1))
        }
        var counters = CampaignCounters(total: 1, answered: 1)
        switch result.outcome {
        case .leads?:
            counters.leads = 1
            return Disposition(callStatus: .completed, contactStatus: .leads, optOut: false, retryAt: nil, counters: counters)
        case .notInterested?:
            counters.notInterested = 1
            return Disposition(callStatus: .completed, contactStatus: .notInterested, optOut: false, retryAt: nil, counters: counters)
        case .optOut?:
            counters.notInterested = 1
            return Disposition(callStatus: .completed, contactStatus: .optOut, optOut: true, retryAt: nil, counters: counters)
        case .callback?:
            return Disposition(callStatus: .completed, contactStatus: .callback, optOut: false,
                               retryAt: callbackAt ?? now.addingTimeInterval(settings.callbackDelaySeconds), counters: counters)
        case .noAnswer?:
            counters.noAnswer = 1
            return Disposition(callStatus: .completed, contactStatus: .noAnswer, optOut: false,
                               retryAt: now.addingTimeInterval(settings.retryDelaySeconds), counters: counters)
        case .failed?, .new?, .queued?, .invalid?:
            counters.failed = 1
            return Disposition(callStatus: .completed, contactStatus: result.outcome, optOut: false, retryAt: nil, counters: counters)
        case nil:
            if result.endReason == CallSession.shutdownReason {
                // Cut by our own shutdown: not the callee's doing.
                return Disposition(callStatus: .failed, contactStatus: nil, optOut: false, retryAt: now, counters: .init(total: 1, failed: 1))
            }
            if result.remoteHangup {
                // They hung up on the robot: not a refusal in law, but no point calling straight back.
                counters.noAnswer = 1
                return Disposition(callStatus: .completed, contactStatus: .noAnswer, optOut: false, retryAt: nil, counters: counters)
            }
            // A lost stream, a timeout, a playback failure: ours to retry.
            counters.failed = 1
            return Disposition(callStatus: .failed, contactStatus: nil, optOut: false,
                               retryAt: now.addingTimeInterval(settings.retryDelaySeconds), counters: counters)
        }
    }
}
