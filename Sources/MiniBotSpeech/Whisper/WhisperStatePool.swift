import CWhisper

/// A bounded pool of decoder states over one shared model: at most
/// `capacity` transcriptions run at once; more callers wait their turn. States
/// are created on first need and reused, so N concurrent calls cost N states
/// (tens of MB each), never N copies of the model.
///
/// Waiting callers are served by priority, then in order of arrival: an
/// answer a callee waits for goes before an answering machine's greeting,
/// which the dialer transcribes at a lower task priority. A caller cancelled
/// while waiting leaves the queue at once.
actor WhisperStatePool {
    let model: WhisperModel
    let capacity: Int
    private var idle: [WhisperState] = []
    private var created = 0
    private var waiters: [Waiter] = []
    private var nextWaiter = 0

    private struct Waiter {
        let id: Int
        let priority: TaskPriority
        let continuation: CheckedContinuation<WhisperState, any Error>
    }

    init(model: WhisperModel, capacity: Int) {
        precondition(capacity > 0, "WhisperStatePool: capacity must be positive")
        self.model = model
        self.capacity = capacity
    }

    /// A state for the caller's exclusive use; give it back with ``release(_:)``.
    /// Throws `CancellationError` when the caller's task is cancelled before it gets one.
    func acquire(priority: TaskPriority) async throws -> WhisperState {
        try Task.checkCancellation()
        if let state = idle.popLast() { return state }
        if created < capacity {
            created += 1
            do {
                return try model.makeState()
            } catch {
                created -= 1
                throw error
            }
        }
        let id = nextWaiter
        nextWaiter += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append(Waiter(id: id, priority: priority, continuation: continuation))
                }
            }
        } onCancel: {
            Task { await self.abandon(id) }
        }
    }

    /// Returns a state to the pool, or hands it straight to the first waiting caller of the highest priority.
    func release(_ state: WhisperState) {
        var next: Int?
        for index in waiters.indices where next.map({ waiters[index].priority > waiters[$0].priority }) ?? true {
            next = index
        }
        guard let next else {
            idle.append(state)
            return
        }
        waiters.remove(at: next).continuation.resume(returning: state)
    }

    /// A waiter whose task was cancelled stops waiting.
    private func abandon(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    /// Number of states created so far (at most `capacity`).
    var statesCreated: Int { created }

    /// Callers waiting for a state.
    var waiting: Int { waiters.count }

    deinit {
        for state in idle { whisper_free_state(state.pointer) }
    }
}
