import Foundation

/// What Asterisk's own `AMD()` application said about an answered call, read
/// from the channel's `AMDSTATUS` and `AMDCAUSE` when calls go through a
/// dialplan that runs it (deploy/asterisk/extensions.conf, `[minibot-amd]`).
public struct AsteriskAMDVerdict: Sendable, Equatable, Codable, CustomStringConvertible {
    /// `HUMAN`, `MACHINE`, `NOTSURE` or `HANGUP`, as Asterisk set it.
    public var status: String
    /// Why, in Asterisk's words: `MAXWORDS-3-2`, `HUMAN-805-800`, `LONGGREETING-1500-1500`, `INITIALSILENCE-2500-2500`.
    public var cause: String

    /// Nil when `status` is empty (no `AMD()` ran on the call).
    public init?(status: String, cause: String = "") {
        let status = status.trimmingCharacters(in: .whitespaces).uppercased()
        guard !status.isEmpty else { return nil }
        self.status = status
        self.cause = cause.trimmingCharacters(in: .whitespaces)
    }

    /// The verdict in our terms: `HUMAN` a person, `MACHINE` a machine, anything else unknown.
    public var result: AMDResult {
        switch status {
        case "HUMAN": .human
        case "MACHINE": .machine
        default: .unknown
        }
    }

    /// The status as a metric label: Asterisk's four, or `OTHER` for
    /// whatever else a dialplan put in `AMDSTATUS` (labels stay few).
    public var label: String {
        ["HUMAN", "MACHINE", "NOTSURE", "HANGUP"].contains(status) ? status : "OTHER"
    }

    /// `MACHINE (MAXWORDS-3-2)`.
    public var description: String { cause.isEmpty ? status : "\(status) (\(cause))" }
}
