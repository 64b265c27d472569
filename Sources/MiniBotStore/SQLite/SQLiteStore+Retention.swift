import Foundation
import MiniBotCore

// The retention sweep's and erasure's reads and writes (`minibot cleanup`,
// `minibot contacts forget`).
extension SQLiteStore {
    /// Whether a call made a lead its contact has not been exported since.
    static let unexportedLeadSQL = """
        (c.is_lead = 1 AND EXISTS (SELECT 1 FROM contacts k WHERE k.phone = c.phone
            AND (k.exported_at IS NULL OR k.exported_at < coalesce(c.ended_at, c.started_at))))
        """

    static func fileRecords(_ db: SQLiteConnection, where condition: String, _ values: [SQLiteValue]) throws -> [CallFileRecord] {
        var records = try db.prepare("""
            SELECT c.call_id, c.phone, c.started_at, c.recording_path, c.transcript_path, \(unexportedLeadSQL)
            FROM calls c WHERE \(condition)
            """).query(values) { row in
            CallFileRecord(callID: row.text(0), phone: row.text(1), startedAt: row.date(2), recordingPath: row.optionalText(3),
                           transcriptPath: row.optionalText(4), unexportedLead: row.int(5) != 0)
        }
        guard !records.isEmpty else { return [] }
        let ids = jsonArray(records.map(\.callID))
        let clips = try db.prepare("""
            SELECT call_id, clip_path FROM call_interactions
            WHERE call_id IN (SELECT value FROM json_each(?)) AND clip_path IS NOT NULL ORDER BY call_id, sequence
            """).query([.text(ids)]) { ($0.text(0), $0.optionalText(1)) }.clipsByCall()
        for index in records.indices { records[index].clipPaths = clips[records[index].callID] ?? [] }
        return records
    }

    public func callFiles(startedBefore cutoff: Date, after: String?, limit: Int) async throws -> [CallFileRecord] {
        try locked { db in
            try Self.fileRecords(db, where: """
                c.started_at < ?1 AND c.call_id > ?2 AND c.files_purged_at IS NULL
                AND c.status NOT IN ('dialing', 'ringing', 'answered')
                AND (c.recording_path IS NOT NULL OR c.transcript_path IS NOT NULL
                     OR EXISTS (SELECT 1 FROM call_interactions i WHERE i.call_id = c.call_id AND i.clip_path IS NOT NULL))
                ORDER BY c.call_id LIMIT ?3
                """, [.date(cutoff), .text(after ?? ""), .integer(Int64(limit))])
        }
    }

    public func markCallFilesPurged(callIDs: [String], at date: Date) async throws {
        guard !callIDs.isEmpty else { return }
        let ids = SQLiteValue.text(Self.jsonArray(callIDs))
        try locked { db in
            try db.transaction {
                try db.prepare("""
                    UPDATE calls SET recording_path = NULL, transcript_path = NULL, files_purged_at = ?
                    WHERE call_id IN (SELECT value FROM json_each(?))
                    """).run([.date(date), ids])
                try db.prepare("UPDATE call_interactions SET clip_path = NULL WHERE call_id IN (SELECT value FROM json_each(?))").run([ids])
            }
        }
    }

    public func markExported(phones: [String], at date: Date) async throws {
        guard !phones.isEmpty else { return }
        try locked { db in
            try db.prepare("UPDATE contacts SET exported_at = ? WHERE phone IN (SELECT value FROM json_each(?))")
                .run([.date(date), .text(Self.jsonArray(phones))])
        }
    }

    public func callFiles(phone: String) async throws -> [CallFileRecord] {
        try locked { db in try Self.fileRecords(db, where: "c.phone = ? ORDER BY c.started_at, c.call_id", [.text(phone)]) }
    }

    public func forgetContact(phone: String, at date: Date) async throws -> ContactErasure {
        let hash = OptOutEntry.sha256(of: phone)
        return try locked { db in
            try db.transaction {
                var erasure = ContactErasure()
                let records = try Self.fileRecords(db, where: "c.phone = ?", [.text(phone)])
                erasure.files = records.flatMap(\.paths)
                erasure.interactions = try db.prepare("""
                    SELECT count(*) FROM call_interactions WHERE call_id IN (SELECT call_id FROM calls WHERE phone = ?)
                    """).query([.text(phone)]) { $0.int(0) }.first ?? 0
                // Interactions go with their calls (ON DELETE CASCADE).
                // The call ids in the event log would still tie webhook events to the person.
                try db.prepare("DELETE FROM events WHERE call_id IN (SELECT call_id FROM calls WHERE phone = ?)").run([.text(phone)])
                try db.prepare("DELETE FROM calls WHERE phone = ?").run([.text(phone)])
                erasure.calls = db.changes
                try db.prepare("DELETE FROM call_queue WHERE phone = ?").run([.text(phone)])
                erasure.queueRows = db.changes
                try db.prepare("DELETE FROM contacts WHERE phone = ?").run([.text(phone)])
                erasure.contact = db.changes > 0
                try db.prepare("DELETE FROM opt_outs WHERE key = ?").run([.text(phone)])
                erasure.plainOptOuts = db.changes
                try db.prepare("INSERT INTO opt_outs (key, hashed, source, added_at) VALUES (?, 1, ?, ?) ON CONFLICT (key) DO NOTHING")
                    .run([.text(hash), .text(ErasureSource.optOut), .date(date)])
                return erasure
            }
        }
    }
}
