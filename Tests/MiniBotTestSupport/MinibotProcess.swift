import Foundation

/// Runs the real `minibot` executable built next to the test bundle.
public struct MinibotProcess {
    public struct Result {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The `minibot` binary in the same build folder as the running tests.
    public static var executable: String {
        let tests = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = tests.deletingLastPathComponent()
        while !FileManager.default.isExecutableFile(atPath: folder.appendingPathComponent("minibot").path), folder.path != "/" {
            folder = folder.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("minibot").path
    }

    public static func environment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MINIBOT_") || $0.key.hasPrefix("MINIBOT_TEST_") }
        environment.merge(extra) { $1 }
        return environment
    }

    /// Starts `minibot arguments…` and returns the running process.
    public static func start(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
                             stdout: FileHandle? = nil, stderr: FileHandle? = nil) throws -> Process {
        let process = Process()
        configure(process, arguments, environment: environment, directory: directory, stdout: stdout, stderr: stderr)
        try process.run()
        return process
    }

    private static func configure(_ process: Process, _ arguments: [String], environment: [String: String], directory: String?,
                                  stdout: FileHandle?, stderr: FileHandle?) {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = Self.environment(environment)
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardOutput = stdout ?? FileHandle.nullDevice
        process.standardError = stderr ?? FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
    }

    /// Runs `minibot arguments…` to the end and collects its output, without
    /// holding a thread of Swift's cooperative pool while it waits.
    public static func run(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minibot-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out"), err = folder.appendingPathComponent("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        configure(process, arguments, environment: environment, directory: directory,
                  stdout: try FileHandle(forWritingTo: out), stderr: try FileHandle(forWritingTo: err))
        let launched: Swift.Result<Void, any Error> = await withCheckedContinuation { exited in
            process.terminationHandler = { _ in exited.resume(returning: .success(())) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                exited.resume(returning: .failure(error))
            }
        }
        try launched.get()
        return Result(status: process.terminationStatus,
                      stdout: try String(contentsOf: out, encoding: .utf8), stderr: try String(contentsOf: err, encoding: .utf8))
    }
}
