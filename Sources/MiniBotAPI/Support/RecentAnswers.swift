/// Answers that cost a scan of a big table (the summary, a listing's total),
/// kept for `maxAge` and refreshed behind the callers' backs: a request gets
/// the last answer at once while one refresh runs, so a million calls do not
/// make every request wait for a count. Only the first request for a key
/// waits (with every other request for it, on the same computation). A
/// `maxAge` of zero computes every time.
actor RecentAnswers<Key: Hashable & Sendable, Value: Sendable> {
    let maxAge: Duration
    let capacity: Int
    private var entries: [Key: (value: Value, at: ContinuousClock.Instant)] = [:]
    private var refreshing: [Key: Task<Value, any Error>] = [:]

    init(maxAge: Duration, capacity: Int = 256) {
        self.maxAge = maxAge
        self.capacity = capacity
    }

    func value(_ key: Key, _ compute: @escaping @Sendable () async throws -> Value) async throws -> Value {
        guard maxAge > .zero else { return try await compute() }
        if let entry = entries[key] {
            if ContinuousClock.now - entry.at > maxAge && refreshing[key] == nil { _ = refresh(key, compute) }
            return entry.value
        }
        return try await (refreshing[key] ?? refresh(key, compute)).value
    }

    private func refresh(_ key: Key, _ compute: @escaping @Sendable () async throws -> Value) -> Task<Value, any Error> {
        let task = Task { try await compute() }
        refreshing[key] = task
        Task { self.finished(key, await task.result) }
        return task
    }

    private func finished(_ key: Key, _ result: Result<Value, any Error>) {
        refreshing[key] = nil
        guard case .success(let value) = result else { return }
        // A new key in a full cache takes the place of the oldest answer.
        if entries[key] == nil, entries.count >= capacity,
           let oldest = entries.min(by: { $0.value.at < $1.value.at })?.key {
            entries[oldest] = nil
        }
        entries[key] = (value, .now)
    }
}
