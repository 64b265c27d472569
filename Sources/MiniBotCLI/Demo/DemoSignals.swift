import Foundation

/// While the demo runs, Ctrl-C or SIGTERM stops its callees and exits at
/// once (status 130): a half-run demo has nothing worth waiting for.
final class DemoSignals: @unchecked Sendable {
    // Set once in init; DispatchSource is thread-safe.
    private let sources: [any DispatchSourceSignal]

    init(callees: DemoCallees) {
        sources = [(SIGINT, "interrupted"), (SIGTERM, "terminated")].map { number, name in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                Output.error("\n\(name): stopping the demo's callees\n")
                callees.stopAll()
                // _exit, not exit: whisper.cpp may be decoding on another thread, and exit's C++ static
                // destructors would free what it uses under it (the demo died of SIGSEGV instead of 130).
                fflush(nil)
                _exit(130)
            }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
