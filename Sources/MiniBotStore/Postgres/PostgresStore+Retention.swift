import Foundation
import Logging
import MiniBotCore
import PostgresNIO

// The retention sweep's and erasure's reads and writes (`minibot cleanup`,
// `minibot contacts forget`).
extension PostgresStore {
    /// Whether a call made a lead its contact has not been exported since.
    static let unexportedLeadSQL = """
        (c.is_lead AND EXISTS (SELECT 1 FROM contacts k WHERE k.phone = c.phone
            AND (k.exported_at IS NULL OR k.exported_at < coalesce(c.ended_at, c.started_at))))
        """

    static func fileRecord(_ row: PostgresRandomAccessRow) throws -> CallFileRecord {
        CallFileRecord(callID: try row[0].decode(String.self), phone: try row[1].decode(String.self),
                       startedAt: try row[2].decode(Date.self), recordingPath: try row[3].decode(String?.self),
                       transcriptPath: try row[4].decode(String?.self), unexportedLead: try row[5].decode(Bool.self))
    }

    /// Adds each call's clips, read on `connection` (or the pool).
    func withClips(_ records: [CallFileRecord], on connection: PostgresConnection? = nil) async throws -> [CallFileRecord] {
        guard !records.isEmpty else { return [] }
        let query: PostgresQuery = """
            SELECT call_id, clip_path FROM call_interactions
            WHERE call_id = ANY(\(records.map(\.callID))) AND clip_path IS NOT NULL ORDER BY call_id, sequence
            """
        var rows: [(String, String?)] = []
        if let connection {
            for try await row in try await connection.query(query, logger: logger).decode((String, String?).self) { rows.append(row) }
        } else {
            rows = try await self.rows(query) { (try $0[0].decode(String.self), try $0[1].decode(String?.self)) }
        }
        let clips = rows.clipsByCall()
        return records.map { var record = $0; record.clipPaths = clips[$0.callID] ?? []; return record }
    }

    public func callFiles(startedBefore cutoff: Date, after: String?, limit: Int) async throws -> [CallFileRecord] {
        let records = try await rows("""
            SELECT c.call_id, c.phone, c.started_at, c.recording_path, c.transcript_path, \(unescaped: Self.unexportedLeadSQL)
            FROM calls c
            WHERE c.started_at < \(cutoff) AND c.call_id > \(after ?? "") AND c.files_purged_at IS NULL
              AND c.status NOT IN ('dialing', 'ringing', 'answered')
              AND (c.recording_path IS NOT NULL OR c.transcript_path IS NOT NULL
                   OR EXISTS (SELECT 1 FROM call_interactions i WHERE i.call_id = c.call_id AND i.clip_path IS NOT NULL))
            ORDER BY c.call_id LIMIT \(limit)
            """) { try Self.fileRecord($0) }
        return try await withClips(records)
    }

    public func markCallFilesPurged(callIDs: [String], at date: Date) async throws {
        guard !callIDs.isEmpty else { return }
        try await run {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("""
                    UPDATE calls SET recording_path = NULL, transcript_path = NULL, files_purged_at = \(date)
                    WHERE call_id = ANY(\(callIDs))
                    """, logger: logger)
                try await connection.query("UPDATE call_interactions SET clip_path = NULL WHERE call_id = ANY(\(callIDs))", logger: logger)
            }
        }
    }

    public func markExported(phones: [String], at date: Date) async throws {
        guard !phones.isEmpty else { return }
        try await run {
            try await client.query("UPDATE contacts SET exported_at = \(date) WHERE phone = ANY(\(phones))", logger: logger)
        }
    }

    public func callFiles(phone: String) async throws -> [CallFileRecord] {
        let records = try await rows("""
            SELECT c.call_id, c.phone, c.started_at, c.recording_path, c.transcript_path, \(unescaped: Self.unexportedLeadSQL)
            FROM calls c WHERE c.phone = \(phone) ORDER BY c.started_at, c.call_id
            """) { try Self.fileRecord($0) }
        return try await withClips(records)
    }

    public func forgetContact(phone: String, at date: Date) async throws -> ContactErasure {
        let hash = OptOutEntry.sha256(of: phone)
        return try await run {
            try await client.withTransaction(logger: logger) { connection in
                var erasure = ContactErasure()
                // Lock the contact first, so a concurrent completion waits for the erasure.
                try await connection.query("SELECT 1 FROM contacts WHERE phone = \(phone) FOR UPDATE", logger: logger)
                var records: [CallFileRecord] = []
                for try await row in try await connection.query("""
                    SELECT c.call_id, c.phone, c.started_at, c.recording_path, c.transcript_path, \(unescaped: Self.unexportedLeadSQL)
                    FROM calls c WHERE c.phone = \(phone)
                    """, logger: logger) {
                    records.append(try Self.fileRecord(row.makeRandomAccess()))
                }
                erasure.files = try await withClips(records, on: connection).flatMap(\.paths)
                erasure.interactions = try await Self.single("""
                    SELECT count(*)::bigint FROM call_interactions WHERE call_id IN (SELECT call_id FROM calls WHERE phone = \(phone))
                    """, on: connection, logger: logger)
                // Interactions go with their calls (ON DELETE CASCADE).
                // The call ids in the event log would still tie webhook events to the person.
                try await connection.query("DELETE FROM events WHERE call_id IN (SELECT call_id FROM calls WHERE phone = \(phone))", logger: logger)
                erasure.calls = try await Self.count("DELETE FROM calls WHERE phone = \(phone) RETURNING 1", on: connection, logger: logger)
                erasure.queueRows = try await Self.count("DELETE FROM call_queue WHERE phone = \(phone) RETURNING 1", on: connection, logger: logger)
                erasure.contact = try await Self.count("DELETE FROM contacts WHERE phone = \(phone) RETURNING 1", on: connection, logger: logger) > 0
                erasure.plainOptOuts = try await Self.count("DELETE FROM opt_outs WHERE key = \(phone) RETURNING 1", on: connection, logger: logger)
                try await connection.query("""
                    INSERT INTO opt_outs (key, hashed, source, added_at) VALUES (\(hash), true, \(ErasureSource.optOut), \(date))
                    ON CONFLICT (key) DO NOTHING
                    """, logger: logger)
                return erasure
            }
        }
    }
}
