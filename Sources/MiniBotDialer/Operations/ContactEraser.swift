import Foundation
import MiniBotCore
import MiniBotStore

/// The GDPR side of the data: erase everything held about a number
/// (`minibot contacts forget`, `DELETE /contacts/{phone}`), keeping only its
/// SHA-256 on the opt-out list so it is never dialled again; and gather it
/// all for an access request (`minibot contacts show --export`).
public struct ContactEraser: Sendable {
    public let store: any Store
    public let files: CallFiles
    /// A call not finished and started less than this ago is in progress:
    /// the erasure waits for it (older ones were left by a crashed worker).
    public var inProgressWindow: TimeInterval = 3 * 3600

    public init(store: any Store, dataDirectory: String) {
        self.store = store
        self.files = CallFiles(dataDirectory: dataDirectory)
    }

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case callInProgress(phone: String, callID: String)

        public var description: String {
            switch self {
            case .callInProgress(let phone, let callID):
                "a call to \(phone) is in progress (\(callID)); erase the number once it has ended"
            }
        }
    }

    /// What an erasure did.
    public struct Report: Sendable, Equatable, Codable {
        public var phone: String
        /// The SHA-256 kept on the opt-out list.
        public var optOutHash: String
        public var erased: ContactErasure
        public var filesDeleted: Int
        /// Files the rows named that were already gone.
        public var filesMissing: Int
        /// Files that could not be deleted, with the reason: remove them by hand.
        public var failures: [String]

        enum CodingKeys: String, CodingKey {
            case phone, erased, failures
            case optOutHash = "opt_out_hash", filesDeleted = "files_deleted", filesMissing = "files_missing"
        }
    }

    /// Erases `phone` (E.164). Its hash goes on the opt-out list first, so
    /// no worker dials it while the rest goes; the rows then go in one
    /// transaction, then the files.
    public func forget(phone: String, now: Date) async throws -> Report {
        let calls = try await allCalls(phone: phone)
        if let running = calls.first(where: { !$0.status.isFinal && now.timeIntervalSince($0.startedAt) < inProgressWindow }) {
            throw Refusal.callInProgress(phone: phone, callID: running.callID)
        }
        let hash = OptOutEntry.sha256(of: phone)
        _ = try await store.addOptOuts([OptOutEntry(key: hash, hashed: true, source: ErasureSource.optOut, addedAt: now)])
        let erased = try await store.forgetContact(phone: phone, at: now)
        var report = Report(phone: phone, optOutHash: hash, erased: erased, filesDeleted: 0, filesMissing: 0, failures: [])
        for relative in Set(erased.files).sorted() {
            guard let path = files.contained(relative) else {
                report.failures.append("\(relative): not a path inside the data directory; left alone")
                continue
            }
            guard CallFiles.size(of: path) != nil else {
                report.filesMissing += 1
                continue
            }
            do {
                try FileManager.default.removeItem(atPath: path)
                report.filesDeleted += 1
            } catch {
                report.failures.append("\(path): \(CallFiles.reason(error))")
            }
        }
        return report
    }

    func allCalls(phone: String) async throws -> [Call] {
        var calls: [Call] = []
        while true {
            let page = try await store.calls(CallQuery(phone: phone, limit: 500, offset: calls.count))
            calls += page.calls
            if page.calls.count < 500 { return calls }
        }
    }

    /// Everything held about a person, for an access request.
    public struct PersonalData: Sendable, Codable {
        public struct CallRecord: Sendable, Codable {
            public var call: Call
            public var interactions: [CallInteraction]
            /// Each of the call's files (absolute path) and whether it is still on disk.
            public var files: [FileEntry]
            /// The readable transcript's text, while the file is kept.
            public var transcript: String?
        }

        public struct FileEntry: Sendable, Codable, Equatable {
            public var path: String
            public var exists: Bool
        }

        public struct OptOutStatus: Sendable, Codable, Equatable {
            /// The dialer refuses the number (on the opt-out list, plain or as
            /// its SHA-256, or the contact's own flag).
            public var optedOut: Bool
            /// The contact's own opt-out flag.
            public var contactFlag: Bool

            enum CodingKeys: String, CodingKey {
                case optedOut = "opted_out", contactFlag = "contact_flag"
            }
        }

        public var phone: String
        public var exportedAt: Date
        public var contact: Contact?
        public var optOut: OptOutStatus
        public var calls: [CallRecord]
        /// The campaigns' queue rows for the number.
        public var queue: [QueueEntry]

        enum CodingKeys: String, CodingKey {
            case phone, contact, calls, queue
            case exportedAt = "exported_at", optOut = "opt_out"
        }
    }

    /// Gathers what is held about `phone` (E.164).
    public func export(phone: String, now: Date) async throws -> PersonalData {
        let contact = try await store.contact(phone: phone)
        let calls = try await allCalls(phone: phone).reversed()
        let fileRecords = Dictionary(try await store.callFiles(phone: phone).map { ($0.callID, $0) }) { a, _ in a }
        var records: [PersonalData.CallRecord] = []
        for call in calls {
            let paths = fileRecords[call.callID]?.paths ?? []
            let entries = paths.compactMap { files.contained($0) }.map { PersonalData.FileEntry(path: $0, exists: CallFiles.size(of: $0) != nil) }
            let text = entries.first { $0.path.hasSuffix(".txt") && $0.exists }
                .flatMap { try? String(contentsOfFile: $0.path, encoding: .utf8) }
            records.append(.init(call: call, interactions: try await store.interactions(callID: call.callID), files: entries, transcript: text))
        }
        var queue: [QueueEntry] = []
        for campaign in try await store.campaigns() {
            if let entry = try await store.queueEntry(campaignID: campaign.id, phone: phone) { queue.append(entry) }
        }
        let optOut = PersonalData.OptOutStatus(optedOut: try await store.isOptedOut(phone: phone), contactFlag: contact?.optOut ?? false)
        return PersonalData(phone: phone, exportedAt: now, contact: contact, optOut: optOut, calls: records, queue: queue)
    }
}
