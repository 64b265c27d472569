import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MiniBotStore
import MiniBotTestSupport

/// The HTTP API under load with many calls stored: a real `minibot serve
/// --no-dialer` (a child process) over a database filled with `--calls` calls
/// (10 campaigns, 100,000 numbers, two answers for each of the newest 100,000
/// calls), loaded by `wrk` with `--connections` connections, on SQLite and on
/// PostgreSQL. Prints p50/p99 latency and requests/s for `/stats/summary`, a
/// random page of `/calls` by number (`page=`) and the same pages by cursor
/// (`cursor=`), and a random `/calls/{id}`.
struct APIBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "HTTP API latency and throughput with many calls stored (wrk against minibot serve)."
    )

    @Option(help: "Calls stored.")
    var calls = 1_000_000

    @Option(help: "Seconds of load per route.")
    var seconds = 10

    @Option(help: "Seconds of unmeasured load per route before its measured run (0: none).")
    var warmup = 2

    @Option(help: "wrk connections (wrk uses 2 threads).")
    var connections = 8

    @Option(help: "PostgreSQL URL of a user allowed to create databases (default: $MINIBOT_TEST_POSTGRES_URL); none skips PostgreSQL.")
    var postgresURL: String?

    struct Row: Codable {
        var backend: String
        var route: String
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var requestsPerSecond: Double
        var errors: Int

        enum CodingKeys: String, CodingKey {
            case backend, route, errors
            case p50Milliseconds = "p50_ms", p99Milliseconds = "p99_ms", requestsPerSecond = "requests_per_second"
        }
    }

    func run() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else { throw ValidationError("wrk is missing: apt-get install wrk") }
        let admin = postgresURL ?? ProcessInfo.processInfo.environment["MINIBOT_TEST_POSTGRES_URL"]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minibot-bench-api-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var rows: [Row] = []
        for backend in ["sqlite"] + (admin == nil ? [] : ["postgres"]) {
            let (url, cleanup) = try await ImportBench.freshDatabase(backend, admin: admin, folder: folder, tag: "api")
            let environment = ["MINIBOT_DATA_DIR": folder + "/data", "MINIBOT_DATABASE_URL": url, "MINIBOT_LOG_LEVEL": "warning"]
            let key = try Self.createKey(environment: environment)  // also creates the schema
            let start = Date()
            try await Self.fill(backend: backend, url: url, calls: calls)
            FileHandle.standardError.write(Data("  \(backend): \(calls) calls stored in \(Int(Date().timeIntervalSince(start))) s\n".utf8))
            let port = Int.random(in: 20_000...60_000)
            let server = try Self.serve(port: port, environment: environment)
            defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }
            try await Self.waitForHealth(port: port)
            let pages = min(max(1, calls / 50), 2_000)
            // (route, Lua run once, Lua body of `request`)
            let routes: [(String, String, String)] = [
                ("/stats/summary", "", "return wrk.format(nil, \"/stats/summary\")"),
                ("/calls?page=…", "", "return wrk.format(nil, \"/calls?page_size=50&page=\" .. math.random(1, \(pages)))"),
                ("/calls?cursor=…", Self.cursorTable(calls: calls, pages: pages), """
                    local n = math.random(1, #cursors + 1)
                    if n > #cursors then return wrk.format(nil, "/calls?page_size=50") end
                    return wrk.format(nil, "/calls?page_size=50&cursor=" .. cursors[n])
                    """),
                ("/calls/{id}", "", "return wrk.format(nil, string.format(\"/calls/call-%07d\", math.random(0, \(calls - 1))))"),
            ]
            for (route, prelude, lua) in routes {
                // Unmeasured first: the server opens its database connections and fills its caches.
                if warmup > 0 {
                    _ = try Self.load(route: route, prelude: prelude, lua: lua, port: port, key: key, seconds: warmup, connections: connections, folder: folder)
                }
                let row = try Self.load(route: route, prelude: prelude, lua: lua, port: port, key: key, seconds: seconds, connections: connections, folder: folder)
                rows.append(Row(backend: backend, route: route, p50Milliseconds: row.p50, p99Milliseconds: row.p99,
                                requestsPerSecond: row.rate, errors: row.errors))
                FileHandle.standardError.write(Data("  \(backend) \(route): p50 \(row.p50) ms, p99 \(row.p99) ms, \(Int(row.rate)) req/s\n".utf8))
            }
            server.terminate()
            server.waitUntilExit()
            try await cleanup()
        }
        var table = "backend   route            p50 ms   p99 ms   requests/s  errors\n"
        table += "────────  ───────────────  ───────  ───────  ──────────  ──────\n"
        for r in rows {
            table += r.backend.padding(toLength: 10, withPad: " ", startingAt: 0) + r.route.padding(toLength: 17, withPad: " ", startingAt: 0)
                + String(format: "%7.2f  %7.2f  %10.0f  %6d\n", r.p50Milliseconds, r.p99Milliseconds, r.requestsPerSecond, r.errors)
        }
        print(table)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        struct Report: Encodable {
            let benchmark = "api"
            let calls: Int
            let connections: Int
            let cpuCores = ProcessInfo.processInfo.activeProcessorCount
            let results: [Row]
            enum CodingKeys: String, CodingKey { case benchmark, calls, connections, results, cpuCores = "cpu_cores" }
        }
        print(String(decoding: try encoder.encode(Report(calls: calls, connections: connections, results: rows)), as: UTF8.self))
    }

    /// The same pages as `page=1…pages`, reached by cursor: page p starts
    /// after the call at newest-first position 50(p-1)-1, call-(calls-50(p-1))
    /// as ``fill(backend:url:calls:)`` numbers them (call i starts at 1790000000 + i s).
    static func cursorTable(calls: Int, pages: Int) -> String {
        let tokens = (2...max(2, pages)).compactMap { page -> String? in
            let i = calls - 50 * (page - 1)
            guard i >= 0 else { return nil }
            let cursor = CallCursor(startedAtMicroseconds: Int64(1_790_000_000 + i) * 1_000_000, callID: String(format: "call-%07d", i))
            return "\"\(cursor.token)\""
        }
        return "cursors = {\(tokens.joined(separator: ","))}"
    }

    static var minibot: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("minibot").path
    }

    static func createKey(environment: [String: String]) throws -> String {
        struct Created: Decodable { var key: String }
        let output = try capture(minibot, ["apikey", "create", "--name", "bench", "--scope", "read", "--json"], environment: environment)
        return try JSONDecoder().decode(Created.self, from: Data(output.utf8)).key
    }

    /// The calls, in one statement per table, by the database itself.
    static func fill(backend: String, url: String, calls: Int) async throws {
        let last = calls - 1
        let answered = 100_000
        if backend == "sqlite" {
            let path = String(url.dropFirst("sqlite://".count))
            let sql = """
                PRAGMA journal_mode=WAL;
                BEGIN;
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9)
                INSERT INTO campaigns (id, name, scenario, created_at, updated_at)
                    SELECT 'bench-' || i, 'Campagne ' || i, 'universal', 1790000000000, 1790000000000 FROM n;
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < \(last))
                INSERT INTO calls (call_id, phone, campaign_id, status, is_lead, duration, started_at, answered_at, ended_at, outcome, final_intent)
                    SELECT printf('call-%07d', i), printf('+336%08d', i % 100000), 'bench-' || (i % 10),
                           CASE i % 5 WHEN 0 THEN 'no_answer' WHEN 1 THEN 'machine' WHEN 2 THEN 'busy' ELSE 'completed' END,
                           i % 7 = 0 AND i % 5 >= 3, CASE WHEN i % 5 >= 3 THEN 40 ELSE 0 END,
                           1790000000000 + i * 1000, CASE WHEN i % 5 >= 3 THEN 1790000000000 + i * 1000 + 5000 END,
                           1790000000000 + i * 1000 + 45000,
                           CASE i % 5 WHEN 3 THEN 'Leads' WHEN 4 THEN 'Not_interested' ELSE 'No_answer' END,
                           CASE WHEN i % 5 >= 3 THEN 'positive' END
                    FROM n;
                WITH RECURSIVE n(i) AS (SELECT \(max(0, calls - answered)) UNION ALL SELECT i + 1 FROM n WHERE i < \(last))
                INSERT INTO call_interactions (call_id, sequence, step, prompt, transcription, intent, confidence, started_at, ended_at)
                    SELECT printf('call-%07d', i), s.k, CASE s.k WHEN 0 THEN 'hello' ELSE 'q1' END, 'Bonjour', 'oui bien sûr',
                           'positive', 0.9, 1790000000000 + i * 1000, 1790000000000 + i * 1000 + 3000
                    FROM n, (SELECT 0 AS k UNION ALL SELECT 1) AS s;
                COMMIT;
                ANALYZE;
                """
            _ = try capture("/usr/bin/sqlite3", [path], environment: [:], input: sql)
        } else {
            for sql in [
                """
                INSERT INTO campaigns (id, name, scenario, created_at, updated_at)
                    SELECT 'bench-' || i, 'Campagne ' || i, 'universal', now(), now() FROM generate_series(0, 9) AS i
                """,
                """
                INSERT INTO calls (call_id, phone, campaign_id, status, is_lead, duration, started_at, answered_at, ended_at, outcome, final_intent)
                    SELECT 'call-' || lpad(i::text, 7, '0'), '+336' || lpad((i % 100000)::text, 8, '0'), 'bench-' || (i % 10),
                           CASE i % 5 WHEN 0 THEN 'no_answer' WHEN 1 THEN 'machine' WHEN 2 THEN 'busy' ELSE 'completed' END,
                           i % 7 = 0 AND i % 5 >= 3, CASE WHEN i % 5 >= 3 THEN 40 ELSE 0 END,
                           to_timestamp(1790000000 + i), CASE WHEN i % 5 >= 3 THEN to_timestamp(1790000005 + i) END,
                           to_timestamp(1790000045 + i),
                           CASE i % 5 WHEN 3 THEN 'Leads' WHEN 4 THEN 'Not_interested' ELSE 'No_answer' END,
                           CASE WHEN i % 5 >= 3 THEN 'positive' END
                    FROM generate_series(0, \(last)) AS i
                """,
                """
                INSERT INTO call_interactions (call_id, sequence, step, prompt, transcription, intent, confidence, started_at, ended_at)
                    SELECT 'call-' || lpad(i::text, 7, '0'), k, CASE k WHEN 0 THEN 'hello' ELSE 'q1' END, 'Bonjour', 'oui bien sûr',
                           'positive', 0.9, to_timestamp(1790000000 + i), to_timestamp(1790000003 + i)
                    FROM generate_series(\(max(0, calls - answered)), \(last)) AS i, generate_series(0, 1) AS k
                """,
                // What autovacuum does to a freshly filled table a minute later: done
                // before measuring, so that no route is measured beside it.
                "VACUUM ANALYZE",
            ] {
                try await MiniBotTestSupport.adminQuery(url, sql)
            }
        }
    }

    static func serve(port: Int, environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: minibot)
        process.arguments = ["serve", "--no-dialer", "--port", String(port)]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func waitForHealth(port: Int) async throws {
        for _ in 0..<150 {
            if (try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/health")!)) != nil { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw ValidationError("minibot serve did not answer on port \(port)")
    }

    /// One wrk run; latencies in milliseconds from its distribution.
    static func load(route: String, prelude: String, lua: String, port: Int, key: String, seconds: Int, connections: Int, folder: String) throws
        -> (p50: Double, p99: Double, rate: Double, errors: Int) {
        let script = folder + "/route.lua"
        try """
            wrk.headers["Authorization"] = "Bearer \(key)"
            math.randomseed(20261128)
            \(prelude)
            request = function()
            \(lua)
            end
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let output = try capture("/usr/bin/wrk", ["-t2", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", script,
                                                  "http://127.0.0.1:\(port)"], environment: [:])
        func milliseconds(_ label: String) -> Double {
            guard let line = output.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }),
                  let value = line.split(separator: " ").last.map(String.init) else { return .nan }
            if value.hasSuffix("us") { return (Double(value.dropLast(2)) ?? .nan) / 1_000 }
            if value.hasSuffix("ms") { return Double(value.dropLast(2)) ?? .nan }
            if value.hasSuffix("s") { return (Double(value.dropLast(1)) ?? .nan) * 1_000 }
            return .nan
        }
        let rate = output.split(separator: "\n").first { $0.hasPrefix("Requests/sec:") }
            .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        let non2xx = output.split(separator: "\n").first { $0.contains("Non-2xx or 3xx responses:") }
            .flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        return (milliseconds("50%"), milliseconds("99%"), rate, non2xx)
    }

    @discardableResult
    static func capture(_ tool: String, _ arguments: [String], environment: [String: String], input: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        try process.run()
        if let input {
            inPipe.fileHandleForWriting.write(Data(input.utf8))
            try inPipe.fileHandleForWriting.close()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("\((tool as NSString).lastPathComponent) \(arguments.prefix(2).joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
