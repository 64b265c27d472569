import Foundation
import Synchronization

/// Failed logins per user name: after `limit` failures within `window`,
/// further attempts for that name are refused until the window has passed
/// since the first of them. A value type fed times, so tests need no clock.
public struct LoginThrottleState: Sendable {
    public var limit: Int
    public var window: TimeInterval
    private var failures: [String: [Date]] = [:]

    public init(limit: Int = 5, window: TimeInterval = 15 * 60) {
        self.limit = limit
        self.window = window
    }

    /// Seconds to wait before `name` may try again, or nil when it may try now.
    public mutating func retryAfter(_ name: String, now: Date) -> TimeInterval? {
        let recent = (failures[name] ?? []).filter { now.timeIntervalSince($0) < window }
        failures[name] = recent.isEmpty ? nil : recent
        guard recent.count >= limit, let first = recent.first else { return nil }
        return window - now.timeIntervalSince(first)
    }

    public mutating func failed(_ name: String, now: Date) {
        failures[name, default: []].append(now)
        // Bound the memory an attacker trying many names can take.
        if failures.count > 10_000 {
            failures = failures.filter { now.timeIntervalSince($0.value.last ?? .distantPast) < window }
        }
    }

    public mutating func succeeded(_ name: String) {
        failures[name] = nil
    }
}

/// The throttle shared by the server's requests.
public final class LoginThrottle: Sendable {
    private let state: Mutex<LoginThrottleState>

    public init(_ state: LoginThrottleState = .init()) {
        self.state = Mutex(state)
    }

    public func retryAfter(_ name: String, now: Date = Date()) -> TimeInterval? { state.withLock { $0.retryAfter(name, now: now) } }
    public func failed(_ name: String, now: Date = Date()) { state.withLock { $0.failed(name, now: now) } }
    public func succeeded(_ name: String) { state.withLock { $0.succeeded(name) } }
}
