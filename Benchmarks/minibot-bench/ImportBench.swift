import ArgumentParser
import Foundation
import MiniBotTestSupport

/// Imports generated contact files through the real `minibot import` (a
/// child process per run) and reports rows per second and the child's peak
/// memory, on SQLite and on PostgreSQL, for several file sizes: memory that
/// stays flat as the file grows shows the import streams.
struct ImportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Contact import: rows/s and peak memory on SQLite and PostgreSQL."
    )

    @Option(help: "File sizes in rows, comma-separated.")
    var sizes = "10000,100000"

    @Option(help: "Share of rows that are invalid (rejected), 0…1.")
    var badShare = 0.01

    @Option(help: "PostgreSQL URL of a user allowed to create databases (default: $MINIBOT_TEST_POSTGRES_URL); none skips PostgreSQL.")
    var postgresURL: String?

    @Option(help: "Runs per case; the best is kept.")
    var repeats = 1

    struct Row: Codable {
        var backend: String
        var rows: Int
        var rejected: Int
        var seconds: Double
        var rowsPerSecond: Double
        var peakMemoryMiB: Double

        enum CodingKeys: String, CodingKey {
            case backend, rows, rejected, seconds
            case rowsPerSecond = "rows_per_second", peakMemoryMiB = "peak_memory_mib"
        }
    }

    func run() async throws {
        let sizes = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty else { throw ValidationError("--sizes names no size") }
        let admin = postgresURL ?? ProcessInfo.processInfo.environment["MINIBOT_TEST_POSTGRES_URL"]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minibot-bench-import-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        var results: [Row] = []
        for size in sizes {
            let file = folder + "/contacts-\(size).csv"
            let rejectedRows = try Self.generate(rows: size, badShare: badShare, to: file)
            for backend in ["sqlite"] + (admin == nil ? [] : ["postgres"]) {
                var best: Row?
                for attempt in 0..<repeats {
                    let (url, cleanup) = try await Self.freshDatabase(backend, admin: admin, folder: folder, tag: "\(size)_\(attempt)")
                    let measured = try Self.runImport(file: file, databaseURL: url, folder: folder)
                    try await cleanup()
                    let row = Row(backend: backend, rows: size, rejected: rejectedRows, seconds: measured.seconds,
                                  rowsPerSecond: Double(size) / measured.seconds, peakMemoryMiB: measured.peakMiB)
                    if best == nil || row.seconds < best!.seconds { best = row }
                }
                results.append(best!)
                FileHandle.standardError.write(Data("  \(backend) \(size) rows: \(Int(best!.rowsPerSecond)) rows/s\n".utf8))
            }
        }

        var table = "backend   rows       rejected  seconds  rows/s    peak MiB\n"
        table += "────────  ─────────  ────────  ───────  ────────  ────────\n"
        for r in results {
            table += r.backend.padding(toLength: 10, withPad: " ", startingAt: 0)
                + String(r.rows).padding(toLength: 11, withPad: " ", startingAt: 0)
                + String(r.rejected).padding(toLength: 10, withPad: " ", startingAt: 0)
                + String(format: "%7.2f  %8.0f  %8.1f\n", r.seconds, r.rowsPerSecond, r.peakMemoryMiB)
        }
        print(table)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        struct Report: Encodable { let benchmark = "import"; let results: [Row] }
        print(String(decoding: try encoder.encode(Report(results: results)), as: UTF8.self))
    }

    /// Writes a contacts file like a real one (accents, quoted notes, several
    /// phone formats) with a share of invalid rows; returns how many.
    static func generate(rows: Int, badShare: Double, to path: String) throws -> Int {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var chunk = "phone;first_name;last_name;email;company;notes\n"
        let badEvery = badShare > 0 ? max(1, Int((1 / badShare).rounded())) : Int.max
        var bad = 0
        for n in 0..<rows {
            if n % badEvery == badEvery / 2 {
                bad += 1
                chunk += "06 12 AB \(n % 100);Bad;Row;;;\n"
            } else {
                let digits = String(format: "%08d", n)
                let phone = switch n % 3 {
                case 0: "06 \(digits.prefix(2)) \(digits.dropFirst(2).prefix(2)) \(digits.dropFirst(4).prefix(2)) \(digits.suffix(2))"
                case 1: "+33 7 \(digits)"
                default: "06.\(digits)"
                }
                chunk += "\(phone);Élodie\(n);Lefèvre;contact\(n)@example.fr;Société \(n % 997);\"Rappeler, \"\"svp\"\" après 14h\"\n"
            }
            if chunk.utf8.count > 1 << 16 {
                try handle.write(contentsOf: Data(chunk.utf8))
                chunk = ""
            }
        }
        try handle.write(contentsOf: Data(chunk.utf8))
        return bad
    }

    static func freshDatabase(_ backend: String, admin: String?, folder: String, tag: String) async throws
        -> (String, () async throws -> Void) {
        if backend == "sqlite" {
            let path = folder + "/bench-\(tag).sqlite"
            return ("sqlite://" + path, {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            })
        }
        let name = "minibot_bench_\(tag)_\(getpid())"
        try await MiniBotTestSupport.adminQuery(admin!, "CREATE DATABASE \(name)")
        var components = URLComponents(string: admin!)!
        components.path = "/" + name
        return (components.string!, { try await MiniBotTestSupport.adminQuery(admin!, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") })
    }

    /// Runs `minibot import` as a child and returns its wall time and peak resident memory.
    static func runImport(file: String, databaseURL: String, folder: String) throws -> (seconds: Double, peakMiB: Double) {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("minibot").path
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ValidationError("\(executable) is missing: build the minibot product first")
        }
        let arguments = [executable, "import", file, "--json", "--database-url", databaseURL, "--rejects", folder + "/rejects.csv"]
        var environment = ProcessInfo.processInfo.environment
        environment["MINIBOT_DATA_DIR"] = folder
        environment["MINIBOT_LOG_LEVEL"] = "warning"
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        let start = DispatchTime.now().uptimeNanoseconds
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw ValidationError("cannot start \(executable): error \(spawned)") }
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard status == 0 else { throw ValidationError("minibot import failed (status \(status)) on \(databaseURL)") }
        return (seconds, Double(usage.ru_maxrss) / 1024)
    }
}
