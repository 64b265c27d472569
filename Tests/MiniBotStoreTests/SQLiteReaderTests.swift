import Foundation
import MiniBotCore
import MiniBotTestSupport
import Synchronization
import Testing
@testable import MiniBotStore

/// SQLite's reads run on read-only connections beside the writer (WAL):
/// a long write, or a long read, does not hold up a listing.
@Suite("SQLite readers beside the writer")
struct SQLiteReaderTests {
    @Test("a listing is answered while the writer connection is held, and sees every committed write")
    func readsBesideTheWriter() async throws {
        try await withFreshStore(.sqlite) { any, _ in
            let store = try #require(any as? SQLiteStore)
            try await store.saveCall(Call(callID: "a", phone: "+33611111111", status: .completed, startedAt: testDate))
            // Another thread holds the writer for up to 10 s; the reads below must not wait for it.
            let held = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
            let waitedInVain = Mutex(false)
            let holder = Thread {
                try? store.locked { _ in
                    held.signal()
                    let outcome = release.wait(timeout: .now() + 10)
                    waitedInVain.withLock { $0 = outcome == .timedOut }
                }
                done.signal()
            }
            holder.start()
            held.wait()
            let page = try await store.calls(CallQuery())
            let summary = try await store.callSummary()
            let call = try await store.call(id: "a")
            release.signal()
            done.wait()
            #expect(page.calls.map(\.callID) == ["a"] && page.total == 1 && summary.total == 1 && call != nil)
            #expect(!waitedInVain.withLock { $0 }, "the reads waited for the writer")
            // The writer is free again: a write, then a read on a reader connection, sees it.
            try await store.saveCall(Call(callID: "b", phone: "+33611111111", status: .busy, startedAt: testDate.addingTimeInterval(1)))
            #expect(try await store.calls(CallQuery()).calls.map(\.callID) == ["b", "a"])
            #expect(try await store.countCalls(CallQuery()) == 2)
        }
    }

    @Test("readers refuse writes")
    func readersAreReadOnly() async throws {
        try await withFreshStore(.sqlite) { any, _ in
            let store = try #require(any as? SQLiteStore)
            #expect(throws: StoreError.self) {
                try store.reading { db in try db.execute("DELETE FROM calls") }
            }
        }
    }
}
