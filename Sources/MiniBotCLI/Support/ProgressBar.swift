import Foundation
import Synchronization

/// A one-line progress bar on standard error, drawn only on a terminal and at
/// most ten times a second.
final class ProgressBar: Sendable {
    private let enabled: Bool
    private let lastDraw = Mutex<Double>(0)
    private let label: String

    init(label: String) {
        self.label = label
        self.enabled = isatty(STDERR_FILENO) == 1
    }

    func update(done: Int, total: Int, detail: String) {
        guard enabled else { return }
        let now = Date().timeIntervalSince1970
        let due = lastDraw.withLock { last in
            guard now - last >= 0.1 else { return false }
            last = now
            return true
        }
        guard due else { return }
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        Output.error("\r\(label) \(bar) \(Int(fraction * 100))%  \(detail)\u{1B}[K")
    }

    func finish() {
        guard enabled else { return }
        Output.error("\r\u{1B}[K")
    }
}
