import Foundation
import Hummingbird
import HummingbirdTesting
import MiniBotCore
@testable import MiniBotStore
import MiniBotTestSupport
import MiniBotWeb
import Testing

/// Every page against a SQLite store of many calls (100,000 by default;
/// MINIBOT_TEST_PANEL_CALLS=1000000 for the figure), through the
/// router. The times are printed for docs/BENCHMARKS.md (the goal is < 200 ms
/// a page), not asserted: a timed unit test fails on a busy machine, not on a
/// slow page.
@Suite("Panel render time with many calls (SQLite)", .serialized)
struct PanelRenderTimeTests {
    static let calls = Int(ProcessInfo.processInfo.environment["MINIBOT_TEST_PANEL_CALLS"] ?? "") ?? 100_000

    static func milliseconds(_ duration: Duration) -> String {
        String(format: "%.1f ms", Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
    }

    @Test func pagesRenderWithManyCalls() async throws {
        try await withPanel { panel in
            let sqlite = try #require(panel.store as? SQLiteStore)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let seeding = ContinuousClock.now
            // Contacts and calls spread over the last 30 days (about 1/30 of them today), in one statement each.
            try sqlite.locked { db in
                try db.execute("""
                    INSERT INTO campaigns (id, name, scenario, status, created_at, updated_at) VALUES ('bench', 'Bench', 'universal', 'active', \(now), \(now));
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(Self.calls / 10))
                    INSERT INTO contacts (phone, first_name, status, created_at, updated_at)
                    SELECT printf('+336%08d', i), 'Contact ' || i, CASE i % 5 WHEN 0 THEN 'Leads' WHEN 1 THEN 'No_answer' ELSE 'New' END, \(now), \(now) FROM n;
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(Self.calls))
                    INSERT INTO calls (call_id, phone, campaign_id, status, is_lead, duration, started_at, outcome)
                    SELECT printf('call-%07d', i), printf('+336%08d', i % \(Self.calls / 10) + 1), 'bench',
                           CASE i % 4 WHEN 0 THEN 'no_answer' WHEN 1 THEN 'busy' ELSE 'completed' END, i % 7 = 0, 30.0,
                           \(now) - (i * 2592000000 / \(Self.calls)),
                           CASE WHEN i % 4 < 2 THEN NULL WHEN i % 7 = 0 THEN 'Leads' ELSE 'Not_interested' END FROM n;
                    ANALYZE;
                    """)
            }
            print("seeded \(Self.calls) calls in \(ContinuousClock.now - seeding)")
            _ = try await panel.login()
            var figures: [(String, Duration)] = []
            for path in ["/panel", "/panel/calls", "/panel/calls?page=1000", "/panel/calls?lead=true", "/panel/calls?status=completed&campaign_id=bench",
                         "/panel/calls/call-0000042", "/panel/campaigns", "/panel/campaigns/bench", "/panel/contacts", "/panel/contacts?search=Contact%2042",
                         "/panel/live?campaign=bench"] {
                _ = try await panel.get(path)  // warm
                var best = Duration.seconds(3600)
                for _ in 0..<3 {
                    let start = ContinuousClock.now
                    let page = try await panel.get(path)
                    best = min(best, ContinuousClock.now - start)
                    #expect(page.status == .ok, "\(path)")
                }
                figures.append((path, best))
            }
            print("panel render times with \(Self.calls) calls: " + figures.map { "\($0.0) \(Self.milliseconds($0.1))" }.joined(separator: ", "))
        }
    }
}
