import Foundation
import Synchronization

/// Runs a program to its end and collects what it writes, without holding a
/// thread of Swift's cooperative pool: its output is read on Dispatch threads
/// and its exit arrives through `terminationHandler`.
///
/// `input` reaches its standard input through a temporary file, so no pipe is
/// written to (no deadlock on long texts, no SIGPIPE when the child exits
/// early). Cancelling the calling task kills the child.
enum ChildProcess {
    /// How the program ended and what it wrote.
    struct Result: Sendable {
        /// Exit status, or the signal's number when ``signalled``.
        var status: Int32
        var signalled: Bool
        var stdout: Data
        var stderr: Data
    }

    /// Runs `executable` with `arguments`, `input` on its standard input.
    /// Throws when the program cannot be started.
    static func run(_ executable: String, arguments: [String], input: Data) async throws -> Result {
        let inputURL = FileManager.default.temporaryDirectory.appendingPathComponent("minibot-input-\(UUID().uuidString)")
        try input.write(to: inputURL)
        defer { try? FileManager.default.removeItem(at: inputURL) }
        let inputHandle = try FileHandle(forReadingFrom: inputURL)
        defer { try? inputHandle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = inputHandle
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let state = State()

        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
                let group = DispatchGroup()
                group.enter()
                process.terminationHandler = { _ in
                    state.exited()
                    group.leave()
                }
                do {
                    try process.run()
                } catch {
                    process.terminationHandler = nil
                    continuation.resume(throwing: error)
                    return
                }
                state.started(process.processIdentifier)
                for (index, pipe) in [output, errors].enumerated() {
                    group.enter()
                    DispatchQueue.global().async {
                        let data = (try? pipe.fileHandleForReading.readToEnd()) ?? Data()
                        state.store(data, stream: index)
                        group.leave()
                    }
                }
                group.notify(queue: .global()) {
                    let (stdout, stderr) = state.output
                    continuation.resume(returning: Result(status: process.terminationStatus,
                                                          signalled: process.terminationReason == .uncaughtSignal,
                                                          stdout: stdout, stderr: stderr))
                }
            }
        } onCancel: {
            state.cancel()
        }
    }

    /// The child's pid while it runs, whether the caller gave up, and its output.
    private final class State: Sendable {
        private struct Fields {
            var pid: pid_t?
            var cancelled = false
            var exited = false
            var stdout = Data()
            var stderr = Data()
        }
        private let fields = Mutex(Fields())

        func started(_ pid: pid_t) {
            fields.withLock { fields in
                guard !fields.exited else { return }
                fields.pid = pid
                if fields.cancelled { kill(pid, SIGKILL) }
            }
        }

        func exited() {
            fields.withLock { $0.exited = true; $0.pid = nil }
        }

        func cancel() {
            // Under the lock: once the exit is recorded, the (maybe reused) pid is never signalled.
            fields.withLock { fields in
                fields.cancelled = true
                if let pid = fields.pid { kill(pid, SIGKILL) }
            }
        }

        func store(_ data: Data, stream: Int) {
            fields.withLock { if stream == 0 { $0.stdout = data } else { $0.stderr = data } }
        }

        var output: (Data, Data) { fields.withLock { ($0.stdout, $0.stderr) } }
    }
}
