import Foundation
import Logging
import MiniBotCore
import Synchronization

/// The embedded store: one SQLite file in WAL mode. Calls are serialised on
/// one connection; an import writes on a connection of its own, in one
/// transaction.
public final class SQLiteStore: Store {
    private let connection: Mutex<SQLiteConnection>
    private let path: String
    private let logger: Logger

    public init(path: String, logger: Logger) throws(StoreError) {
        self.path = path
        self.logger = logger
        self.connection = Mutex(try SQLiteConnection(path: path))
    }

    private func locked<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try connection.withLock { connection in try body(connection) }
    }

    public func close() async {}

    // MARK: Schema

    public func schemaVersion() async throws -> Int {
        try locked { try Self.version(of: $0) }
    }

    private static func version(of db: SQLiteConnection) throws -> Int {
        try db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)")
        return try db.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations").query { $0.int(0) }.first ?? 0
    }

    public func migrate() async throws {
        try locked { db in
            try db.transaction {
                let current = try Self.version(of: db)
                let known = SQLiteSchema.migrations.last?.version ?? 0
                guard current <= known else { throw StoreError.schemaTooNew(found: current, known: known) }
                for migration in SQLiteSchema.migrations where migration.version > current {
                    logger.info("applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                    try db.execute(migration.sql)
                    try db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
                        .run([.integer(Int64(migration.version)), .text(migration.name), .date(Date())])
                }
            }
        }
    }

    // MARK: Contacts

    public func importContacts<Result: Sendable>(_ body: (any ContactImportSink) async throws -> Result) async throws -> Result {
        let db = try SQLiteConnection(path: path)
        try db.execute("BEGIN IMMEDIATE")
        do {
            let result = try await body(SQLiteImportSink(db))
            try db.execute("COMMIT")
            return result
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }

    static let contactColumns = "phone, first_name, last_name, email, company, notes, status, attempts, last_attempt_at, opt_out, created_at, updated_at"

    static func contact(_ row: SQLiteStatement, from offset: Int32 = 0) -> Contact {
        Contact(
            phone: row.text(offset), firstName: row.text(offset + 1), lastName: row.text(offset + 2),
            email: row.text(offset + 3), company: row.text(offset + 4), notes: row.text(offset + 5),
            status: ContactStatus(rawValue: row.text(offset + 6)) ?? .new, attempts: row.int(offset + 7),
            lastAttemptAt: row.optionalDate(offset + 8), optOut: row.int(offset + 9) != 0,
            createdAt: row.date(offset + 10), updatedAt: row.date(offset + 11)
        )
    }

    public func contact(phone: String) async throws -> Contact? {
        try locked { db in
            try db.prepare("SELECT \(Self.contactColumns) FROM contacts WHERE phone = ?")
                .query([.text(phone)]) { Self.contact($0) }.first
        }
    }

    /// The WHERE clause and its values for a filter.
    private static func conditions(_ filter: ContactFilter, search: String? = nil) -> (sql: String, values: [SQLiteValue]) {
        var clauses: [String] = []
        var values: [SQLiteValue] = []
        if let status = filter.status {
            clauses.append("c.status = ?")
            values.append(.text(status.rawValue))
        }
        if let campaign = filter.campaignID {
            clauses.append("EXISTS (SELECT 1 FROM call_queue q WHERE q.phone = c.phone AND q.campaign_id = ?)")
            values.append(.text(campaign))
        }
        if let search, !search.isEmpty {
            let columns = ["c.phone", "c.first_name", "c.last_name", "c.email", "c.company"]
            clauses.append("(" + columns.map { "\($0) LIKE ?" }.joined(separator: " OR ") + ")")
            let pattern = "%" + search.replacingOccurrences(of: "%", with: "") + "%"
            values += Array(repeating: .text(pattern), count: columns.count)
        }
        return (clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "), values)
    }

    public func contacts(_ query: ContactQuery) async throws -> [Contact] {
        let (whereSQL, values) = Self.conditions(query.filter, search: query.search)
        let sql = "SELECT \(Self.contactColumns) FROM contacts c \(whereSQL) ORDER BY c.phone LIMIT ? OFFSET ?"
        return try locked { db in
            try db.prepare(sql).query(values + [.integer(Int64(query.limit)), .integer(Int64(query.offset))]) { Self.contact($0) }
        }
    }

    public func contactStats() async throws -> ContactStats {
        try locked { db in
            let rows = try db.prepare("SELECT status, count(*) FROM contacts GROUP BY status").query { ($0.text(0), $0.int(1)) }
            let optOut = try db.prepare("SELECT count(*) FROM contacts WHERE opt_out = 1").query { $0.int(0) }.first ?? 0
            var byStatus: [ContactStatus: Int] = [:]
            for (status, count) in rows { if let status = ContactStatus(rawValue: status) { byStatus[status] = count } }
            return ContactStats(total: rows.reduce(0) { $0 + $1.1 }, optOut: optOut, byStatus: byStatus)
        }
    }

    public func exportPage(_ filter: ContactFilter, after: String?, limit: Int) async throws -> [ContactExportRow] {
        var (whereSQL, values) = Self.conditions(filter)
        whereSQL += (whereSQL.isEmpty ? "WHERE " : " AND ") + "c.phone > ?"
        values += [.text(after ?? ""), .integer(Int64(limit))]
        let sql = """
            SELECT \(Self.contactColumns.split(separator: ", ").map { "c.\($0)" }.joined(separator: ", ")),
                   l.call_id, l.status, l.final_intent
            FROM contacts c
            LEFT JOIN calls l ON l.call_id = (
                SELECT call_id FROM calls WHERE phone = c.phone ORDER BY started_at DESC, call_id DESC LIMIT 1)
            \(whereSQL)
            ORDER BY c.phone LIMIT ?
            """
        return try locked { db in
            let rows = try db.prepare(sql).query(values) { row in
                (Self.contact(row), row.optionalText(12), row.optionalText(13), row.optionalText(14))
            }
            var turns: [String: [(step: String, text: String)]] = [:]
            let callIDs = rows.compactMap(\.1)
            if !callIDs.isEmpty {
                let marks = Array(repeating: "?", count: callIDs.count).joined(separator: ",")
                let statement = try db.prepare("SELECT call_id, step, transcription FROM call_interactions WHERE call_id IN (\(marks)) ORDER BY call_id, sequence")
                for (id, step, text) in try statement.query(callIDs.map { .text($0) }, { ($0.text(0), $0.text(1), $0.text(2)) }) {
                    turns[id, default: []].append((step, text))
                }
            }
            return rows.map { contact, callID, status, intent in
                ContactExportRow(contact: contact, lastCallStatus: status.flatMap(CallStatus.init(rawValue:)),
                                 lastCallIntent: intent, lastTranscript: ContactExportRow.transcript(callID.flatMap { turns[$0] } ?? []))
            }
        }
    }

    // MARK: Campaigns, queue and calls

    public func createCampaign(_ campaign: Campaign) async throws {
        let c = campaign.counters
        try locked { db in
            try db.prepare("""
                INSERT INTO campaigns (id, name, scenario, status, total, answered, machine, leads, not_interested, no_answer, failed, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).run([
                .text(campaign.id), .text(campaign.name), .text(campaign.scenario), .text(campaign.status.rawValue),
                .integer(Int64(c.total)), .integer(Int64(c.answered)), .integer(Int64(c.machine)), .integer(Int64(c.leads)),
                .integer(Int64(c.notInterested)), .integer(Int64(c.noAnswer)), .integer(Int64(c.failed)),
                .date(campaign.createdAt), .date(campaign.updatedAt),
            ])
        }
    }

    public func campaign(id: String) async throws -> Campaign? {
        try locked { db in
            try db.prepare("""
                SELECT id, name, scenario, status, total, answered, machine, leads, not_interested, no_answer, failed, created_at, updated_at
                FROM campaigns WHERE id = ?
                """).query([.text(id)]) { row in
                Campaign(
                    id: row.text(0), name: row.text(1), scenario: row.text(2),
                    status: CampaignStatus(rawValue: row.text(3)) ?? .active,
                    counters: CampaignCounters(total: row.int(4), answered: row.int(5), machine: row.int(6), leads: row.int(7),
                                               notInterested: row.int(8), noAnswer: row.int(9), failed: row.int(10)),
                    createdAt: row.date(11), updatedAt: row.date(12))
            }.first
        }
    }

    public func enqueue(_ entries: [QueueEntry]) async throws {
        try locked { db in
            try db.transaction {
                let statement = try db.prepare("""
                    INSERT INTO call_queue (campaign_id, phone, priority, status, attempts, max_attempts, next_attempt_at, lease_owner, lease_expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (campaign_id, phone) DO NOTHING
                    """)
                for entry in entries {
                    try statement.run([
                        .text(entry.campaignID), .text(entry.phone), .integer(Int64(entry.priority)), .text(entry.status.rawValue),
                        .integer(Int64(entry.attempts)), .integer(Int64(entry.maxAttempts)), .date(entry.nextAttemptAt),
                        .optional(entry.leaseOwner), .date(entry.leaseExpiresAt),
                    ])
                }
            }
        }
    }

    public func saveCall(_ call: Call) async throws {
        try locked { db in
            try db.prepare("""
                INSERT OR REPLACE INTO calls (call_id, phone, campaign_id, status, amd_result, final_intent, is_lead, duration,
                    recording_path, transcript_path, started_at, answered_at, ended_at, hangup_cause)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).run([
                .text(call.callID), .text(call.phone), .optional(call.campaignID), .text(call.status.rawValue),
                .optional(call.amdResult?.rawValue), .optional(call.finalIntent), .bool(call.isLead), .real(call.duration),
                .optional(call.recordingPath), .optional(call.transcriptPath), .date(call.startedAt), .date(call.answeredAt),
                .date(call.endedAt), .optional(call.hangupCause),
            ])
        }
    }

    public func call(id: String) async throws -> Call? {
        try locked { db in
            try db.prepare("""
                SELECT call_id, phone, campaign_id, status, amd_result, final_intent, is_lead, duration, recording_path,
                       transcript_path, started_at, answered_at, ended_at, hangup_cause
                FROM calls WHERE call_id = ?
                """).query([.text(id)]) { row in
                Call(callID: row.text(0), phone: row.text(1), campaignID: row.optionalText(2),
                     status: CallStatus(rawValue: row.text(3)) ?? .failed,
                     amdResult: row.optionalText(4).flatMap(AMDResult.init(rawValue:)), finalIntent: row.optionalText(5),
                     isLead: row.int(6) != 0, duration: row.double(7), recordingPath: row.optionalText(8),
                     transcriptPath: row.optionalText(9), startedAt: row.date(10), answeredAt: row.optionalDate(11),
                     endedAt: row.optionalDate(12), hangupCause: row.optionalText(13))
            }.first
        }
    }

    public func addInteraction(_ interaction: CallInteraction) async throws {
        let i = interaction
        try locked { db in
            try db.prepare("""
                INSERT INTO call_interactions (call_id, sequence, step, prompt, transcription, intent, confidence,
                    response_duration, started_at, ended_at, transcription_seconds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).run([
                .text(i.callID), .integer(Int64(i.sequence)), .text(i.step), .text(i.prompt), .text(i.transcription),
                .optional(i.intent), .optional(i.confidence), .real(i.responseDuration), .date(i.startedAt),
                .date(i.endedAt), .optional(i.transcriptionSeconds),
            ])
        }
    }

    public func interactions(callID: String) async throws -> [CallInteraction] {
        try locked { db in
            try db.prepare("""
                SELECT call_id, sequence, step, prompt, transcription, intent, confidence, response_duration,
                       started_at, ended_at, transcription_seconds
                FROM call_interactions WHERE call_id = ? ORDER BY sequence
                """).query([.text(callID)]) { row in
                CallInteraction(callID: row.text(0), sequence: row.int(1), step: row.text(2), prompt: row.text(3),
                                transcription: row.text(4), intent: row.optionalText(5), confidence: row.optionalDouble(6),
                                responseDuration: row.double(7), startedAt: row.date(8), endedAt: row.date(9),
                                transcriptionSeconds: row.optionalDouble(10))
            }
        }
    }
}

/// Writes an import on its own connection, inside the transaction that
/// ``SQLiteStore/importContacts(_:)`` opened.
final class SQLiteImportSink: ContactImportSink {
    private let db: SQLiteConnection

    init(_ db: SQLiteConnection) { self.db = db }

    static let upsertSQL = """
        INSERT INTO contacts (phone, first_name, last_name, email, company, notes, status, opt_out, created_at, updated_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, coalesce(?7, 'New'), coalesce(?7, '') = 'Opt_out', ?8, ?8)
        ON CONFLICT (phone) DO UPDATE SET
            first_name = CASE WHEN excluded.first_name <> '' THEN excluded.first_name ELSE first_name END,
            last_name = CASE WHEN excluded.last_name <> '' THEN excluded.last_name ELSE last_name END,
            email = CASE WHEN excluded.email <> '' THEN excluded.email ELSE email END,
            company = CASE WHEN excluded.company <> '' THEN excluded.company ELSE company END,
            notes = CASE WHEN excluded.notes <> '' THEN excluded.notes ELSE notes END,
            status = CASE WHEN ?7 = 'Opt_out' THEN 'Opt_out' ELSE status END,
            opt_out = opt_out OR coalesce(?7, '') = 'Opt_out',
            updated_at = excluded.updated_at
        """

    func upsert(_ batch: [ContactUpsert], at date: Date) async throws {
        let statement = try db.prepare(Self.upsertSQL)
        let now = SQLiteValue.date(date)
        for contact in batch {
            try statement.run([
                .text(contact.phone.e164), .text(contact.firstName), .text(contact.lastName), .text(contact.email),
                .text(contact.company), .text(contact.notes), .optional(contact.status?.rawValue), now,
            ])
        }
    }

    func contactCount() async throws -> Int {
        try db.prepare("SELECT count(*) FROM contacts").query { $0.int(0) }.first ?? 0
    }
}
