import CWhisper

/// A bounded pool of decoder states over one shared model: at most
/// `capacity` transcriptions run at once; more callers wait their turn. States
/// are created on first need and reused, so N concurrent calls cost N states
/// (tens of MB each), never N copies of the model.
actor WhisperStatePool {
    let model: WhisperModel
    let capacity: Int
    private var idle: [WhisperState] = []
    private var created = 0
    private var waiters: [CheckedContinuation<WhisperState, any Error>] = []

    init(model: WhisperModel, capacity: Int) {
        precondition(capacity > 0, "WhisperStatePool: capacity must be positive")
        self.model = model
        self.capacity = capacity
    }

    /// A state for the caller's exclusive use; give it back with ``release(_:)``.
    func acquire() async throws -> WhisperState {
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
        return try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    /// Returns a state to the pool, or hands it straight to a waiting caller.
    func release(_ state: WhisperState) {
        if waiters.isEmpty {
            idle.append(state)
        } else {
            waiters.removeFirst().resume(returning: state)
        }
    }

    /// Number of states created so far (at most `capacity`).
    var statesCreated: Int { created }

    deinit {
        for state in idle { whisper_free_state(state.pointer) }
    }
}
