import Foundation
import Logging
import MiniBotCore
import MiniBotSpeech
import MiniBotStore

/// Runs one campaign from its queue: claims due contacts, checks the
/// compliance rules, dials within the concurrency and pace limits, runs each
/// answered call through a ``CallSession``, and stores what came of it.
///
/// Several runners (in several `minibot worker` processes, on several hosts
/// sharing PostgreSQL) may run the same campaign: the queue's leases make
/// each contact dialled by one of them only. A runner that dies leaves its
/// rows to ``Store/recoverExpiredLeases(now:)``: never-dialled ones return to
/// the queue, those it was calling are marked interrupted and not dialled again.
public actor CampaignRunner {
    /// The admission knobs, changeable while running (the seed's defaults).
    public struct Limits: Sendable, Equatable {
        public var maxConcurrentCalls: Int
        public var delayBetweenCalls: Duration
        public var queueCheckInterval: Duration
        public var ringTimeout: Duration
        /// How long a claimed row stays ours without renewal.
        public var lease: Duration

        public init(maxConcurrentCalls: Int = 8, delayBetweenCalls: Duration = .seconds(2), queueCheckInterval: Duration = .seconds(5),
                    ringTimeout: Duration = .seconds(30), lease: Duration = .seconds(60)) {
            self.maxConcurrentCalls = maxConcurrentCalls
            self.delayBetweenCalls = delayBetweenCalls
            self.queueCheckInterval = queueCheckInterval
            self.ringTimeout = ringTimeout
            self.lease = lease
        }

        public init(_ dialer: MiniBotConfig.Dialer) {
            self.init(maxConcurrentCalls: dialer.maxConcurrentCalls, delayBetweenCalls: .seconds(dialer.delayBetweenCalls),
                      queueCheckInterval: .seconds(dialer.queueCheckInterval), ringTimeout: .seconds(dialer.ringTimeout),
                      lease: .seconds(max(dialer.leaseSeconds, 1)))
        }
    }

    /// A call in progress, for the live views.
    public struct ActiveCall: Sendable, Equatable {
        public var callID: String
        public var phone: String
        public var startedAt: Date
        public var answered: Bool
    }

    /// How a run ended.
    public enum Ending: String, Sendable {
        /// The queue is empty: every contact was called, skipped or is done.
        case completed
        case cancelled
        /// ``shutdown(grace:)`` was asked.
        case stopped
    }

    public let campaignID: String
    public let worker: String
    let store: any Store
    let telephony: any Telephony
    let session: CallSession
    let callerID: MiniBotConfig.CallerID
    let logger: Logger
    let now: @Sendable () -> Date
    public private(set) var limits: Limits
    private var baseLimits: Limits
    /// Calls the recogniser keeps up with (at most ``Limits/maxConcurrentCalls``).
    private var admission: RecognizerAdmission
    private var active: [String: ActiveCall] = [:]
    private var callTasks: [String: Task<Void, Never>] = [:]
    private var stopping = false
    private var lastLaunch: ContinuousClock.Instant?
    /// Why telephony cannot place calls now, while it cannot.
    public private(set) var telephonyDown: String?
    /// Contacts skipped or deferred by a compliance rule in this run, by rule code.
    public private(set) var complianceSkips: [String: Int] = [:]

    public init(campaignID: String, worker: String, store: any Store, telephony: any Telephony, session: CallSession,
                callerID: MiniBotConfig.CallerID, limits: Limits, logger: Logger,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.campaignID = campaignID
        self.worker = worker
        self.store = store
        self.telephony = telephony
        self.session = session
        self.callerID = callerID
        self.limits = limits
        self.baseLimits = limits
        // A callee who waits longer than this after their answer hears a robot that has stopped
        // listening (and answers the next prompt late); and well before answers time out.
        self.admission = RecognizerAdmission(ceiling: limits.maxConcurrentCalls,
                                             target: min(RecognizerAdmission.answerWaitTarget, session.configuration.recognitionTimeout / 4))
        var logger = logger
        logger[metadataKey: "campaign"] = "\(campaignID)"
        self.logger = logger
        self.now = now
    }

    /// A name for this worker: host, process and a random suffix.
    public static func workerName() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(6).lowercased())"
    }

    /// New limits from the configuration; a campaign's own settings still win over them.
    public func update(_ limits: Limits) {
        baseLimits = limits
        self.limits = limits
    }

    public var activeCalls: [ActiveCall] { active.values.sorted { $0.startedAt < $1.startedAt } }

    /// Stops launching calls; the calls in progress get `grace` to finish, then are cut.
    public func shutdown(grace: Duration) {
        guard !stopping else { return }
        stopping = true
        logger.info("shutting down", metadata: ["calls_in_progress": "\(active.count)"])
        // Cancelling a call's task hangs up a call still ringing and cuts a session in progress.
        let tasks = Array(callTasks.values)
        Task {
            try? await Task.sleep(for: grace)
            for task in tasks { task.cancel() }
        }
    }

    /// Runs until the queue is done, the campaign is cancelled, or ``shutdown(grace:)``.
    public func run() async throws -> Ending {
        let leaseSeconds = limits.lease.timeInterval
        let recovered = try await store.recoverExpiredLeases(now: now())
        if recovered.returned + recovered.interrupted > 0 {
            logger.notice("recovered rows of a stopped worker", metadata: ["returned": "\(recovered.returned)", "interrupted": "\(recovered.interrupted)"])
        }
        let renewal = Task { [store, worker, now] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(leaseSeconds / 3))
                do { try await store.renewLeases(worker: worker, now: now(), lease: leaseSeconds) } catch {
                    self.logger.error("could not renew the queue leases", metadata: ["error": "\(error)"])
                }
            }
        }
        defer { renewal.cancel() }

        var ending = Ending.stopped
        var lastRecovery = ContinuousClock.now
        loop: while !stopping {
            guard let campaign = try await store.campaign(id: campaignID) else { throw DialerError.noSuchCampaign(campaignID) }
            switch campaign.status {
            case .cancelled:
                ending = .cancelled
                break loop
            case .completed:
                ending = .completed
                break loop
            case .paused:
                try await pause(limits.queueCheckInterval)
                continue
            case .active:
                break
            }
            applyOverrides(campaign.settings)
            if ContinuousClock.now - lastRecovery > limits.lease {
                lastRecovery = .now
                _ = try await store.recoverExpiredLeases(now: now())
            }
            pace()
            if let reason = await telephony.unavailability {
                // Telephony is down (Asterisk gone): claim nothing until it is back.
                if telephonyDown == nil { logger.warning("telephony unavailable; not launching calls", metadata: ["reason": "\(reason)"]) }
                telephonyDown = reason
                try await pause(.milliseconds(250))
                continue
            } else if telephonyDown != nil {
                telephonyDown = nil
                logger.notice("telephony available again; launching calls")
            }
            if active.count >= admission.limit {
                try await pause(.milliseconds(100))
                continue
            }
            if let lastLaunch, ContinuousClock.now - lastLaunch < limits.delayBetweenCalls {
                try await pause(limits.delayBetweenCalls - (ContinuousClock.now - lastLaunch))
                continue
            }
            let claimed = try await store.claimQueueEntries(campaignID: campaignID, worker: worker, limit: 1, now: now(), lease: leaseSeconds)
            guard let entry = claimed.first else {
                if active.isEmpty, try await queueIsDone() {
                    _ = try await store.setCampaignStatus(id: campaignID, .completed, at: now())
                    ending = .completed
                    break loop
                }
                try await pause(active.isEmpty ? limits.queueCheckInterval : .milliseconds(250))
                continue
            }
            guard try await admit(entry, settings: campaign.settings) else { continue }
            lastLaunch = .now
            launch(entry, settings: campaign.settings)
        }
        // Let the calls in progress end (a shutdown cuts them after its grace).
        while !active.isEmpty {
            try? await Task.sleep(for: .milliseconds(100))
        }
        logger.info("campaign run ended", metadata: ["ending": "\(ending.rawValue)"])
        return ending
    }

    /// Calls that may be in progress now: the configured maximum, lowered
    /// while the recogniser falls behind (``RecognizerAdmission``).
    public var concurrencyLimit: Int { admission.limit }

    /// Feeds the recogniser's latest latencies to the admission.
    private func pace() {
        admission.setCeiling(limits.maxConcurrentCalls)
        let now = ContinuousClock.now
        for latency in session.recognizer.drain() where admission.record(latency: latency, at: now, inProgress: active.count) {
            logger.notice("calls at once changed to follow the recogniser", metadata: [
                "limit": "\(admission.limit)", "maximum": "\(admission.ceiling)", "latency": "\(latency)"])
        }
    }

    /// The campaign's own concurrency and pace, changed while it runs (`minibot campaign set`).
    private func applyOverrides(_ settings: CampaignSettings) {
        let concurrency = settings.maxConcurrentCalls ?? baseLimits.maxConcurrentCalls
        let delay = settings.delayBetweenCalls.map { Duration.milliseconds(Int($0 * 1_000)) } ?? baseLimits.delayBetweenCalls
        if concurrency != limits.maxConcurrentCalls || delay != limits.delayBetweenCalls {
            logger.info("limits changed", metadata: ["max_concurrent_calls": "\(concurrency)", "delay_between_calls": "\(delay)"])
            limits.maxConcurrentCalls = max(1, concurrency)
            limits.delayBetweenCalls = max(.zero, delay)
        }
    }

    private func pause(_ duration: Duration) async throws {
        try await Task.sleep(for: max(duration, .milliseconds(10)))
    }

    /// True when nothing in the queue can still be dialled (nothing pending, claimed or calling).
    private func queueIsDone() async throws -> Bool {
        let summary = try await store.queueSummary(campaignID: campaignID)
        return (summary[.pending] ?? 0) + (summary[.claimed] ?? 0) + (summary[.calling] ?? 0) == 0
    }

    /// Applies the compliance rules to a claimed row; false when it was deferred or skipped.
    private func admit(_ entry: QueueEntry, settings: CampaignSettings) async throws -> Bool {
        let at = now()
        switch try await ComplianceGate.evaluate(phone: entry.phone, settings: settings.compliance, store: store, at: at) {
        case .allowed:
            return true
        case .notBefore(let date, let reason):
            complianceSkips[reason.rule, default: 0] += 1
            try await store.releaseClaim(campaignID: campaignID, phone: entry.phone, worker: worker, notBefore: date,
                                         reason: "\(reason.rule): \(reason.detail)")
            return false
        case .never(let reason):
            complianceSkips[reason.rule, default: 0] += 1
            try await store.skipQueueEntry(campaignID: campaignID, phone: entry.phone, worker: worker,
                                           reason: "\(reason.rule): \(reason.detail)", at: at)
            return false
        }
    }

    private func launch(_ entry: QueueEntry, settings: CampaignSettings) {
        let callID = UUID().uuidString.lowercased()
        active[callID] = ActiveCall(callID: callID, phone: entry.phone, startedAt: now(), answered: false)
        callTasks[callID] = Task {
            await self.place(entry, callID: callID, settings: settings)
            self.finished(callID)
        }
    }

    private func finished(_ callID: String) {
        active[callID] = nil
        callTasks[callID] = nil
    }

    private func answered(_ callID: String) {
        active[callID]?.answered = true
    }

    /// Dials one contact and stores the outcome. Never throws: every failure is a recorded outcome.
    private func place(_ entry: QueueEntry, callID: String, settings: CampaignSettings) async {
        var call = Call(callID: callID, phone: entry.phone, campaignID: campaignID, status: .dialing, startedAt: now())
        do {
            guard try await store.beginCall(call, worker: worker, now: call.startedAt, lease: limits.lease.timeInterval) else {
                logger.warning("lost the lease before dialling; not dialled", metadata: ["phone": "\(entry.phone)"])
                return
            }
        } catch {
            logger.error("could not record the call start; not dialled", metadata: ["phone": "\(entry.phone)", "error": "\(error)"])
            return
        }
        var generator = SystemRandomNumberGenerator()
        let request = DialRequest(phone: entry.phone, callerID: callerID.next(using: &generator), ringTimeout: limits.ringTimeout)
        let disposition: Disposition
        do {
            let leg = try await telephony.dial(request)
            let answeredAt = now()
            call.status = .answered
            call.answeredAt = answeredAt
            try? await store.saveCall(call)
            let session = self.session
            let phone = entry.phone
            let campaignID = self.campaignID
            let run = Task { () -> CallSessionResult in
                await session.run(callID: callID, phone: phone, campaignID: campaignID, leg: leg, answeredAt: answeredAt)
            }
            answered(callID)
            if stopping { run.cancel() }
            let result = await withTaskCancellationHandler { await run.value } onCancel: { run.cancel() }
            let ended = now()
            let callbackAt = result.outcome == .callback ? callbackTime(result, phone: phone, now: ended, settings: settings) : nil
            disposition = .answered(result, now: ended, settings: settings, callbackAt: callbackAt)
            call.amdResult = result.amd?.result
            call.finalIntent = result.finalIntent
            call.isLead = result.isLead
            call.duration = result.duration.timeInterval
            call.recordingPath = result.recordingPath
            call.transcriptPath = result.transcriptPath
            call.endedAt = ended
            call.outcome = result.outcome ?? disposition.contactStatus
            // Asterisk's AMD() verdict rides on the end reason: no column of its own, no migration.
            call.endReason = result.endReason + (result.asteriskAMD.map { "; Asterisk AMD: \($0)" } ?? "")
            call.hangupCause = result.remoteHangup ? "callee hung up" : (result.hangupCause ?? "hung up by the robot")
        } catch let failure as CallFailure {
            disposition = .unanswered(failure, now: now(), settings: settings)
            call.endedAt = now()
            call.hangupCause = failure.description
            call.endReason = failure.description
            call.outcome = disposition.contactStatus
        } catch {
            let failure = CallFailure.network(code: nil, reason: "\(error)")
            disposition = .unanswered(failure, now: now(), settings: settings)
            call.endedAt = now()
            call.hangupCause = failure.description
            call.endReason = "\(error)"
        }
        call.status = disposition.callStatus
        let completion = CallCompletion(call: call, contactStatus: disposition.contactStatus, optOut: disposition.optOut,
                                        retryAt: disposition.retryAt, counters: disposition.counters)
        for attempt in 1...3 {
            do {
                try await store.completeCall(completion, worker: worker, at: now())
                logger.info("call done", metadata: ["phone": "\(entry.phone)", "status": "\(call.status.rawValue)",
                                                    "outcome": "\(call.outcome?.rawValue ?? "-")"])
                return
            } catch {
                logger.error("could not store the call's end", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(attempt))
            }
        }
    }

    /// When the callee asked to be called back: the time they named, moved into the calling windows.
    private func callbackTime(_ result: CallSessionResult, phone: String, now: Date, settings: CampaignSettings) -> Date? {
        guard let said = result.interactions.last(where: { $0.intent == ScenarioEvent.callback.rawValue })?.transcription else { return nil }
        let zone = CompliancePolicy(settings: settings.compliance).timeZone(phone: phone)
        guard let asked = CallbackTime.parse(said, now: now, timeZone: zone) else { return nil }
        guard settings.compliance.enabled else { return asked }
        return CompliancePolicy(settings: settings.compliance).nextCallingTime(phone: phone, after: asked, hasConsent: false) ?? asked
    }
}

extension Duration {
    /// The duration in seconds, as a TimeInterval.
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

public enum DialerError: Error, Equatable, Sendable, CustomStringConvertible {
    case noSuchCampaign(String)

    public var description: String {
        switch self {
        case .noSuchCampaign(let id): "no campaign with id \(id)"
        }
    }
}
