import Foundation

/// How far a call got, and how it ended.
public enum CallStatus: String, Codable, Sendable, CaseIterable {
    case dialing, ringing, answered, completed
    case noAnswer = "no_answer"
    case busy, rejected, failed, machine, cancelled

    /// True once the call is over and will not change again.
    public var isFinal: Bool {
        switch self {
        case .dialing, .ringing, .answered: false
        default: true
        }
    }
}

/// What answering-machine detection decided.
public enum AMDResult: String, Codable, Sendable, CaseIterable {
    case human, machine, unknown
}

/// One call to one contact, with what came of it.
public struct Call: Codable, Sendable, Equatable {
    public var callID: String
    public var phone: String
    public var campaignID: String?
    public var status: CallStatus
    public var amdResult: AMDResult?
    /// The intent of the callee's last classified answer.
    public var finalIntent: String?
    public var isLead: Bool
    /// Seconds from answer to hang-up; zero for calls never answered.
    public var duration: Double
    /// Path of the full-call WAV (bot and client), relative to the data directory.
    public var recordingPath: String?
    /// Path of the JSON transcript, relative to the data directory.
    public var transcriptPath: String?
    public var startedAt: Date
    public var answeredAt: Date?
    public var endedAt: Date?
    /// The SIP response code or Q.850 cause that ended the call, as text (`486 Busy Here`, `cause 16`).
    public var hangupCause: String?
    /// What the call made of the contact (`Leads`, `Not_interested`, `No_answer`, `Callback`, `Opt_out`, `Failed`…).
    public var outcome: ContactStatus?
    /// Why the call ended, in words: `callee hung up during q2`, `recogniser failed`, `worker lost`.
    public var endReason: String?
    /// When the retention sweep deleted the call's files (recording,
    /// transcripts, clips) and cleared their paths; nil while they are kept.
    public var filesPurgedAt: Date?

    public init(callID: String, phone: String, campaignID: String? = nil, status: CallStatus = .dialing,
                amdResult: AMDResult? = nil, finalIntent: String? = nil, isLead: Bool = false,
                duration: Double = 0, recordingPath: String? = nil, transcriptPath: String? = nil,
                startedAt: Date, answeredAt: Date? = nil, endedAt: Date? = nil, hangupCause: String? = nil,
                outcome: ContactStatus? = nil, endReason: String? = nil, filesPurgedAt: Date? = nil) {
        self.callID = callID
        self.phone = phone
        self.campaignID = campaignID
        self.status = status
        self.amdResult = amdResult
        self.finalIntent = finalIntent
        self.isLead = isLead
        self.duration = duration
        self.recordingPath = recordingPath
        self.transcriptPath = transcriptPath
        self.startedAt = startedAt
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        self.hangupCause = hangupCause
        self.outcome = outcome
        self.endReason = endReason
        self.filesPurgedAt = filesPurgedAt
    }

    enum CodingKeys: String, CodingKey {
        case phone, status, duration
        case callID = "call_id", campaignID = "campaign_id", amdResult = "amd_result"
        case finalIntent = "final_intent", isLead = "is_lead", recordingPath = "recording_path"
        case transcriptPath = "transcript_path", startedAt = "started_at", answeredAt = "answered_at"
        case endedAt = "ended_at", hangupCause = "hangup_cause", outcome, endReason = "end_reason"
        case filesPurgedAt = "files_purged_at"
    }
}

/// One turn of a call: the prompt the robot played and what the callee answered.
public struct CallInteraction: Codable, Sendable, Equatable {
    public var callID: String
    /// Order of the turn inside the call, from 0.
    public var sequence: Int
    public var step: String
    public var prompt: String
    public var transcription: String
    public var intent: String?
    public var confidence: Double?
    /// Seconds the callee spoke.
    public var responseDuration: Double
    /// When the prompt started and when the answer was classified.
    public var startedAt: Date
    public var endedAt: Date
    /// Seconds spent transcribing the answer.
    public var transcriptionSeconds: Double?
    /// What went wrong in this turn (the recogniser failed, playback failed), if anything.
    public var error: String?
    /// The callee's answer as a WAV file, relative to the data directory.
    public var clipPath: String?

    public init(callID: String, sequence: Int, step: String, prompt: String, transcription: String,
                intent: String? = nil, confidence: Double? = nil, responseDuration: Double = 0,
                startedAt: Date, endedAt: Date, transcriptionSeconds: Double? = nil,
                error: String? = nil, clipPath: String? = nil) {
        self.callID = callID
        self.sequence = sequence
        self.step = step
        self.prompt = prompt
        self.transcription = transcription
        self.intent = intent
        self.confidence = confidence
        self.responseDuration = responseDuration
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.transcriptionSeconds = transcriptionSeconds
        self.error = error
        self.clipPath = clipPath
    }

    enum CodingKeys: String, CodingKey {
        case sequence, step, prompt, transcription, intent, confidence
        case callID = "call_id", responseDuration = "response_duration"
        case startedAt = "started_at", endedAt = "ended_at", transcriptionSeconds = "transcription_seconds"
        case error, clipPath = "clip_path"
    }
}
