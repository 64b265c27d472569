import Foundation

/// Lets a running `whisper_full` be stopped: whisper.cpp polls the abort
/// callback between graph computations. Set when the Swift task is cancelled,
/// or found true once the deadline has passed.
final class WhisperAbort: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private let deadline: ContinuousClock.Instant?

    init(timeout: Duration?) {
        deadline = timeout.map { ContinuousClock.now + $0 }
    }

    func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    var wasCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    var timedOut: Bool { deadline.map { ContinuousClock.now >= $0 } ?? false }

    /// Polled from whisper.cpp's thread.
    var shouldAbort: Bool { wasCancelled || timedOut }

    /// The C callback; `data` is an unretained `WhisperAbort`.
    static let callback: @convention(c) (UnsafeMutableRawPointer?) -> Bool = { data in
        guard let data else { return false }
        return Unmanaged<WhisperAbort>.fromOpaque(data).takeUnretainedValue().shouldAbort
    }
}
