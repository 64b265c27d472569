import Foundation
import MiniBotCore

/// What an import did.
public struct ContactImportReport: Codable, Sendable, Equatable {
    /// Data rows read (the header and blank lines excluded).
    public var rows = 0
    /// Contacts that did not exist before.
    public var imported = 0
    /// Contacts that existed and were merged with the file's values.
    public var updated = 0
    /// Rows whose phone appeared earlier in the same file, merged into it.
    public var duplicates = 0
    public var rejected = 0
    /// Header cells that name no known column.
    public var unknownColumns: [String] = []
    /// Fields that were not UTF-8 and were read as Windows-1252.
    public var windows1252Fields = 0
    /// Where the rejected rows were written, when there were some.
    public var rejectsFile: String?

    enum CodingKeys: String, CodingKey {
        case rows, imported, updated, duplicates, rejected
        case unknownColumns = "unknown_columns", windows1252Fields = "windows1252_fields", rejectsFile = "rejects_file"
    }
}

/// Progress of an import, for a progress bar.
public struct ContactImportProgress: Sendable {
    public var bytesRead: Int
    public var totalBytes: Int
    public var rows: Int
}

public enum ContactImportError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case empty(path: String)
    case header(path: String, ContactRowMapper.HeaderError)
    case malformed(path: String, CSVError)
    case rejectsUnwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .empty(let path): "\(path) is empty: the first row must name the columns (phone,first_name,last_name,email,company,notes)"
        case .header(let path, let error): "\(path): \(error)"
        case .malformed(let path, let error): "\(path): \(error); nothing was imported"
        case .rejectsUnwritable(let path, let reason): "cannot write the rejected rows to \(path): \(reason); nothing was imported"
        }
    }
}

/// Streams a contacts CSV file into a store in one transaction: every valid
/// row lands or, on any error or interruption, none does. Memory does not
/// grow with the file, only with the number of distinct phones (8 bytes each).
public struct ContactImporter: Sendable {
    public var parser: PhoneNumberParser
    public var unknownColumns: UnknownColumnPolicy
    public var batchSize: Int
    private let store: any Store

    public init(store: any Store, parser: PhoneNumberParser, unknownColumns: UnknownColumnPolicy = .ignore, batchSize: Int = 1000) {
        self.store = store
        self.parser = parser
        self.unknownColumns = unknownColumns
        self.batchSize = batchSize
    }

    /// The default place for rejected rows: `contacts.csv` → `contacts.rejects.csv`.
    public static func defaultRejectsPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingPathExtension().path + ".rejects.csv"
    }

    /// Imports `path`. Rejected rows go to `rejectsPath` (created only when
    /// there are some) with their line number and reason.
    public func importFile(
        at path: String, rejectsPath: String? = nil, now: Date = Date(),
        progress: (@Sendable (ContactImportProgress) -> Void)? = nil
    ) async throws -> ContactImportReport {
        guard let input = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
            throw ContactImportError.unreadable(path: path, reason: reason)
        }
        defer { try? input.close() }
        let totalBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let rejects = RejectsWriter(path: rejectsPath ?? Self.defaultRejectsPath(for: path))

        return try await store.importContacts { sink in
            var reader = CSVReader()
            var records: [CSVRecord] = []
            var mapper: ContactRowMapper?
            var report = ContactImportReport()
            var seen = Set<UInt64>()
            var batch: [ContactUpsert] = []
            var batchPhones = Set<UInt64>()
            var bytesRead = 0
            let before = try await sink.contactCount()

            func flush() async throws {
                try await sink.upsert(batch, at: now)
                batch.removeAll(keepingCapacity: true)
                batchPhones.removeAll(keepingCapacity: true)
            }

            func handle(_ record: CSVRecord) async throws {
                guard let rowMapper = mapper else {
                    do {
                        mapper = try ContactRowMapper(header: record.fields, parser: parser, unknownColumns: unknownColumns, now: now)
                    } catch {
                        throw ContactImportError.header(path: path, error)
                    }
                    report.unknownColumns = mapper!.unknownColumns
                    try rejects.start(header: record.fields)
                    return
                }
                if record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { return }
                report.rows += 1
                report.windows1252Fields += record.windows1252Fields
                switch rowMapper.map(record) {
                case .failure(let rejection):
                    report.rejected += 1
                    try rejects.write(rejection, fields: record.fields)
                case .success(let contact):
                    let key = UInt64(contact.phone.e164.dropFirst())!
                    if !seen.insert(key).inserted { report.duplicates += 1 }
                    if batchPhones.contains(key) { try await flush() }
                    batchPhones.insert(key)
                    batch.append(contact)
                    if batch.count >= batchSize { try await flush() }
                }
            }

            do {
                while true {
                    let chunk: Data
                    do {
                        chunk = try input.read(upToCount: 1 << 16) ?? Data()
                    } catch {
                        throw ContactImportError.unreadable(path: path, reason: error.localizedDescription)
                    }
                    if chunk.isEmpty { break }
                    bytesRead += chunk.count
                    try reader.feed(chunk, into: &records)
                    for record in records { try await handle(record) }
                    records.removeAll(keepingCapacity: true)
                    progress?(ContactImportProgress(bytesRead: bytesRead, totalBytes: totalBytes, rows: report.rows))
                }
                try reader.finish(into: &records)
                for record in records { try await handle(record) }
            } catch let error as CSVError {
                rejects.discard()
                throw ContactImportError.malformed(path: path, error)
            } catch {
                rejects.discard()
                throw error
            }
            guard mapper != nil else { throw ContactImportError.empty(path: path) }
            try await flush()
            let after = try await sink.contactCount()
            report.imported = after - before
            report.updated = seen.count - report.imported
            report.rejectsFile = try rejects.finish()
            return report
        }
    }
}

/// Writes rejected rows to a CSV file: `line`, `reason`, then the row's own
/// fields under the file's header, so it can be fixed and imported again.
/// The file is written to a temporary name and only kept if rows were rejected.
final class RejectsWriter: @unchecked Sendable {
    let path: String
    private var handle: FileHandle?
    private var temporary: String { path + ".partial" }
    private var count = 0
    private let writer = CSVWriter()

    init(path: String) { self.path = path }

    func start(header: [String]) throws {
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporary)
        else {
            throw ContactImportError.rejectsUnwritable(path: path, reason: "cannot create the file")
        }
        self.handle = handle
        try append(["line", "reason"] + header)
    }

    func write(_ rejection: RowRejection, fields: [String]) throws {
        count += 1
        try append([String(rejection.line), rejection.reason] + fields)
    }

    private func append(_ fields: [String]) throws {
        do {
            try handle?.write(contentsOf: Data(writer.record(fields).utf8))
        } catch {
            throw ContactImportError.rejectsUnwritable(path: path, reason: error.localizedDescription)
        }
    }

    /// Keeps the file if it holds rejected rows and returns its path.
    func finish() throws -> String? {
        try? handle?.close()
        handle = nil
        guard count > 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            return nil
        }
        do {
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch {
            throw ContactImportError.rejectsUnwritable(path: path, reason: error.localizedDescription)
        }
        return path
    }

    func discard() {
        try? handle?.close()
        handle = nil
        try? FileManager.default.removeItem(atPath: temporary)
    }
}
