import Foundation
import MiniBotStore

/// When a login ends: `idle` after its last request, and `lifetime` after
/// it began whatever happens. The store keeps one expiry per session, the
/// sooner of the two, moved on by requests.
public struct SessionExpiry: Sendable, Equatable {
    public var lifetime: TimeInterval
    public var idle: TimeInterval

    public init(lifetime: TimeInterval, idle: TimeInterval) {
        self.lifetime = lifetime
        self.idle = min(idle, lifetime)
    }

    /// The expiry of a session begun at `start`.
    public func initial(at start: Date) -> Date {
        start.addingTimeInterval(idle)
    }

    /// True when the session may no longer be used at `now` (the store's
    /// expiry passed, or the lifetime, which may have been shortened since).
    public func isOver(_ session: PanelSession, now: Date) -> Bool {
        now >= session.expiresAt || now >= session.createdAt.addingTimeInterval(lifetime)
    }

    /// The expiry a request at `now` gives the session, or nil when the
    /// stored one is close enough (a write per request is not worth it).
    public func extended(_ session: PanelSession, now: Date) -> Date? {
        let target = min(now.addingTimeInterval(idle), session.createdAt.addingTimeInterval(lifetime))
        return target.timeIntervalSince(session.expiresAt) >= min(60, idle / 10) ? target : nil
    }
}
