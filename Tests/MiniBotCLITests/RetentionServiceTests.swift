import Foundation
import Logging
import MiniBotCore
import MiniBotDialer
import MiniBotStore
import MiniBotTestSupport
import ServiceLifecycle
import Testing
@testable import MiniBotCLI

/// A clock that only moves when the test says so.
final class ManualClock: Clock, @unchecked Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private let lock = NSLock()
    private var current = Instant(offset: .zero)
    private var sleepers: [(id: UUID, deadline: Instant, continuation: CheckedContinuation<Void, any Error>)] = []

    var now: Instant { lock.withLock { current } }
    var minimumResolution: Duration { .nanoseconds(1) }
    var sleeping: Int { lock.withLock { sleepers.count } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let ready = lock.withLock { () -> Bool in
                    if deadline <= current { return true }
                    sleepers.append((id, deadline, continuation))
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let sleeper = lock.withLock { () -> CheckedContinuation<Void, any Error>? in
                guard let index = sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return sleepers.remove(at: index).continuation
            }
            sleeper?.resume(throwing: CancellationError())
        }
    }

    func advance(by duration: Duration) {
        let due = lock.withLock { () -> [CheckedContinuation<Void, any Error>] in
            current = current.advanced(by: duration)
            let due = sleepers.filter { $0.deadline <= current }
            sleepers.removeAll { $0.deadline <= current }
            return due.map(\.continuation)
        }
        for continuation in due { continuation.resume() }
    }
}

/// The reports a service produced, read by the test while it runs.
final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [RetentionSweeper.Report] = []

    func append(_ report: RetentionSweeper.Report) { lock.withLock { items.append(report) } }
    var all: [RetentionSweeper.Report] { lock.withLock { items } }
}

/// `minibot serve`'s daily sweep, driven by a manual clock on real files and rows.
@Suite("Retention service")
struct RetentionServiceTests {
    static let day: TimeInterval = 86_400

    @Test("sweeps at start, then once a day", arguments: Backend.available)
    func daily(_ backend: Backend) async throws {
        let data = temporaryFolder("minibot-retention-service")
        defer { try? FileManager.default.removeItem(atPath: data) }
        try await withFreshStore(backend) { store, _ in
            let base = Date()
            // One call 35 days old, one 29.5 days old: the second passes 30 days after one more day.
            for (id, age) in [("older", 35.0), ("younger", 29.5)] {
                let start = base.addingTimeInterval(-age * Self.day)
                try await store.saveCall(Call(callID: id, phone: "+33611111111", status: .completed, recordingPath: "assembled/\(id).wav",
                                              startedAt: start, endedAt: start))
                try FileManager.default.createDirectory(atPath: data + "/assembled", withIntermediateDirectories: true)
                try Data(count: 64).write(to: URL(fileURLWithPath: data + "/assembled/\(id).wav"))
            }
            let clock = ManualClock()
            let reports = Reports()
            let service = RetentionService(sweeper: RetentionSweeper(store: store, dataDirectory: data), days: 30, clock: clock,
                                           now: { base.addingTimeInterval(Double(clock.now.offset.components.seconds)) },
                                           logger: testLogger, swept: { reports.append($0) })
            let group = ServiceGroup(configuration: .init(services: [service], logger: testLogger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                func waitUntil(_ condition: () -> Bool) async throws {
                    for _ in 0..<500 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
                    #expect(condition())
                }
                try await waitUntil { reports.all.count == 1 && clock.sleeping == 1 }
                #expect(reports.all.first?.calls == 1)
                #expect(!FileManager.default.fileExists(atPath: data + "/assembled/older.wav"))
                #expect(FileManager.default.fileExists(atPath: data + "/assembled/younger.wav"))

                // Half a day: no sweep yet.
                clock.advance(by: .seconds(43_200))
                try await Task.sleep(for: .milliseconds(100))
                #expect(reports.all.count == 1)
                // A day after the first: the second sweep takes the younger call.
                clock.advance(by: .seconds(43_200))
                try await waitUntil { reports.all.count == 2 && clock.sleeping == 1 }
                #expect(reports.all.last?.calls == 1)
                #expect(!FileManager.default.fileExists(atPath: data + "/assembled/younger.wav"))
                #expect(try await store.call(id: "younger")?.filesPurgedAt != nil)

                // Shutdown ends the wait at once.
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(reports.all.count == 2)
        }
    }
}
