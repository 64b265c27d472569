import Foundation
import Logging
import MiniBotDialer
import ServiceLifecycle

/// The retention sweep as a service of `minibot serve`: once when it starts,
/// then every `interval` (a day) by `clock`, until the group shuts down. A
/// failed sweep is logged and tried again at the next turn; it never takes
/// the API or the dialer down.
final class RetentionService: Service, Sendable {
    let sweeper: RetentionSweeper
    let options: RetentionSweeper.Options
    let interval: Duration
    let clock: any Clock<Duration>
    /// The wall-clock time a sweep measures ages from.
    let now: @Sendable () -> Date
    let logger: Logger
    /// Called after each sweep (the tests count them).
    let swept: @Sendable (RetentionSweeper.Report) -> Void

    init(sweeper: RetentionSweeper, days: Int, interval: Duration = .seconds(86_400), clock: any Clock<Duration> = ContinuousClock(),
         now: @escaping @Sendable () -> Date = { Date() }, logger: Logger,
         swept: @escaping @Sendable (RetentionSweeper.Report) -> Void = { _ in }) {
        self.sweeper = sweeper
        self.options = .init(olderThan: Double(days) * 86_400)
        self.interval = interval
        self.clock = clock
        self.now = now
        self.logger = logger
        self.swept = swept
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let report = try await sweeper.sweep(options, now: now())
                logger.info("retention sweep", metadata: [
                    "calls_purged": "\(report.calls)", "files_deleted": "\(report.files)", "bytes": "\(report.bytes)",
                    "lead_calls_kept": "\(report.keptUnexportedLeads)", "failures": "\(report.failures.count)",
                ])
                for failure in report.failures { logger.warning("retention sweep cannot delete a file", metadata: ["file": "\(failure)"]) }
                swept(report)
            } catch {
                logger.error("retention sweep failed; trying again at the next turn", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { [clock, interval] in try await clock.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
