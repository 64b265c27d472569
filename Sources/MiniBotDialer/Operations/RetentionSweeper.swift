import Foundation
import Logging
import MiniBotCore
import MiniBotStore

/// Deletes the files of calls past retention — answer clips
/// (`recordings/`), full calls (`assembled/`) and transcripts — and marks the
/// calls purged; their rows stay. A call that made a lead not exported since
/// keeps its files unless ``Options/includeUnexportedLeads``. `minibot
/// cleanup` runs it once; `minibot serve` daily.
public struct RetentionSweeper: Sendable {
    public let store: any Store
    public let files: CallFiles
    /// Calls read and purged per batch.
    public var batchSize = 500

    public init(store: any Store, dataDirectory: String) {
        self.store = store
        self.files = CallFiles(dataDirectory: dataDirectory)
    }

    public struct Options: Sendable, Equatable {
        /// Files of calls started longer ago than this are deleted.
        public var olderThan: TimeInterval
        /// Count what would go, delete nothing.
        public var dryRun: Bool
        /// Delete the files of leads not yet exported too.
        public var includeUnexportedLeads: Bool
        /// Mark purged the calls none of whose files is in this data
        /// directory. Off by default: with PostgreSQL shared by hosts that
        /// each keep their own data directory, those files are on another
        /// host, whose own sweep deletes them.
        public var purgeMissing: Bool

        public init(olderThan: TimeInterval, dryRun: Bool = false, includeUnexportedLeads: Bool = false, purgeMissing: Bool = false) {
            self.olderThan = olderThan
            self.dryRun = dryRun
            self.includeUnexportedLeads = includeUnexportedLeads
            self.purgeMissing = purgeMissing
        }
    }

    /// Files of one kind: how many and their bytes.
    public struct Tally: Sendable, Equatable, Codable {
        public var files = 0
        public var bytes: Int64 = 0

        public init(files: Int = 0, bytes: Int64 = 0) {
            self.files = files
            self.bytes = bytes
        }
    }

    /// What a sweep deleted, or with `dryRun` would delete.
    public struct Report: Sendable, Equatable, Codable {
        /// Calls started before this lost their files.
        public var cutoff: Date
        public var dryRun: Bool
        /// Calls whose files were deleted (or would be) and that are now marked purged.
        public var calls = 0
        /// Answer clips (`recordings/`).
        public var clips = Tally()
        /// Full-call WAVs (`assembled/`).
        public var fullCalls = Tally()
        /// JSON and text transcripts (`transcripts/`).
        public var transcripts = Tally()
        /// Calls kept because they made a lead not exported yet.
        public var keptUnexportedLeads = 0
        /// Files the rows named that were already gone.
        public var missingFiles = 0
        /// Calls none of whose files is in this data directory (another
        /// host's, or removed by hand): left unpurged unless ``Options/purgeMissing``.
        public var callsNotHere = 0
        /// Files that could not be deleted (their calls stay unpurged, for the next run), each with the reason.
        public var failures: [String] = []

        public var files: Int { clips.files + fullCalls.files + transcripts.files }
        public var bytes: Int64 { clips.bytes + fullCalls.bytes + transcripts.bytes }

        public init(cutoff: Date, dryRun: Bool) {
            self.cutoff = cutoff
            self.dryRun = dryRun
        }

        enum CodingKeys: String, CodingKey {
            case cutoff, calls, clips, transcripts, failures, files, bytes
            case dryRun = "dry_run", fullCalls = "full_calls"
            case keptUnexportedLeads = "kept_unexported_leads", missingFiles = "missing_files", callsNotHere = "calls_not_here"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(cutoff, forKey: .cutoff)
            try c.encode(dryRun, forKey: .dryRun)
            try c.encode(calls, forKey: .calls)
            try c.encode(files, forKey: .files)
            try c.encode(bytes, forKey: .bytes)
            try c.encode(clips, forKey: .clips)
            try c.encode(fullCalls, forKey: .fullCalls)
            try c.encode(transcripts, forKey: .transcripts)
            try c.encode(keptUnexportedLeads, forKey: .keptUnexportedLeads)
            try c.encode(missingFiles, forKey: .missingFiles)
            try c.encode(callsNotHere, forKey: .callsNotHere)
            try c.encode(failures, forKey: .failures)
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            cutoff = try c.decode(Date.self, forKey: .cutoff)
            dryRun = try c.decode(Bool.self, forKey: .dryRun)
            calls = try c.decode(Int.self, forKey: .calls)
            clips = try c.decode(Tally.self, forKey: .clips)
            fullCalls = try c.decode(Tally.self, forKey: .fullCalls)
            transcripts = try c.decode(Tally.self, forKey: .transcripts)
            keptUnexportedLeads = try c.decode(Int.self, forKey: .keptUnexportedLeads)
            missingFiles = try c.decode(Int.self, forKey: .missingFiles)
            callsNotHere = try c.decode(Int.self, forKey: .callsNotHere)
            failures = try c.decode([String].self, forKey: .failures)
        }

        mutating func count(_ relative: String, bytes: Int64) {
            if relative.hasPrefix(CallFiles.recordings + "/") {
                clips.files += 1; clips.bytes += bytes
            } else if relative.hasPrefix(CallFiles.assembled + "/") {
                fullCalls.files += 1; fullCalls.bytes += bytes
            } else {
                transcripts.files += 1; transcripts.bytes += bytes
            }
        }
    }

    /// Deletes (or counts) the files of calls started before `now - olderThan`.
    public func sweep(_ options: Options, now: Date) async throws -> Report {
        let cutoff = now.addingTimeInterval(-options.olderThan)
        var report = Report(cutoff: cutoff, dryRun: options.dryRun)
        var after: String?
        while true {
            let page = try await store.callFiles(startedBefore: cutoff, after: after, limit: batchSize)
            guard let last = page.last else { break }
            after = last.callID
            var purged: [String] = []
            for record in page {
                if record.unexportedLead && !options.includeUnexportedLeads {
                    report.keptUnexportedLeads += 1
                    continue
                }
                switch remove(record, dryRun: options.dryRun, into: &report) {
                case .removed: purged.append(record.callID)
                case .noneHere:
                    report.callsNotHere += 1
                    if options.purgeMissing { purged.append(record.callID) }
                case .incomplete: break
                }
            }
            if !options.dryRun { try await store.markCallFilesPurged(callIDs: purged, at: now) }
            report.calls += purged.count
            if page.count < batchSize { break }
        }
        return report
    }

    private enum Removal { case removed, noneHere, incomplete }

    /// Deletes one call's files.
    private func remove(_ record: CallFileRecord, dryRun: Bool, into report: inout Report) -> Removal {
        var complete = true
        var found = 0
        for relative in record.paths {
            guard let path = files.contained(relative) else {
                report.failures.append("\(relative) (call \(record.callID)): not a path inside the data directory; left alone")
                complete = false
                continue
            }
            guard let size = CallFiles.size(of: path) else {
                report.missingFiles += 1
                continue
            }
            found += 1
            if !dryRun {
                do {
                    try FileManager.default.removeItem(atPath: path)
                } catch {
                    report.failures.append("\(path): \(CallFiles.reason(error)); check the file's permissions")
                    complete = false
                    continue
                }
            }
            report.count(relative, bytes: size)
        }
        if !complete { return .incomplete }
        return found > 0 ? .removed : .noneHere
    }
}

extension CallFiles {
    /// The absolute path of a stored relative path, when it stays inside the
    /// data directory (no absolute path, no `..`); nil otherwise.
    public func contained(_ relative: String) -> String? {
        guard !relative.isEmpty, !relative.hasPrefix("/"),
              !relative.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." || $0.isEmpty }) else {
            return nil
        }
        return absolute(relative)
    }

    /// The size of a regular file (not following a symbolic link), or nil when there is none.
    static func size(of path: String) -> Int64? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    static func reason(_ error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let code = underlying?.code, underlying?.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(code)))
        }
        return error.localizedDescription
    }
}
