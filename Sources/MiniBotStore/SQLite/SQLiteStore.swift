import Foundation
import Logging
import MiniBotCore
import Synchronization

/// The embedded store: one SQLite file in WAL mode. Writes, and reads that
/// a write must not interleave with, are serialised on one connection
/// (``locked(_:)``); the reads the API and the panel make run on read-only
/// connections beside it (``reading(_:)``); an import writes on a connection
/// of its own, in one transaction.
public final class SQLiteStore: Store {
    private let connection: Mutex<SQLiteConnection>
    private let readers: SQLiteReaderPool
    private let path: String
    private let logger: Logger

    /// Read-only connections kept open between queries.
    static let keptReaders = 4

    public init(path: String, logger: Logger) throws(StoreError) {
        self.path = path
        self.logger = logger
        self.connection = Mutex(try SQLiteConnection(path: path))
        self.readers = SQLiteReaderPool(path: path, kept: Self.keptReaders)
    }

    /// On the writer connection, one caller at a time.
    func locked<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try connection.withLock { connection in try body(connection) }
    }

    /// On a read-only connection of the pool, which sees every write
    /// committed before the call (a write through this store has committed
    /// when its method returns). Not for reads inside a write's transaction.
    func reading<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try readers.read(body)
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

    static let contactColumns = "phone, first_name, last_name, email, company, notes, status, attempts, last_attempt_at, opt_out, created_at, updated_at, consent_at, consent_source"

    static func contact(_ row: SQLiteStatement, from offset: Int32 = 0) -> Contact {
        Contact(
            phone: row.text(offset), firstName: row.text(offset + 1), lastName: row.text(offset + 2),
            email: row.text(offset + 3), company: row.text(offset + 4), notes: row.text(offset + 5),
            status: ContactStatus(rawValue: row.text(offset + 6)) ?? .new, attempts: row.int(offset + 7),
            lastAttemptAt: row.optionalDate(offset + 8), optOut: row.int(offset + 9) != 0,
            consentAt: row.optionalDate(offset + 12), consentSource: row.text(offset + 13),
            createdAt: row.date(offset + 10), updatedAt: row.date(offset + 11)
        )
    }

    public func contact(phone: String) async throws -> Contact? {
        try reading { db in
            try db.prepare("SELECT \(Self.contactColumns) FROM contacts WHERE phone = ?")
                .query([.text(phone)]) { Self.contact($0) }.first
        }
    }

    /// The WHERE clause and its values for a filter.
    private static func conditions(_ filter: ContactFilter, search: String? = nil, after: ContactCursor? = nil) -> (sql: String, values: [SQLiteValue]) {
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
        if let after {
            clauses.append("c.phone > ?")
            values.append(.text(after.phone))
        }
        return (clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "), values)
    }

    public func contacts(_ query: ContactQuery) async throws -> [Contact] {
        let (whereSQL, values) = Self.conditions(query.filter, search: query.search, after: query.after)
        let sql = "SELECT \(Self.contactColumns) FROM contacts c \(whereSQL) ORDER BY c.phone LIMIT ? OFFSET ?"
        return try reading { db in
            try db.prepare(sql).query(values + [.integer(Int64(query.limit)), .integer(Int64(query.offset))]) { Self.contact($0) }
        }
    }

    public func contactStats() async throws -> ContactStats {
        try reading { db in
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
        return try reading { db in
            let rows = try db.prepare(sql).query(values) { row in
                (Self.contact(row), row.optionalText(14), row.optionalText(15), row.optionalText(16))
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

    static let campaignColumns = "id, name, scenario, status, total, answered, machine, leads, not_interested, no_answer, failed, created_at, updated_at, settings"

    /// A campaign row and its settings text, decoded by ``campaign(_:)``.
    static func campaignRow(_ row: SQLiteStatement) -> (Campaign, String) {
        (Campaign(
            id: row.text(0), name: row.text(1), scenario: row.text(2),
            status: CampaignStatus(rawValue: row.text(3)) ?? .active,
            counters: CampaignCounters(total: row.int(4), answered: row.int(5), machine: row.int(6), leads: row.int(7),
                                       notInterested: row.int(8), noAnswer: row.int(9), failed: row.int(10)),
            createdAt: row.date(11), updatedAt: row.date(12)), row.text(13))
    }

    static func campaign(_ row: (Campaign, String)) throws -> Campaign {
        var campaign = row.0
        campaign.settings = try SettingsColumn.decode(row.1, campaign: campaign.id)
        return campaign
    }

    public func createCampaign(_ campaign: Campaign) async throws {
        let c = campaign.counters
        let settings = try SettingsColumn.encode(campaign.settings)
        try locked { db in
            try db.prepare("""
                INSERT INTO campaigns (\(Self.campaignColumns))
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).run([
                .text(campaign.id), .text(campaign.name), .text(campaign.scenario), .text(campaign.status.rawValue),
                .integer(Int64(c.total)), .integer(Int64(c.answered)), .integer(Int64(c.machine)), .integer(Int64(c.leads)),
                .integer(Int64(c.notInterested)), .integer(Int64(c.noAnswer)), .integer(Int64(c.failed)),
                .date(campaign.createdAt), .date(campaign.updatedAt), .text(settings),
            ])
        }
    }

    public func campaign(id: String) async throws -> Campaign? {
        let rows = try reading { db in
            try db.prepare("SELECT \(Self.campaignColumns) FROM campaigns WHERE id = ?").query([.text(id)], Self.campaignRow)
        }
        return try rows.first.map(Self.campaign)
    }

    public func campaigns() async throws -> [Campaign] {
        let rows = try reading { db in
            try db.prepare("SELECT \(Self.campaignColumns) FROM campaigns ORDER BY created_at DESC, id DESC").query([], Self.campaignRow)
        }
        return try rows.map(Self.campaign)
    }

    public func setCampaignStatus(id: String, _ status: CampaignStatus, at date: Date) async throws -> Bool {
        try locked { db in
            try db.prepare("UPDATE campaigns SET status = ?, updated_at = ? WHERE id = ?")
                .run([.text(status.rawValue), .date(date), .text(id)])
            return db.changes > 0
        }
    }

    public func setCampaignSettings(id: String, _ settings: CampaignSettings, at date: Date) async throws -> Bool {
        let text = try SettingsColumn.encode(settings)
        return try locked { db in
            try db.prepare("UPDATE campaigns SET settings = ?, updated_at = ? WHERE id = ?")
                .run([.text(text), .date(date), .text(id)])
            return db.changes > 0
        }
    }

    public func enqueue(_ entries: [QueueEntry]) async throws {
        try locked { db in
            try db.transaction {
                let statement = try db.prepare("""
                    INSERT INTO call_queue (\(Self.queueColumns))
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (campaign_id, phone) DO NOTHING
                    """)
                for entry in entries {
                    try statement.run([
                        .text(entry.campaignID), .text(entry.phone), .integer(Int64(entry.priority)), .text(entry.status.rawValue),
                        .integer(Int64(entry.attempts)), .integer(Int64(entry.maxAttempts)), .date(entry.nextAttemptAt),
                        .optional(entry.leaseOwner), .date(entry.leaseExpiresAt), .optional(entry.callID),
                        .optional(entry.lastOutcome), .optional(entry.skipReason), .date(entry.updatedAt),
                    ])
                }
            }
        }
    }

    public func enqueue(campaignID: String, selection: ContactSelection, at date: Date) async throws -> Int {
        var conditions = ["NOT EXISTS (SELECT 1 FROM call_queue q WHERE q.campaign_id = ?1 AND q.phone = c.phone)"]
        var values: [SQLiteValue] = [
            .text(campaignID), .integer(Int64(selection.priority)), .integer(Int64(selection.maxAttempts)), .date(date),
        ]
        if !selection.statuses.isEmpty {
            values.append(.text(Self.jsonArray(selection.statuses.map(\.rawValue))))
            conditions.append("c.status IN (SELECT value FROM json_each(?\(values.count)))")
        }
        if let phones = selection.phones {
            values.append(.text(Self.jsonArray(phones)))
            conditions.append("c.phone IN (SELECT value FROM json_each(?\(values.count)))")
        }
        values.append(.integer(Int64(selection.limit ?? -1)))
        let sql = """
            INSERT INTO call_queue (campaign_id, phone, priority, status, attempts, max_attempts, next_attempt_at, updated_at)
            SELECT ?1, c.phone, ?2, 'pending', 0, ?3, ?4, ?4 FROM contacts c
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY c.created_at, c.phone LIMIT ?\(values.count)
            ON CONFLICT (campaign_id, phone) DO NOTHING
            """
        return try locked { db in
            try db.transaction {
                guard try db.prepare("SELECT 1 FROM campaigns WHERE id = ?").query([.text(campaignID)], { _ in true }).first != nil else {
                    throw StoreError.notFound("no campaign with the id \(campaignID)")
                }
                try db.prepare(sql).run(values)
                return db.changes
            }
        }
    }

    static func jsonArray(_ strings: [String]) -> String {
        String(decoding: try! JSONEncoder().encode(strings), as: UTF8.self)
    }

    static let queueColumns = "campaign_id, phone, priority, status, attempts, max_attempts, next_attempt_at, lease_owner, lease_expires_at, call_id, last_outcome, skip_reason, updated_at"

    static func queueEntry(_ row: SQLiteStatement) -> QueueEntry {
        QueueEntry(campaignID: row.text(0), phone: row.text(1), priority: row.int(2),
                   status: QueueStatus(rawValue: row.text(3)) ?? .interrupted, attempts: row.int(4), maxAttempts: row.int(5),
                   nextAttemptAt: row.date(6), leaseOwner: row.optionalText(7), leaseExpiresAt: row.optionalDate(8),
                   callID: row.optionalText(9), lastOutcome: row.optionalText(10), skipReason: row.optionalText(11),
                   updatedAt: row.optionalDate(12))
    }

    public func queueEntry(campaignID: String, phone: String) async throws -> QueueEntry? {
        try locked { db in
            try db.prepare("SELECT \(Self.queueColumns) FROM call_queue WHERE campaign_id = ? AND phone = ?")
                .query([.text(campaignID), .text(phone)], Self.queueEntry).first
        }
    }

    public func claimQueueEntries(campaignID: String, worker: String, limit: Int, now: Date, lease: TimeInterval) async throws -> [QueueEntry] {
        guard limit > 0 else { return [] }
        // One IMMEDIATE transaction: no other connection writes between the
        // choice of rows and their claim.
        let claimed = try locked { db in
            try db.transaction {
                try db.prepare("""
                    UPDATE call_queue SET status = 'claimed', lease_owner = ?1, lease_expires_at = ?2, updated_at = ?3
                    WHERE campaign_id = ?4 AND phone IN (
                        SELECT q.phone FROM call_queue q JOIN campaigns c ON c.id = q.campaign_id
                        WHERE q.campaign_id = ?4 AND q.status = 'pending' AND q.next_attempt_at <= ?3 AND c.status = 'active'
                        ORDER BY q.priority DESC, q.next_attempt_at, q.phone LIMIT ?5)
                    RETURNING \(Self.queueColumns)
                    """).query([.text(worker), .date(now.addingTimeInterval(lease)), .date(now), .text(campaignID),
                                .integer(Int64(limit))], Self.queueEntry)
            }
        }
        return claimed.inClaimOrder()
    }

    public func beginCall(_ call: Call, worker: String, now: Date, lease: TimeInterval) async throws -> Bool {
        let campaignID = try call.requiredCampaignID()
        return try locked { db in
            try db.transaction {
                try db.prepare("""
                    UPDATE call_queue SET status = 'calling', call_id = ?, attempts = attempts + 1, lease_expires_at = ?, updated_at = ?
                    WHERE campaign_id = ? AND phone = ? AND status = 'claimed' AND lease_owner = ?
                    """).run([.text(call.callID), .date(now.addingTimeInterval(lease)), .date(now), .text(campaignID),
                              .text(call.phone), .text(worker)])
                guard db.changes == 1 else { return false }
                try Self.insertCall(call, into: db, replacing: false)
                try db.prepare("UPDATE contacts SET attempts = attempts + 1, last_attempt_at = ?1, updated_at = ?1 WHERE phone = ?2")
                    .run([.date(now), .text(call.phone)])
                return true
            }
        }
    }

    public func renewLeases(worker: String, now: Date, lease: TimeInterval) async throws {
        try locked { db in
            try db.prepare("UPDATE call_queue SET lease_expires_at = ? WHERE lease_owner = ? AND status IN ('claimed', 'calling')")
                .run([.date(now.addingTimeInterval(lease)), .text(worker)])
        }
    }

    public func releaseClaim(campaignID: String, phone: String, worker: String, notBefore: Date?, reason: String?) async throws {
        try locked { db in
            try db.prepare("""
                UPDATE call_queue SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL,
                    next_attempt_at = coalesce(?, next_attempt_at), skip_reason = coalesce(?, skip_reason), updated_at = ?
                WHERE campaign_id = ? AND phone = ? AND status = 'claimed' AND lease_owner = ?
                """).run([.date(notBefore), .optional(reason), .date(Date()), .text(campaignID), .text(phone), .text(worker)])
        }
    }

    public func skipQueueEntry(campaignID: String, phone: String, worker: String, reason: String, at date: Date) async throws {
        try locked { db in
            try db.prepare("""
                UPDATE call_queue SET status = 'skipped', lease_owner = NULL, lease_expires_at = NULL, skip_reason = ?, updated_at = ?
                WHERE campaign_id = ? AND phone = ? AND status = 'claimed' AND lease_owner = ?
                """).run([.text(reason), .date(date), .text(campaignID), .text(phone), .text(worker)])
        }
    }

    public func completeCall(_ completion: CallCompletion, worker: String, at date: Date) async throws {
        let call = completion.call
        let campaignID = try call.requiredCampaignID()
        let optOut = completion.optsOut
        let retryAt = optOut ? nil : completion.retryAt
        let c = completion.counters
        try locked { db in
            try db.transaction {
                // Counters are added once per call: while this worker still holds
                // its row, or for the first completion after recovery gave it up.
                let counts = try db.prepare("""
                    SELECT EXISTS (SELECT 1 FROM call_queue WHERE campaign_id = ?1 AND phone = ?2 AND status = 'calling'
                                   AND lease_owner = ?3 AND call_id = ?4)
                        OR EXISTS (SELECT 1 FROM calls WHERE call_id = ?4 AND status = 'failed' AND end_reason = ?5)
                    """).query([.text(campaignID), .text(call.phone), .text(worker), .text(call.callID),
                                .text(QueueReason.workerLostCall)]) { $0.int(0) != 0 }.first ?? false
                try Self.insertCall(call, into: db, replacing: true)
                if optOut {
                    try db.prepare("UPDATE contacts SET opt_out = 1, status = ?, updated_at = ? WHERE phone = ?")
                        .run([.text((completion.contactStatus ?? .optOut).rawValue), .date(date), .text(call.phone)])
                    try db.prepare("INSERT INTO opt_outs (key, hashed, source, added_at) VALUES (?, 0, 'call', ?) ON CONFLICT (key) DO NOTHING")
                        .run([.text(call.phone), .date(date)])
                } else if let status = completion.contactStatus {
                    try db.prepare("UPDATE contacts SET status = ?, updated_at = ? WHERE phone = ?")
                        .run([.text(status.rawValue), .date(date), .text(call.phone)])
                }
                try db.prepare("""
                    UPDATE call_queue SET
                        status = CASE WHEN ?1 IS NOT NULL AND attempts < max_attempts THEN 'pending' ELSE 'completed' END,
                        next_attempt_at = CASE WHEN ?1 IS NOT NULL AND attempts < max_attempts THEN ?1 ELSE next_attempt_at END,
                        lease_owner = NULL, lease_expires_at = NULL, call_id = ?2, last_outcome = ?3, updated_at = ?4
                    WHERE campaign_id = ?5 AND phone = ?6 AND status = 'calling' AND lease_owner = ?7 AND call_id = ?2
                    """).run([.date(retryAt), .text(call.callID), .text(completion.queueOutcome), .date(date),
                              .text(campaignID), .text(call.phone), .text(worker)])
                guard counts else { return }
                try db.prepare("""
                    UPDATE campaigns SET total = total + ?, answered = answered + ?, machine = machine + ?, leads = leads + ?,
                        not_interested = not_interested + ?, no_answer = no_answer + ?, failed = failed + ?, updated_at = ?
                    WHERE id = ?
                    """).run([.integer(Int64(c.total)), .integer(Int64(c.answered)), .integer(Int64(c.machine)),
                              .integer(Int64(c.leads)), .integer(Int64(c.notInterested)), .integer(Int64(c.noAnswer)),
                              .integer(Int64(c.failed)), .date(date), .text(campaignID)])
                try Self.insertEvents(for: call, into: db, at: date)
            }
        }
    }

    public func recoverExpiredLeases(now: Date) async throws -> LeaseRecovery {
        try locked { db in
            try db.transaction {
                try db.prepare("""
                    UPDATE call_queue SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?1
                    WHERE status = 'claimed' AND lease_expires_at <= ?1
                    """).run([.date(now)])
                let returned = db.changes
                try db.prepare("""
                    UPDATE calls SET status = 'failed', end_reason = ?2, ended_at = coalesce(ended_at, ?1)
                    WHERE status IN ('dialing', 'ringing', 'answered') AND call_id IN (
                        SELECT call_id FROM call_queue WHERE status = 'calling' AND lease_expires_at <= ?1)
                    """).run([.date(now), .text(QueueReason.workerLostCall)])
                try db.prepare("""
                    UPDATE call_queue SET status = 'interrupted', lease_expires_at = NULL, skip_reason = ?2, updated_at = ?1
                    WHERE status = 'calling' AND lease_expires_at <= ?1
                    """).run([.date(now), .text(QueueReason.workerLost)])
                return LeaseRecovery(returned: returned, interrupted: db.changes)
            }
        }
    }

    public func queueSummary(campaignID: String) async throws -> [QueueStatus: Int] {
        let rows = try locked { db in
            try db.prepare("SELECT status, count(*) FROM call_queue WHERE campaign_id = ? GROUP BY status")
                .query([.text(campaignID)]) { ($0.text(0), $0.int(1)) }
        }
        return Self.summary(rows)
    }

    static func summary(_ rows: [(String, Int)]) -> [QueueStatus: Int] {
        var summary = Dictionary(uniqueKeysWithValues: QueueStatus.allCases.map { ($0, 0) })
        for (status, count) in rows { if let status = QueueStatus(rawValue: status) { summary[status, default: 0] += count } }
        return summary
    }

    public func dialHistory(phone: String, since: Date) async throws -> DialHistory {
        try locked { db in
            let attempts = try db.prepare("SELECT started_at FROM calls WHERE phone = ? AND started_at >= ? ORDER BY started_at")
                .query([.text(phone), .date(since)]) { $0.date(0) }
            let refusal = try db.prepare("SELECT max(started_at) FROM calls WHERE phone = ? AND outcome = ?")
                .query([.text(phone), .text(ContactStatus.notInterested.rawValue)]) { $0.optionalDate(0) }.first ?? nil
            return DialHistory(attempts: attempts, lastRefusalAt: refusal)
        }
    }

    // MARK: Opt-out list

    public func addOptOuts(_ entries: [OptOutEntry]) async throws -> Int {
        let entries = try entries.validated()
        return try locked { db in
            try db.transaction {
                let statement = try db.prepare("INSERT INTO opt_outs (key, hashed, source, added_at) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING")
                var added = 0
                for entry in entries {
                    try statement.run([.text(entry.key), .bool(entry.hashed), .text(entry.source), .date(entry.addedAt)])
                    added += db.changes
                }
                return added
            }
        }
    }

    public func isOptedOut(phone: String) async throws -> Bool {
        try locked { db in
            try db.prepare("""
                SELECT EXISTS (SELECT 1 FROM opt_outs WHERE key IN (?1, ?2))
                    OR EXISTS (SELECT 1 FROM contacts WHERE phone = ?1 AND opt_out = 1)
                """).query([.text(phone), .text(OptOutEntry.sha256(of: phone))]) { $0.int(0) != 0 }.first ?? false
        }
    }

    public func optOuts(after: OptOutCursor?, limit: Int, offset: Int) async throws -> [OptOutEntry] {
        try reading { db in
            try db.prepare(Self.optOutPage(byCursor: after != nil))
                .query([.integer(Int64(limit)), .integer(Int64(offset))] + (after.map { [.integer($0.addedAtMicroseconds / 1_000), .text($0.key)] } ?? [])) {
                    OptOutEntry(key: $0.text(0), hashed: $0.int(1) != 0, source: $0.text(2), addedAt: $0.date(3))
                }
        }
    }

    /// A page of the opt-out list (limit ?1, offset ?2, past the place ?3, ?4
    /// when `byCursor`): the index on (added_at, key) read backwards, from the
    /// top or from just past the cursor, never sorted.
    static func optOutPage(byCursor: Bool) -> String {
        """
        SELECT key, hashed, source, added_at FROM opt_outs \(byCursor ? "WHERE (added_at, key) < (?3, ?4)" : "")
        ORDER BY added_at DESC, key DESC LIMIT ?1 OFFSET ?2
        """
    }

    public func removeOptOut(key: String) async throws -> Bool {
        let key = OptOutEntry.isHash(key) ? key.lowercased() : key
        return try locked { db in
            try db.prepare("DELETE FROM opt_outs WHERE key = ?").run([.text(key)])
            return db.changes > 0
        }
    }

    // MARK: Calls

    /// The columns a call is written with; ``callColumns`` reads them and what
    /// the retention sweep adds.
    static let callInsertColumns = """
        call_id, phone, campaign_id, status, amd_result, final_intent, is_lead, duration, recording_path, \
        transcript_path, started_at, answered_at, ended_at, hangup_cause, outcome, end_reason
        """
    static let callColumns = callInsertColumns + ", files_purged_at"

    /// Inserts the call; with `replacing`, updates the row with the same id in
    /// place (never `INSERT OR REPLACE`, whose delete would cascade to the
    /// call's interactions).
    static func insertCall(_ call: Call, into db: SQLiteConnection, replacing: Bool) throws {
        let update = replacing ? """
             ON CONFLICT (call_id) DO UPDATE SET phone = excluded.phone, campaign_id = excluded.campaign_id,
                status = excluded.status, amd_result = excluded.amd_result, final_intent = excluded.final_intent,
                is_lead = excluded.is_lead, duration = excluded.duration, recording_path = excluded.recording_path,
                transcript_path = excluded.transcript_path, started_at = excluded.started_at,
                answered_at = excluded.answered_at, ended_at = excluded.ended_at, hangup_cause = excluded.hangup_cause,
                outcome = excluded.outcome, end_reason = excluded.end_reason
            """ : ""
        try db.prepare("INSERT INTO calls (\(callInsertColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" + update).run([
            .text(call.callID), .text(call.phone), .optional(call.campaignID), .text(call.status.rawValue),
            .optional(call.amdResult?.rawValue), .optional(call.finalIntent), .bool(call.isLead), .real(call.duration),
            .optional(call.recordingPath), .optional(call.transcriptPath), .date(call.startedAt), .date(call.answeredAt),
            .date(call.endedAt), .optional(call.hangupCause), .optional(call.outcome?.rawValue), .optional(call.endReason),
        ])
    }

    public func saveCall(_ call: Call) async throws {
        try locked { db in try Self.insertCall(call, into: db, replacing: true) }
    }

    public func call(id: String) async throws -> Call? {
        try reading { db in
            try db.prepare("SELECT \(Self.callColumns) FROM calls WHERE call_id = ?").query([.text(id)]) { Self.call($0) }.first
        }
    }

    /// A row of ``callColumns`` as a call.
    static func call(_ row: SQLiteStatement) -> Call {
        Call(callID: row.text(0), phone: row.text(1), campaignID: row.optionalText(2),
             status: CallStatus(rawValue: row.text(3)) ?? .failed,
             amdResult: row.optionalText(4).flatMap(AMDResult.init(rawValue:)), finalIntent: row.optionalText(5),
             isLead: row.int(6) != 0, duration: row.double(7), recordingPath: row.optionalText(8),
             transcriptPath: row.optionalText(9), startedAt: row.date(10), answeredAt: row.optionalDate(11),
             endedAt: row.optionalDate(12), hangupCause: row.optionalText(13),
             outcome: row.optionalText(14).flatMap(ContactStatus.init(rawValue:)), endReason: row.optionalText(15),
             filesPurgedAt: row.optionalDate(16))
    }

    public func addInteraction(_ interaction: CallInteraction) async throws {
        let i = interaction
        try locked { db in
            try db.prepare("""
                INSERT INTO call_interactions (call_id, sequence, step, prompt, transcription, intent, confidence,
                    response_duration, started_at, ended_at, transcription_seconds, error, clip_path)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).run([
                .text(i.callID), .integer(Int64(i.sequence)), .text(i.step), .text(i.prompt), .text(i.transcription),
                .optional(i.intent), .optional(i.confidence), .real(i.responseDuration), .date(i.startedAt),
                .date(i.endedAt), .optional(i.transcriptionSeconds), .optional(i.error), .optional(i.clipPath),
            ])
        }
    }

    public func interactions(callID: String) async throws -> [CallInteraction] {
        try reading { db in
            try db.prepare("""
                SELECT call_id, sequence, step, prompt, transcription, intent, confidence, response_duration,
                       started_at, ended_at, transcription_seconds, error, clip_path
                FROM call_interactions WHERE call_id = ? ORDER BY sequence
                """).query([.text(callID)]) { row in
                CallInteraction(callID: row.text(0), sequence: row.int(1), step: row.text(2), prompt: row.text(3),
                                transcription: row.text(4), intent: row.optionalText(5), confidence: row.optionalDouble(6),
                                responseDuration: row.double(7), startedAt: row.date(8), endedAt: row.date(9),
                                transcriptionSeconds: row.optionalDouble(10), error: row.optionalText(11),
                                clipPath: row.optionalText(12))
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
        INSERT INTO contacts (phone, first_name, last_name, email, company, notes, status, opt_out, created_at, updated_at,
                              consent_at, consent_source)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, coalesce(?7, 'New'), coalesce(?7, '') = 'Opt_out', ?8, ?8, ?9, ?10)
        ON CONFLICT (phone) DO UPDATE SET
            consent_at = coalesce(excluded.consent_at, consent_at),
            consent_source = CASE WHEN excluded.consent_source <> '' THEN excluded.consent_source ELSE consent_source END,
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
                .date(contact.consentAt), .text(contact.consentSource),
            ])
        }
    }

    func contactCount() async throws -> Int {
        try db.prepare("SELECT count(*) FROM contacts").query { $0.int(0) }.first ?? 0
    }
}
