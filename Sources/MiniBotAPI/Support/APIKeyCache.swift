import MiniBotStore
import Synchronization

/// API keys found valid, kept for ``maxAge`` so that a request does not pay
/// for a key lookup on top of its own query (on PostgreSQL a round trip costs
/// about as much as the route's work). Only keys the store returned as valid
/// are kept, so guessed keys neither fill it nor skip a lookup. A key revoked
/// in this process (the panel) is forgotten at once; one revoked elsewhere
/// (`minibot apikey revoke`, another host) is refused within ``maxAge``.
public final class APIKeyCache: Sendable {
    public let maxAge: Duration
    private let entries = Mutex<[String: Entry]>([:])

    struct Entry {
        var key: APIKeyRecord
        var until: ContinuousClock.Instant
    }

    public init(maxAge: Duration) {
        self.maxAge = maxAge
    }

    /// The key with this SHA-256, when it was found valid less than ``maxAge`` ago.
    func key(hash: String, now: ContinuousClock.Instant) -> APIKeyRecord? {
        entries.withLock { entries in
            guard let entry = entries[hash] else { return nil }
            if entry.until > now { return entry.key }
            entries[hash] = nil
            return nil
        }
    }

    /// Keeps a valid key; expired entries go at the same time.
    func remember(_ key: APIKeyRecord, hash: String, now: ContinuousClock.Instant) {
        guard maxAge > .zero else { return }
        entries.withLock { entries in
            entries = entries.filter { $0.value.until > now }
            entries[hash] = Entry(key: key, until: now + maxAge)
        }
    }

    /// Forgets the key with this id (it was just revoked).
    public func forget(id: String) {
        entries.withLock { entries in entries = entries.filter { $0.value.key.id != id } }
    }
}
