import Foundation
import MiniBotCore

/// Writes contacts as RFC 4180 CSV: the import columns first (phone in
/// E.164), then status, attempts and what the last call found, so an export
/// imports again as is. Streams page by page; memory stays flat.
public struct ContactExporter: Sendable {
    public enum Format: Sendable {
        /// `,`-separated UTF-8 without a byte-order mark.
        case standard
        /// What Excel opens directly: UTF-8 with a byte-order mark, `;`-separated.
        case excel
    }

    private let store: any Store
    public var pageSize = 1000

    public init(store: any Store) {
        self.store = store
    }

    /// Writes the matching contacts through `write` and returns how many.
    @discardableResult
    public func export(
        filter: ContactFilter = .init(), limit: Int? = nil, format: Format = .standard,
        write: (Data) async throws -> Void
    ) async throws -> Int {
        try await exportCollectingLeads(filter: filter, limit: limit, format: format, write: write).count
    }

    /// As ``export(filter:limit:format:write:)``, and the phones of the leads
    /// written: once the output is safely delivered, pass them to
    /// ``Store/markExported(phones:at:)`` so the retention sweep may purge
    /// their calls' files.
    public func exportCollectingLeads(
        filter: ContactFilter = .init(), limit: Int? = nil, format: Format = .standard,
        write: (Data) async throws -> Void
    ) async throws -> (count: Int, leads: [String]) {
        var leads: [String] = []
        let writer = CSVWriter(delimiter: format == .excel ? ";" : ",")
        var head = Data(format == .excel ? [0xEF, 0xBB, 0xBF] : [])
        head.append(contentsOf: writer.record(ContactColumn.exportColumns.map(\.rawValue)).utf8)
        try await write(head)
        var written = 0
        var after: String?
        while limit.map({ written < $0 }) ?? true {
            let size = min(pageSize, (limit ?? .max) - written)
            let page = try await store.exportPage(filter, after: after, limit: size)
            guard let last = page.last else { break }
            var chunk = ""
            for row in page {
                chunk += writer.record(Self.fields(of: row))
                if row.contact.status == .leads { leads.append(row.contact.phone) }
            }
            try await write(Data(chunk.utf8))
            written += page.count
            after = last.contact.phone
            if page.count < size { break }
        }
        return (written, leads)
    }

    static func fields(of row: ContactExportRow) -> [String] {
        let c = row.contact
        return [
            c.phone, c.firstName, c.lastName, c.email, c.company, c.notes, c.status.rawValue, String(c.attempts),
            c.lastAttemptAt.map(Self.timestamp) ?? "", row.lastCallStatus?.rawValue ?? "", row.lastCallIntent ?? "",
            row.lastTranscript, c.consentAt.map(Self.timestamp) ?? "", c.consentSource,
        ]
    }

    /// ISO 8601 in UTC to the second: `2026-11-28T09:30:00Z`.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon).timeZone(separator: .omitted))
    }
}

/// Writes an export to a file atomically: a failure (a full disk) leaves no
/// half-written file behind, and any earlier file in place.
public final class AtomicFileWriter {
    public let path: String
    private let temporary: String
    private let handle: FileHandle

    public init(path: String) throws {
        self.path = path
        self.temporary = path + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporary) else {
            throw StoreError.unavailable("cannot create \(path): check that the folder exists and is writable")
        }
        self.handle = handle
    }

    public func write(_ data: Data) throws {
        do {
            try handle.write(contentsOf: data)
        } catch {
            throw StoreError.unavailable("cannot write \(path): \(error.localizedDescription)")
        }
    }

    public func commit() throws {
        do {
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, path) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        } catch {
            discard()
            throw StoreError.unavailable("cannot write \(path): \(error.localizedDescription)")
        }
    }

    public func discard() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: temporary)
    }
}
