import Foundation
import Synchronization

/// Failed logins per key (a client address, a user name): from the
/// `slowAfter`-th failure within `window` on, each failed answer is held a
/// little longer; after `limit` failures further attempts are refused until
/// the window has passed since the first of them. A success forgets the key.
/// A value type fed times, so tests need no clock.
public struct LoginThrottleState: Sendable {
    public var limit: Int
    public var window: TimeInterval
    /// Failures answered at once; each one after them waits `delayStep` more.
    public var slowAfter: Int
    public var delayStep: TimeInterval
    private var failures: [String: [Date]] = [:]

    public init(limit: Int = 5, window: TimeInterval = 10 * 60, slowAfter: Int = 2, delayStep: TimeInterval = 1) {
        self.limit = limit
        self.window = window
        self.slowAfter = slowAfter
        self.delayStep = delayStep
    }

    /// Seconds to wait before `key` may try again, or nil when it may try now.
    public mutating func retryAfter(_ key: String, now: Date) -> TimeInterval? {
        let recent = recentFailures(key, now: now)
        guard recent.count >= limit, let first = recent.first else { return nil }
        return window - now.timeIntervalSince(first)
    }

    /// Counts a failure; returns how long to hold its answer.
    @discardableResult
    public mutating func failed(_ key: String, now: Date) -> TimeInterval {
        var recent = recentFailures(key, now: now)
        recent.append(now)
        failures[key] = recent
        // Bound the memory an attacker trying many names or addresses can take.
        if failures.count > 10_000 {
            failures = failures.filter { now.timeIntervalSince($0.value.last ?? .distantPast) < window }
        }
        return Double(max(0, recent.count - slowAfter)) * delayStep
    }

    /// Failures of `key` within the window now.
    public mutating func failureCount(_ key: String, now: Date) -> Int {
        recentFailures(key, now: now).count
    }

    public mutating func succeeded(_ key: String) {
        failures[key] = nil
    }

    private mutating func recentFailures(_ key: String, now: Date) -> [Date] {
        let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
        failures[key] = recent.isEmpty ? nil : recent
        return recent
    }
}

/// The throttle shared by the server's requests: failures per client
/// address (whatever the names tried) and, more loosely, per user name (the
/// same account tried from many addresses).
public final class LoginThrottle: Sendable {
    private let state: Mutex<(address: LoginThrottleState, name: LoginThrottleState)>

    public init(perAddress: LoginThrottleState = .init(), perName: LoginThrottleState = .init(limit: 10, window: 15 * 60)) {
        self.state = Mutex((address: perAddress, name: perName))
    }

    /// Seconds before this address may try this name again, or nil when it may try now.
    public func retryAfter(address: String, name: String, now: Date) -> TimeInterval? {
        state.withLock { state in
            let waits = [state.address.retryAfter(address, now: now), state.name.retryAfter(name, now: now)].compactMap { $0 }
            return waits.max()
        }
    }

    /// Counts a failure; returns how long to hold its answer and the address's failures in the window.
    public func failed(address: String, name: String, now: Date) -> (delay: TimeInterval, failures: Int) {
        state.withLock { state in
            let delay = state.address.failed(address, now: now)
            state.name.failed(name, now: now)
            return (delay, state.address.failureCount(address, now: now))
        }
    }

    public func succeeded(address: String, name: String) {
        state.withLock { state in
            state.address.succeeded(address)
            state.name.succeeded(name)
        }
    }

    /// Failures from `address` after which it is refused.
    public var addressLimit: Int { state.withLock { $0.address.limit } }
}
