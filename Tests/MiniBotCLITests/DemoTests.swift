import Foundation
import MiniBotTestSupport
import Testing

/// `minibot demo` as a user runs it: real Pico, baresip, sipp, SIP agent,
/// whisper.cpp and SQLite. Each simulated callee must end as its persona says.
@Suite("minibot demo", .serialized)
struct DemoTests {
    let folder = temporaryFolder("minibot-demo")

    @Test func everyCalleeEndsAsItsPersonaSays() async throws {
        let directory = folder + "/demo"
        let started = Date()
        let result = try await MinibotProcess.run(["demo", "--json", "--directory", directory], environment: ["MINIBOT_DATA_DIR": folder])
        let wall = Date().timeIntervalSince(started)
        #expect(result.status == 0, "\(result.stderr.suffix(3000))")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr.suffix(3000))")

        // The contacts part: the sample's rejected rows are still reported.
        let report = try #require(summary["import"] as? [String: Any])
        #expect(report["imported"] as? Int == 20 && report["rejected"] as? Int == 4 && report["duplicates"] as? Int == 1)
        #expect((summary["rejects"] as? [String])?.count == 4)

        let contacts = try #require(summary["contacts"] as? [[String: Any]])
        #expect(contacts.count == 20)
        let expectedCall: [String: String] = [
            "interested": "completed", "refuses": "completed", "asks who": "completed", "voicemail": "machine", "silent": "completed",
            "hangs up": "completed", "opts out": "completed", "busy": "busy", "no answer": "no_answer",
        ]
        var kinds: [String: Int] = [:]
        for contact in contacts {
            let persona = try #require(contact["persona"] as? String)
            kinds[persona, default: 0] += 1
            // What the bot heard, to tell a misheard answer from a wrong branch when an expectation fails.
            let heard = (contact["transcript"] as? String).flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? "no transcript"
            let said = "\(persona) \(contact["phone"] ?? ""): \(contact["path"] ?? "") — \(contact["end_reason"] ?? "")\n\(heard)"
            #expect(contact["status"] as? String == contact["expected"] as? String, "\(said)")
            #expect(contact["call_status"] as? String == expectedCall[persona], "\(said)")
            let path = contact["path"] as? [String] ?? []
            switch persona {
            case "interested": #expect(path == ["hello", "q1", "q2", "q3", "is_leads", "confirm", "bye_success"], "\(said)")
            case "refuses", "asks who": #expect(path == ["hello", "retry", "bye_failed"], "\(said)")
            case "opts out": #expect(path == ["hello", "bye_failed"], "\(said)")
            default: break
            }
            if (contact["duration_s"] as? Double ?? 0) > 0 {
                for key in ["recording", "transcript"] {
                    let file = try #require(contact[key] as? String, "\(said): no \(key)")
                    #expect(FileManager.default.fileExists(atPath: file), "\(file)")
                }
            }
        }
        #expect(kinds.count == 9 && kinds.values.allSatisfy { $0 >= 2 }, "\(kinds)")
        let totals = try #require(summary["totals"] as? [String: Any])
        #expect(totals["leads"] as? Int == 3)
        #expect(totals["as_expected"] as? Int == 20)
        #expect((totals["average_call_s"] as? Double ?? 0) > 5)
        #expect(FileManager.default.fileExists(atPath: directory + "/prompts/hello.wav"))
        #expect(FileManager.default.fileExists(atPath: directory + "/demo.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/callees"), "the callees' scratch files stay only with --keep")
        #expect(Self.callees(in: directory).isEmpty, "callees left running: \(Self.callees(in: directory))")
        // A figure, not a limit: on a loaded machine the demo is slower, not wrong.
        print("the demo took \(Int(wall)) s")
    }

    @Test("Ctrl-C and SIGTERM stop the demo and all its callees", arguments: [SIGINT, SIGTERM])
    func interrupted(signal: Int32) async throws {
        let directory = folder + "/demo-\(signal)"
        let log = folder + "/demo-\(signal).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let process = try MinibotProcess.start(["demo", "--directory", directory], environment: ["MINIBOT_DATA_DIR": folder],
                                               stdout: try FileHandle(forWritingTo: URL(fileURLWithPath: log)))
        // Wait until the callees are up and calls are under way.
        let deadline = Date().addingTimeInterval(150)
        while Date() < deadline, process.isRunning {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if output.contains("4. Campaign"), Self.callees(in: directory).count >= 18 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(process.isRunning, "the demo ended before it could be interrupted")
        #expect(Self.callees(in: directory).count >= 18)
        try await Task.sleep(for: .seconds(3))
        kill(process.processIdentifier, signal)
        let stopped = Date().addingTimeInterval(20)
        while process.isRunning, Date() < stopped { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!process.isRunning, "the demo did not stop on signal \(signal)")
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        #expect(process.terminationStatus == 130)
        #expect(Self.callees(in: directory).isEmpty, "callees left running: \(Self.callees(in: directory))")
    }

    /// The baresip and sipp processes whose command line names `directory`.
    static func callees(in directory: String) -> [String] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { Int($0) != nil } ?? []
        return pids.compactMap { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let line = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
            return (line.contains("baresip") || line.contains("sipp")) && line.contains(directory) ? "\(pid): \(line)" : nil
        }
    }
}
