import Foundation

/// What happened, as integrations hear of it (webhooks).
public enum CallEventKind: String, Codable, Sendable, CaseIterable {
    /// A call finished, whatever its outcome.
    case callEnded = "call.ended"
    /// A call made its contact a lead.
    case lead
}

/// One entry of the durable event log. It is written in the same transaction
/// that completes the call, so a call that ended always has its events; ids
/// grow in commit order, so a reader that remembers the last id it handled
/// misses none. Only the call is referenced: what is sent is read when it is
/// sent, so erasing a person (GDPR) erases them from what is still to send.
public struct CallEvent: Sendable, Equatable {
    public var id: Int64
    public var kind: CallEventKind
    public var callID: String
    public var createdAt: Date

    public init(id: Int64, kind: CallEventKind, callID: String, createdAt: Date) {
        self.id = id
        self.kind = kind
        self.callID = callID
        self.createdAt = createdAt
    }

    /// The events a completed call gives.
    public static func kinds(for call: Call) -> [CallEventKind] {
        call.isLead || call.outcome == .leads ? [.callEnded, .lead] : [.callEnded]
    }
}
