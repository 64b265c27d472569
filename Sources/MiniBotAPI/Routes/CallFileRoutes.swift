import Foundation
import Hummingbird
import MiniBotDialer

/// A call's files, each only from its own folder of the data directory:
/// answer clips (`recordings/`), full calls (`assembled/`), transcripts.
struct CallFileRoutes {
    let environment: APIEnvironment
    let responder = FileResponder()

    func folder(_ name: String) -> SafeFile {
        SafeFile(folder: (environment.config.dataDir as NSString).appendingPathComponent(name))
    }

    func serve(_ file: SafeFile, name: String, contentType: String, request: Request, context: APIRequestContext) async throws -> Response {
        do {
            let path = try file.resolve(name)
            return try await responder.respond(path: path, contentType: contentType, request: request, context: context)
        } catch SafeFile.Refusal.invalidName {
            throw Problem.invalid("filename", "must be a plain file name (letters, digits, '-', '_', '.')")
        } catch SafeFile.Refusal.notFound {
            if let callID = Self.callID(ofFile: name), let purged = try await environment.store.call(id: callID)?.filesPurgedAt {
                throw Problem(.gone, "the files of call \(callID) were purged on \(purged.formatted(.iso8601)) by the retention policy (retention.days)")
            }
            throw Problem.notFound("no such file")
        }
    }

    /// The call a file belongs to, from its name: `ID.wav`, `ID.json`, `ID.txt`, or a clip's `ID_SEQ_STEP.wav`.
    static func callID(ofFile name: String) -> String? {
        let stem = (name as NSString).deletingPathExtension
        guard !stem.isEmpty else { return nil }
        if let match = stem.firstMatch(of: /^(.+?)_\d+_.+$/) { return String(match.1) }
        return stem
    }

    static func audioType(_ name: String) -> String {
        name.lowercased().hasSuffix(".wav") ? "audio/wav" : "application/octet-stream"
    }

    func register(_ routes: RouteTable) {
        routes.add(.get, "/calls/recordings/{filename}") { request, context in
            let name = try context.parameters.require("filename")
            return try await serve(folder(CallFiles.recordings), name: name, contentType: Self.audioType(name), request: request, context: context)
        }
        routes.add(.get, "/calls/assembled/{filename}") { request, context in
            let name = try context.parameters.require("filename")
            return try await serve(folder(CallFiles.assembled), name: name, contentType: Self.audioType(name), request: request, context: context)
        }
        routes.add(.get, "/calls/transcripts/{call_id}.json") { request, context in
            let id = try context.parameters.require("call_id")
            return try await serve(folder(CallFiles.transcripts), name: id + ".json", contentType: "application/json",
                                   request: request, context: context)
        }
        routes.add(.get, "/calls/transcripts/{call_id}.txt") { request, context in
            let id = try context.parameters.require("call_id")
            return try await serve(folder(CallFiles.transcripts), name: id + ".txt", contentType: "text/plain; charset=utf-8",
                                   request: request, context: context)
        }
    }
}
