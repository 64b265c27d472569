import Foundation
import MiniBotCore

/// A call's transcript as written next to its recording: JSON for programs,
/// TXT for people (the seed's two formats: per step the prompt's words, the
/// answer, the intent, and the timings).
public struct CallTranscript: Codable, Sendable, Equatable {
    public struct Turn: Codable, Sendable, Equatable {
        public var step: String
        public var prompt: String
        /// Milliseconds from the answer when the prompt started.
        public var promptStartMs: Int
        /// The prompt was cut short by the callee speaking.
        public var bargedIn: Bool
        public var answer: String?
        public var answerStartMs: Int?
        public var answerEndMs: Int?
        public var intent: String?
        public var confidence: Double?
        public var transcriptionMs: Int?
        /// The answer's clip, relative to the data directory.
        public var clip: String?
        public var error: String?

        enum CodingKeys: String, CodingKey {
            case step, prompt, answer, intent, confidence, clip, error
            case promptStartMs = "prompt_start_ms", bargedIn = "barged_in", answerStartMs = "answer_start_ms"
            case answerEndMs = "answer_end_ms", transcriptionMs = "transcription_ms"
        }
    }

    public var callID: String
    public var phone: String
    public var campaignID: String?
    public var scenario: String
    public var answeredAt: Date
    public var durationSeconds: Double
    public var amd: String?
    public var amdReason: String?
    /// Asterisk's `AMD()` verdict (`MACHINE (MAXWORDS-3-2)`), when the call went through a dialplan that ran it.
    public var asteriskAMD: String?
    public var outcome: String?
    public var isLead: Bool
    public var endReason: String
    public var turns: [Turn]

    enum CodingKeys: String, CodingKey {
        case phone, scenario, amd, outcome, turns
        case callID = "call_id", campaignID = "campaign_id", answeredAt = "answered_at", durationSeconds = "duration_seconds"
        case amdReason = "amd_reason", asteriskAMD = "asterisk_amd", isLead = "is_lead", endReason = "end_reason"
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    /// The readable form: one line per prompt and per answer, with call times.
    public var text: String {
        func stamp(_ ms: Int) -> String { String(format: "%02d:%04.1f", ms / 60_000, Double(ms % 60_000) / 1000) }
        var lines = [
            "Appel \(callID) — \(phone)" + (campaignID.map { " — campagne \($0)" } ?? ""),
            "Décroché le \(ISO8601DateFormatter().string(from: answeredAt)), durée \(String(format: "%.1f", durationSeconds)) s",
            "Résultat : \(outcome ?? "aucun")\(isLead ? " (lead)" : "") — fin : \(endReason)",
        ]
        if let amd { lines.append("Détection de répondeur : \(amd)" + (amdReason.map { " (\($0))" } ?? "")) }
        if let asteriskAMD { lines.append("AMD() d'Asterisk : \(asteriskAMD)") }
        lines.append("")
        for turn in turns {
            lines.append("[\(stamp(turn.promptStartMs))] ROBOT (\(turn.step))\(turn.bargedIn ? " [interrompu]" : "") : \(turn.prompt)")
            if let answer = turn.answer {
                let intent = turn.intent.map { " → \($0)" + (turn.confidence.map { String(format: " (%.2f)", $0) } ?? "") } ?? ""
                lines.append("[\(stamp(turn.answerStartMs ?? turn.promptStartMs))] CLIENT : \(answer.isEmpty ? "(silence)" : answer)\(intent)")
            }
            if let error = turn.error { lines.append("    erreur : \(error)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
