import Foundation
import Logging
import MiniBotCore
import NIOCore
import NIOSSL
import PostgresNIO

/// The multi-host store: several workers on several hosts share one
/// PostgreSQL database through a connection pool.
public final class PostgresStore: Store {
    let client: PostgresClient
    private let runner: Task<Void, Never>
    let logger: Logger
    private let target: String

    init(settings: PostgresSettings, logger: Logger) async throws {
        let tlsContext: NIOSSLContext?
        switch settings.tls {
        case .disable: tlsContext = nil
        case .prefer, .require: tlsContext = try NIOSSLContext(configuration: .makeClientConfiguration())
        }
        var probe: PostgresConnection.Configuration
        var configuration: PostgresClient.Configuration
        if let socketDirectory = settings.unixSocketDirectory {
            let socket = "\(socketDirectory)/.s.PGSQL.\(settings.port)"
            probe = .init(unixSocketPath: socket, username: settings.username, password: settings.password, database: settings.database)
            configuration = .init(unixSocketPath: socket, username: settings.username, password: settings.password, database: settings.database)
            target = "\(socketDirectory) (port \(settings.port))"
        } else {
            let tls: PostgresConnection.Configuration.TLS
            let poolTLS: PostgresClient.Configuration.TLS
            switch (settings.tls, tlsContext) {
            case (.require, let context?): (tls, poolTLS) = (.require(context), .require(.makeClientConfiguration()))
            case (.prefer, let context?): (tls, poolTLS) = (.prefer(context), .prefer(.makeClientConfiguration()))
            default: (tls, poolTLS) = (.disable, .disable)
            }
            probe = .init(host: settings.host, port: settings.port, username: settings.username,
                          password: settings.password, database: settings.database, tls: tls)
            configuration = .init(host: settings.host, port: settings.port, username: settings.username,
                                  password: settings.password, database: settings.database, tls: poolTLS)
            target = "\(settings.host):\(settings.port)"
        }
        probe.options.connectTimeout = .seconds(10)
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.maximumConnections = settings.maximumConnections
        // One direct connection first: a wrong password or a closed port fails
        // here at once with the server's reason, instead of the pool retrying.
        do {
            let connection = try await PostgresConnection.connect(configuration: probe, id: 0, logger: logger)
            try? await connection.close()
        } catch {
            throw StoreError.unavailable("cannot reach PostgreSQL at \(target) as \(settings.username) (database \(settings.database)): \(Self.describe(error))")
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.runner = Task { await client.run() }
        // Let the pool start before the first query leases a connection
        // (queries made earlier still work, but the pool logs a warning).
        try? await Task.sleep(for: .milliseconds(20))
    }

    public func close() async {
        runner.cancel()
    }

    /// A readable message for a postgres-nio error, without the query's binds.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let code = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return message + code
            }
            if let underlying = error.underlying { return "\(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }

    @discardableResult
    func run<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresTransactionError {
            // What went wrong inside a transaction is the error to report.
            throw storeError(error.closureError ?? error.beginError ?? error.commitError ?? error)
        } catch {
            throw storeError(error)
        }
    }

    /// A PostgreSQL error as a ``StoreError``; other errors (an import's own) pass unchanged.
    private func storeError(_ error: any Error) -> any Error {
        if error is StoreError { return error }
        guard let error = error as? PSQLError else {
            return error is PostgresTransactionError ? StoreError.query("\(error)") : error
        }
        switch error.serverInfo?[.sqlState] {
        case "23505", "23503", "23502", "23514":
            return StoreError.constraint(Self.describe(error))
        case "53100":
            return StoreError.diskFull("the PostgreSQL server at \(target) is out of disk space: \(Self.describe(error))")
        default:
            return StoreError.query(Self.describe(error))
        }
    }

    // MARK: Schema

    public func schemaVersion() async throws -> Int {
        try await run {
            try await client.query("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)", logger: logger)
            return try await client.withConnection { try await Self.version(on: $0, logger: logger) }
        }
    }

    private static func version(on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query("SELECT coalesce(max(version), 0)::bigint FROM schema_migrations", logger: logger)
        for try await version in rows.decode(Int.self) { return version }
        return 0
    }

    public func migrate() async throws {
        try await run {
            try await client.withTransaction(logger: logger) { connection in
                // One worker migrates; the others wait here, then find nothing to do.
                try await connection.query("SELECT pg_advisory_xact_lock(727274829)", logger: logger)
                try await connection.query("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)", logger: logger)
                let current = try await Self.version(on: connection, logger: logger)
                let known = PostgresSchema.migrations.last?.version ?? 0
                guard current <= known else { throw StoreError.schemaTooNew(found: current, known: known) }
                for migration in PostgresSchema.migrations where migration.version > current {
                    logger.info("applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                    for statement in migration.sql {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(migration.version), \(migration.name), \(Date()))",
                        logger: logger)
                }
            }
        }
    }

    // MARK: Contacts

    public func importContacts<Result: Sendable>(_ body: (any ContactImportSink) async throws -> Result) async throws -> Result {
        try await run {
            try await client.withTransaction(logger: logger) { connection in
                try await body(PostgresImportSink(connection: connection, logger: logger))
            }
        }
    }

    static let contactColumns = "c.phone, c.first_name, c.last_name, c.email, c.company, c.notes, c.status, c.attempts, c.last_attempt_at, c.opt_out, c.created_at, c.updated_at, c.consent_at, c.consent_source"

    static func contact(_ row: PostgresRandomAccessRow, from offset: Int = 0) throws -> Contact {
        Contact(
            phone: try row[offset].decode(String.self), firstName: try row[offset + 1].decode(String.self),
            lastName: try row[offset + 2].decode(String.self), email: try row[offset + 3].decode(String.self),
            company: try row[offset + 4].decode(String.self), notes: try row[offset + 5].decode(String.self),
            status: ContactStatus(rawValue: try row[offset + 6].decode(String.self)) ?? .new,
            attempts: try row[offset + 7].decode(Int.self), lastAttemptAt: try row[offset + 8].decode(Date?.self),
            optOut: try row[offset + 9].decode(Bool.self), consentAt: try row[offset + 12].decode(Date?.self),
            consentSource: try row[offset + 13].decode(String.self), createdAt: try row[offset + 10].decode(Date.self),
            updatedAt: try row[offset + 11].decode(Date.self)
        )
    }

    func rows<T>(_ query: PostgresQuery, _ transform: (PostgresRandomAccessRow) throws -> T) async throws -> [T] {
        try await decodedRows(query) { try transform($0.makeRandomAccess()) }
    }

    /// The rows of a query, each read by `transform` as it comes.
    func decodedRows<T>(_ query: PostgresQuery, _ transform: (PostgresRow) throws -> T) async throws -> [T] {
        try await run {
            var out: [T] = []
            for try await row in try await client.query(query, logger: logger) {
                out.append(try transform(row))
            }
            return out
        }
    }

    public func contact(phone: String) async throws -> Contact? {
        try await rows("SELECT \(unescaped: Self.contactColumns) FROM contacts c WHERE c.phone = \(phone)") { try Self.contact($0) }.first
    }

    /// Appends the WHERE clause of a filter to `query`.
    private static func appendConditions(_ filter: ContactFilter, search: String? = nil, after: ContactCursor? = nil,
                                         to query: inout PostgresQuery) {
        var clauses: [String] = []
        if let status = filter.status {
            query.binds.append(status.rawValue)
            clauses.append("c.status = $\(query.binds.count)")
        }
        if let campaign = filter.campaignID {
            query.binds.append(campaign)
            clauses.append("EXISTS (SELECT 1 FROM call_queue q WHERE q.phone = c.phone AND q.campaign_id = $\(query.binds.count))")
        }
        if let search, !search.isEmpty {
            query.binds.append("%" + search.replacingOccurrences(of: "%", with: "") + "%")
            let n = query.binds.count
            clauses.append("(c.phone ILIKE $\(n) OR c.first_name ILIKE $\(n) OR c.last_name ILIKE $\(n) OR c.email ILIKE $\(n) OR c.company ILIKE $\(n))")
        }
        if let after {
            query.binds.append(after.phone)
            clauses.append("c.phone > $\(query.binds.count)")
        }
        if !clauses.isEmpty { query.sql += " WHERE " + clauses.joined(separator: " AND ") }
    }

    public func contacts(_ query: ContactQuery) async throws -> [Contact] {
        var sql = PostgresQuery(unsafeSQL: "SELECT \(Self.contactColumns) FROM contacts c")
        Self.appendConditions(query.filter, search: query.search, after: query.after, to: &sql)
        sql.binds.append(query.limit)
        sql.binds.append(query.offset)
        sql.sql += " ORDER BY c.phone LIMIT $\(sql.binds.count - 1) OFFSET $\(sql.binds.count)"
        return try await rows(sql) { try Self.contact($0) }
    }

    public func contactStats() async throws -> ContactStats {
        let counts = try await rows("SELECT status, count(*)::bigint, count(*) FILTER (WHERE opt_out)::bigint FROM contacts GROUP BY status") {
            (try $0[0].decode(String.self), try $0[1].decode(Int.self), try $0[2].decode(Int.self))
        }
        var byStatus: [ContactStatus: Int] = [:]
        for (status, count, _) in counts { if let status = ContactStatus(rawValue: status) { byStatus[status] = count } }
        return ContactStats(total: counts.reduce(0) { $0 + $1.1 }, optOut: counts.reduce(0) { $0 + $1.2 }, byStatus: byStatus)
    }

    public func exportPage(_ filter: ContactFilter, after: String?, limit: Int) async throws -> [ContactExportRow] {
        var sql = PostgresQuery(unsafeSQL: """
            SELECT \(Self.contactColumns), l.call_id, l.status, l.final_intent
            FROM contacts c
            LEFT JOIN LATERAL (
                SELECT call_id, status, final_intent FROM calls WHERE phone = c.phone ORDER BY started_at DESC, call_id DESC LIMIT 1
            ) l ON true
            """)
        Self.appendConditions(filter, to: &sql)
        sql.binds.append(after ?? "")
        sql.sql += (filter.status == nil && filter.campaignID == nil ? " WHERE " : " AND ") + "c.phone > $\(sql.binds.count)"
        sql.binds.append(limit)
        sql.sql += " ORDER BY c.phone LIMIT $\(sql.binds.count)"
        let page = try await rows(sql) {
            (try Self.contact($0), try $0[14].decode(String?.self), try $0[15].decode(String?.self), try $0[16].decode(String?.self))
        }
        let callIDs = page.compactMap(\.1)
        var turns: [String: [(step: String, text: String)]] = [:]
        if !callIDs.isEmpty {
            for (id, step, text) in try await rows(
                "SELECT call_id, step, transcription FROM call_interactions WHERE call_id = ANY(\(callIDs)) ORDER BY call_id, sequence",
                { (try $0[0].decode(String.self), try $0[1].decode(String.self), try $0[2].decode(String.self)) }
            ) {
                turns[id, default: []].append((step, text))
            }
        }
        return page.map { contact, callID, status, intent in
            ContactExportRow(contact: contact, lastCallStatus: status.flatMap(CallStatus.init(rawValue:)),
                             lastCallIntent: intent, lastTranscript: ContactExportRow.transcript(callID.flatMap { turns[$0] } ?? []))
        }
    }

    // MARK: Campaigns, queue and calls

    static let campaignColumns = "id, name, scenario, status, total, answered, machine, leads, not_interested, no_answer, failed, created_at, updated_at, settings"

    static func campaign(_ row: PostgresRandomAccessRow) throws -> Campaign {
        let id = try row[0].decode(String.self)
        return Campaign(
            id: id, name: try row[1].decode(String.self), scenario: try row[2].decode(String.self),
            status: CampaignStatus(rawValue: try row[3].decode(String.self)) ?? .active,
            counters: CampaignCounters(
                total: try row[4].decode(Int.self), answered: try row[5].decode(Int.self), machine: try row[6].decode(Int.self),
                leads: try row[7].decode(Int.self), notInterested: try row[8].decode(Int.self),
                noAnswer: try row[9].decode(Int.self), failed: try row[10].decode(Int.self)),
            settings: try SettingsColumn.decode(try row[13].decode(String.self), campaign: id),
            createdAt: try row[11].decode(Date.self), updatedAt: try row[12].decode(Date.self))
    }

    public func createCampaign(_ campaign: Campaign) async throws {
        let c = campaign.counters
        let settings = try SettingsColumn.encode(campaign.settings)
        try await run {
            try await client.query("""
                INSERT INTO campaigns (\(unescaped: Self.campaignColumns))
                VALUES (\(campaign.id), \(campaign.name), \(campaign.scenario), \(campaign.status.rawValue), \(c.total), \(c.answered),
                        \(c.machine), \(c.leads), \(c.notInterested), \(c.noAnswer), \(c.failed), \(campaign.createdAt),
                        \(campaign.updatedAt), \(settings))
                """, logger: logger)
        }
    }

    public func campaign(id: String) async throws -> Campaign? {
        try await rows("SELECT \(unescaped: Self.campaignColumns) FROM campaigns WHERE id = \(id)", Self.campaign).first
    }

    public func campaigns() async throws -> [Campaign] {
        try await rows("SELECT \(unescaped: Self.campaignColumns) FROM campaigns ORDER BY created_at DESC, id DESC", Self.campaign)
    }

    public func setCampaignStatus(id: String, _ status: CampaignStatus, at date: Date) async throws -> Bool {
        try await !rows("UPDATE campaigns SET status = \(status.rawValue), updated_at = \(date) WHERE id = \(id) RETURNING 1") { _ in () }.isEmpty
    }

    public func setCampaignSettings(id: String, _ settings: CampaignSettings, at date: Date) async throws -> Bool {
        let text = try SettingsColumn.encode(settings)
        return try await !rows("UPDATE campaigns SET settings = \(text), updated_at = \(date) WHERE id = \(id) RETURNING 1") { _ in () }.isEmpty
    }

    public func enqueue(_ entries: [QueueEntry]) async throws {
        try await run {
            try await client.withTransaction(logger: logger) { connection in
                for e in entries {
                    try await connection.query("""
                        INSERT INTO call_queue (\(unescaped: Self.queueColumns))
                        VALUES (\(e.campaignID), \(e.phone), \(e.priority), \(e.status.rawValue), \(e.attempts), \(e.maxAttempts),
                                \(e.nextAttemptAt), \(e.leaseOwner), \(e.leaseExpiresAt)::timestamptz, \(e.callID), \(e.lastOutcome),
                                \(e.skipReason), \(e.updatedAt)::timestamptz)
                        ON CONFLICT (campaign_id, phone) DO NOTHING
                        """, logger: logger)
                }
            }
        }
    }

    public func enqueue(campaignID: String, selection: ContactSelection, at date: Date) async throws -> Int {
        var sql = PostgresQuery(unsafeSQL: """
            WITH added AS (
                INSERT INTO call_queue (campaign_id, phone, priority, status, attempts, max_attempts, next_attempt_at, updated_at)
                SELECT $1, c.phone, $2, 'pending', 0, $3, $4, $4 FROM contacts c
                WHERE NOT EXISTS (SELECT 1 FROM call_queue q WHERE q.campaign_id = $1 AND q.phone = c.phone)
            """)
        sql.binds.append(campaignID)
        sql.binds.append(selection.priority)
        sql.binds.append(selection.maxAttempts)
        sql.binds.append(date)
        if !selection.statuses.isEmpty {
            sql.binds.append(selection.statuses.map(\.rawValue))
            sql.sql += " AND c.status = ANY($\(sql.binds.count))"
        }
        if let phones = selection.phones {
            sql.binds.append(phones)
            sql.sql += " AND c.phone = ANY($\(sql.binds.count))"
        }
        sql.sql += " ORDER BY c.created_at, c.phone"
        if let limit = selection.limit {
            sql.binds.append(limit)
            sql.sql += " LIMIT $\(sql.binds.count)"
        }
        sql.sql += " ON CONFLICT (campaign_id, phone) DO NOTHING RETURNING 1) SELECT count(*)::bigint FROM added"
        return try await run {
            try await client.withTransaction(logger: logger) { connection in
                guard try await Self.count("SELECT 1 FROM campaigns WHERE id = \(campaignID)", on: connection, logger: logger) > 0 else {
                    throw StoreError.notFound("no campaign with the id \(campaignID)")
                }
                return try await Self.single(sql, on: connection, logger: logger)
            }
        }
    }

    /// Rows a statement returns (`RETURNING 1` counts what it changed).
    static func count(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        var n = 0
        for try await _ in try await connection.query(query, logger: logger) { n += 1 }
        return n
    }

    /// The one integer a query returns.
    static func single(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        for try await value in try await connection.query(query, logger: logger).decode(Int.self) { return value }
        return 0
    }

    static let queueColumns = "campaign_id, phone, priority, status, attempts, max_attempts, next_attempt_at, lease_owner, lease_expires_at, call_id, last_outcome, skip_reason, updated_at"

    static func queueEntry(_ row: PostgresRandomAccessRow) throws -> QueueEntry {
        QueueEntry(campaignID: try row[0].decode(String.self), phone: try row[1].decode(String.self),
                   priority: try row[2].decode(Int.self),
                   status: QueueStatus(rawValue: try row[3].decode(String.self)) ?? .interrupted,
                   attempts: try row[4].decode(Int.self), maxAttempts: try row[5].decode(Int.self),
                   nextAttemptAt: try row[6].decode(Date.self), leaseOwner: try row[7].decode(String?.self),
                   leaseExpiresAt: try row[8].decode(Date?.self), callID: try row[9].decode(String?.self),
                   lastOutcome: try row[10].decode(String?.self), skipReason: try row[11].decode(String?.self),
                   updatedAt: try row[12].decode(Date?.self))
    }

    public func queueEntry(campaignID: String, phone: String) async throws -> QueueEntry? {
        try await rows("SELECT \(unescaped: Self.queueColumns) FROM call_queue WHERE campaign_id = \(campaignID) AND phone = \(phone)",
                       Self.queueEntry).first
    }

    public func claimQueueEntries(campaignID: String, worker: String, limit: Int, now: Date, lease: TimeInterval) async throws -> [QueueEntry] {
        guard limit > 0 else { return [] }
        // Rows another worker is claiming at this moment are locked: skip them
        // rather than wait, and never take a row twice.
        let columns = Self.queueColumns.split(separator: ", ").map { "q.\($0)" }.joined(separator: ", ")
        return try await rows("""
            WITH due AS (
                SELECT q.phone FROM call_queue q JOIN campaigns c ON c.id = q.campaign_id
                WHERE q.campaign_id = \(campaignID) AND q.status = 'pending' AND q.next_attempt_at <= \(now) AND c.status = 'active'
                ORDER BY q.priority DESC, q.next_attempt_at, q.phone
                LIMIT \(limit)
                FOR UPDATE OF q SKIP LOCKED
            )
            UPDATE call_queue q SET status = 'claimed', lease_owner = \(worker), lease_expires_at = \(now.addingTimeInterval(lease)),
                updated_at = \(now)
            FROM due WHERE q.campaign_id = \(campaignID) AND q.phone = due.phone
            RETURNING \(unescaped: columns)
            """, Self.queueEntry).inClaimOrder()
    }

    private struct LeaseLost: Error {}

    public func beginCall(_ call: Call, worker: String, now: Date, lease: TimeInterval) async throws -> Bool {
        let campaignID = try call.requiredCampaignID()
        do {
            try await run {
                try await client.withTransaction(logger: logger) { connection in
                    let taken = try await Self.count("""
                        UPDATE call_queue SET status = 'calling', call_id = \(call.callID), attempts = attempts + 1,
                            lease_expires_at = \(now.addingTimeInterval(lease)), updated_at = \(now)
                        WHERE campaign_id = \(campaignID) AND phone = \(call.phone) AND status = 'claimed' AND lease_owner = \(worker)
                        RETURNING 1
                        """, on: connection, logger: logger)
                    guard taken == 1 else { throw LeaseLost() }
                    try await connection.query(Self.insertCall(call, replacing: false), logger: logger)
                    try await connection.query(
                        "UPDATE contacts SET attempts = attempts + 1, last_attempt_at = \(now), updated_at = \(now) WHERE phone = \(call.phone)",
                        logger: logger)
                }
            }
            return true
        } catch is LeaseLost {
            return false
        }
    }

    public func renewLeases(worker: String, now: Date, lease: TimeInterval) async throws {
        try await run {
            try await client.query("""
                UPDATE call_queue SET lease_expires_at = \(now.addingTimeInterval(lease))
                WHERE lease_owner = \(worker) AND status IN ('claimed', 'calling')
                """, logger: logger)
        }
    }

    public func releaseClaim(campaignID: String, phone: String, worker: String, notBefore: Date?, reason: String?) async throws {
        try await run {
            try await client.query("""
                UPDATE call_queue SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL,
                    next_attempt_at = coalesce(\(notBefore)::timestamptz, next_attempt_at),
                    skip_reason = coalesce(\(reason)::text, skip_reason), updated_at = \(Date())
                WHERE campaign_id = \(campaignID) AND phone = \(phone) AND status = 'claimed' AND lease_owner = \(worker)
                """, logger: logger)
        }
    }

    public func skipQueueEntry(campaignID: String, phone: String, worker: String, reason: String, at date: Date) async throws {
        try await run {
            try await client.query("""
                UPDATE call_queue SET status = 'skipped', lease_owner = NULL, lease_expires_at = NULL, skip_reason = \(reason),
                    updated_at = \(date)
                WHERE campaign_id = \(campaignID) AND phone = \(phone) AND status = 'claimed' AND lease_owner = \(worker)
                """, logger: logger)
        }
    }

    public func completeCall(_ completion: CallCompletion, worker: String, at date: Date) async throws {
        let call = completion.call
        let campaignID = try call.requiredCampaignID()
        let optOut = completion.optsOut
        let retryAt = optOut ? nil : completion.retryAt
        let c = completion.counters
        try await run {
            try await client.withTransaction(logger: logger) { connection in
                // Counters are added once per call: while this worker still holds
                // its row (locked here, so recovery waits for this transaction),
                // or for the first completion after recovery gave it up.
                let holds = try await Self.count("""
                    SELECT 1 FROM call_queue WHERE campaign_id = \(campaignID) AND phone = \(call.phone) AND status = 'calling'
                        AND lease_owner = \(worker) AND call_id = \(call.callID) FOR UPDATE
                    """, on: connection, logger: logger) > 0
                let lost = try await Self.count("""
                    SELECT 1 FROM calls WHERE call_id = \(call.callID) AND status = 'failed' AND end_reason = \(QueueReason.workerLostCall)
                    FOR UPDATE
                    """, on: connection, logger: logger) > 0
                try await connection.query(Self.insertCall(call, replacing: true), logger: logger)
                if optOut {
                    try await connection.query("""
                        UPDATE contacts SET opt_out = true, status = \((completion.contactStatus ?? .optOut).rawValue), updated_at = \(date)
                        WHERE phone = \(call.phone)
                        """, logger: logger)
                    try await connection.query("""
                        INSERT INTO opt_outs (key, hashed, source, added_at) VALUES (\(call.phone), false, 'call', \(date))
                        ON CONFLICT (key) DO NOTHING
                        """, logger: logger)
                } else if let status = completion.contactStatus {
                    try await connection.query(
                        "UPDATE contacts SET status = \(status.rawValue), updated_at = \(date) WHERE phone = \(call.phone)", logger: logger)
                }
                try await connection.query("""
                    UPDATE call_queue SET
                        status = CASE WHEN \(retryAt)::timestamptz IS NOT NULL AND attempts < max_attempts THEN 'pending' ELSE 'completed' END,
                        next_attempt_at = CASE WHEN attempts < max_attempts THEN coalesce(\(retryAt)::timestamptz, next_attempt_at)
                                               ELSE next_attempt_at END,
                        lease_owner = NULL, lease_expires_at = NULL, call_id = \(call.callID),
                        last_outcome = \(completion.queueOutcome), updated_at = \(date)
                    WHERE campaign_id = \(campaignID) AND phone = \(call.phone) AND status = 'calling' AND lease_owner = \(worker)
                        AND call_id = \(call.callID)
                    """, logger: logger)
                guard holds || lost else { return }
                try await connection.query("""
                    UPDATE campaigns SET total = total + \(c.total), answered = answered + \(c.answered), machine = machine + \(c.machine),
                        leads = leads + \(c.leads), not_interested = not_interested + \(c.notInterested),
                        no_answer = no_answer + \(c.noAnswer), failed = failed + \(c.failed), updated_at = \(date)
                    WHERE id = \(campaignID)
                    """, logger: logger)
                try await Self.insertEvents(for: call, on: connection, logger: logger, at: date)
            }
        }
    }

    public func recoverExpiredLeases(now: Date) async throws -> LeaseRecovery {
        try await run {
            try await client.withTransaction(logger: logger) { connection in
                let returned = try await Self.single("""
                    WITH returned AS (
                        UPDATE call_queue SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, updated_at = \(now)
                        WHERE status = 'claimed' AND lease_expires_at <= \(now) RETURNING 1)
                    SELECT count(*)::bigint FROM returned
                    """, on: connection, logger: logger)
                // One statement: the rows interrupted are exactly those whose call is failed.
                let interrupted = try await Self.single("""
                    WITH lost AS (
                        UPDATE call_queue SET status = 'interrupted', lease_expires_at = NULL, skip_reason = \(QueueReason.workerLost),
                            updated_at = \(now)
                        WHERE status = 'calling' AND lease_expires_at <= \(now) RETURNING call_id),
                    failed AS (
                        UPDATE calls SET status = 'failed', end_reason = \(QueueReason.workerLostCall), ended_at = coalesce(ended_at, \(now))
                        WHERE status IN ('dialing', 'ringing', 'answered') AND call_id IN (SELECT call_id FROM lost) RETURNING 1)
                    SELECT count(*)::bigint FROM lost
                    """, on: connection, logger: logger)
                return LeaseRecovery(returned: returned, interrupted: interrupted)
            }
        }
    }

    public func queueSummary(campaignID: String) async throws -> [QueueStatus: Int] {
        SQLiteStore.summary(try await rows("SELECT status, count(*)::bigint FROM call_queue WHERE campaign_id = \(campaignID) GROUP BY status") {
            (try $0[0].decode(String.self), try $0[1].decode(Int.self))
        })
    }

    public func dialHistory(phone: String, since: Date) async throws -> DialHistory {
        let attempts = try await rows("SELECT started_at FROM calls WHERE phone = \(phone) AND started_at >= \(since) ORDER BY started_at") {
            try $0[0].decode(Date.self)
        }
        let refusal = try await rows("SELECT max(started_at) FROM calls WHERE phone = \(phone) AND outcome = \(ContactStatus.notInterested.rawValue)") {
            try $0[0].decode(Date?.self)
        }.first ?? nil
        return DialHistory(attempts: attempts, lastRefusalAt: refusal)
    }

    // MARK: Opt-out list

    public func addOptOuts(_ entries: [OptOutEntry]) async throws -> Int {
        let entries = try entries.validated()
        return try await run {
            try await client.withTransaction(logger: logger) { connection in
                var added = 0
                var start = 0
                while start < entries.count {
                    let batch = entries[start..<min(start + 10_000, entries.count)]
                    added += try await Self.single("""
                        WITH added AS (
                            INSERT INTO opt_outs (key, hashed, source, added_at)
                            SELECT * FROM unnest(\(batch.map(\.key)), \(batch.map(\.hashed)), \(batch.map(\.source)), \(batch.map(\.addedAt)))
                            ON CONFLICT (key) DO NOTHING RETURNING 1)
                        SELECT count(*)::bigint FROM added
                        """, on: connection, logger: logger)
                    start += batch.count
                }
                return added
            }
        }
    }

    public func isOptedOut(phone: String) async throws -> Bool {
        try await rows("""
            SELECT EXISTS (SELECT 1 FROM opt_outs WHERE key IN (\(phone), \(OptOutEntry.sha256(of: phone))))
                OR EXISTS (SELECT 1 FROM contacts WHERE phone = \(phone) AND opt_out)
            """) { try $0[0].decode(Bool.self) }.first ?? false
    }

    public func optOuts(after: OptOutCursor?, limit: Int, offset: Int) async throws -> [OptOutEntry] {
        // The index on (added_at, key) read backwards: from the top, or from just past the cursor.
        var page = PostgresQuery(unsafeSQL: "SELECT key, hashed, source, added_at FROM opt_outs")
        if let after {
            page.binds.append(after.addedAtMicroseconds)
            page.binds.append(after.key)
            page.sql += " WHERE (added_at, key) < ('epoch'::timestamptz + $1::bigint * interval '1 microsecond', $2)"
        }
        page.binds.append(limit)
        page.binds.append(offset)
        page.sql += " ORDER BY added_at DESC, key DESC LIMIT $\(page.binds.count - 1) OFFSET $\(page.binds.count)"
        return try await rows(page) {
            OptOutEntry(key: try $0[0].decode(String.self), hashed: try $0[1].decode(Bool.self),
                        source: try $0[2].decode(String.self), addedAt: try $0[3].decode(Date.self))
        }
    }

    public func removeOptOut(key: String) async throws -> Bool {
        let key = OptOutEntry.isHash(key) ? key.lowercased() : key
        return try await !rows("DELETE FROM opt_outs WHERE key = \(key) RETURNING 1") { _ in () }.isEmpty
    }

    // MARK: Calls

    /// The columns a call is written with; ``callColumns`` reads them and what
    /// the retention sweep adds.
    static let callInsertColumns = """
        call_id, phone, campaign_id, status, amd_result, final_intent, is_lead, duration, recording_path, \
        transcript_path, started_at, answered_at, ended_at, hangup_cause, outcome, end_reason
        """
    static let callColumns = callInsertColumns + ", files_purged_at"

    /// Inserts the call; with `replacing`, updates the row with the same id in place.
    static func insertCall(_ call: Call, replacing: Bool) -> PostgresQuery {
        var query: PostgresQuery = """
            INSERT INTO calls (\(unescaped: callInsertColumns))
            VALUES (\(call.callID), \(call.phone), \(call.campaignID), \(call.status.rawValue), \(call.amdResult?.rawValue),
                    \(call.finalIntent), \(call.isLead), \(call.duration), \(call.recordingPath), \(call.transcriptPath),
                    \(call.startedAt), \(call.answeredAt)::timestamptz, \(call.endedAt)::timestamptz, \(call.hangupCause),
                    \(call.outcome?.rawValue), \(call.endReason))
            """
        if replacing {
            query.sql += """
                 ON CONFLICT (call_id) DO UPDATE SET phone = excluded.phone, campaign_id = excluded.campaign_id,
                    status = excluded.status, amd_result = excluded.amd_result, final_intent = excluded.final_intent,
                    is_lead = excluded.is_lead, duration = excluded.duration, recording_path = excluded.recording_path,
                    transcript_path = excluded.transcript_path, started_at = excluded.started_at,
                    answered_at = excluded.answered_at, ended_at = excluded.ended_at, hangup_cause = excluded.hangup_cause,
                    outcome = excluded.outcome, end_reason = excluded.end_reason
                """
        }
        return query
    }

    public func saveCall(_ call: Call) async throws {
        try await run {
            try await client.query(Self.insertCall(call, replacing: true), logger: logger)
        }
    }

    public func call(id: String) async throws -> Call? {
        try await execute(CallByID(id: id)).first
    }

    /// A row of ``callColumns`` as a call, decoded column after column (a random-access
    /// row builds a cell, its column name retained, for every column read:
    /// a tenth of the server's CPU on a page of calls).
    static func call(_ row: PostgresRow) throws -> Call {
        let (callID, phone, campaignID, status, amdResult, finalIntent, isLead, duration, recordingPath, transcriptPath,
             startedAt, answeredAt, endedAt, hangupCause, outcome, endReason, filesPurgedAt) = try row.decode(
            (String, String, String?, String, String?, String?, Bool, Double, String?, String?,
             Date, Date?, Date?, String?, String?, String?, Date?).self)
        return Call(callID: callID, phone: phone, campaignID: campaignID, status: CallStatus(rawValue: status) ?? .failed,
                    amdResult: amdResult.flatMap(AMDResult.init(rawValue:)), finalIntent: finalIntent, isLead: isLead,
                    duration: duration, recordingPath: recordingPath, transcriptPath: transcriptPath, startedAt: startedAt,
                    answeredAt: answeredAt, endedAt: endedAt, hangupCause: hangupCause,
                    outcome: outcome.flatMap(ContactStatus.init(rawValue:)), endReason: endReason, filesPurgedAt: filesPurgedAt)
    }

    public func addInteraction(_ interaction: CallInteraction) async throws {
        let i = interaction
        try await run {
            try await client.query("""
                INSERT INTO call_interactions (call_id, sequence, step, prompt, transcription, intent, confidence,
                    response_duration, started_at, ended_at, transcription_seconds, error, clip_path)
                VALUES (\(i.callID), \(i.sequence), \(i.step), \(i.prompt), \(i.transcription), \(i.intent), \(i.confidence),
                        \(i.responseDuration), \(i.startedAt), \(i.endedAt), \(i.transcriptionSeconds), \(i.error), \(i.clipPath))
                """, logger: logger)
        }
    }

    public func interactions(callID: String) async throws -> [CallInteraction] {
        try await execute(InteractionsOfCall(callID: callID))
    }

    static let interactionColumns = """
        call_id, sequence, step, prompt, transcription, intent, confidence, response_duration, \
        started_at, ended_at, transcription_seconds, error, clip_path
        """

    /// A row of ``interactionColumns`` as an answer, decoded column after column.
    static func interaction(_ row: PostgresRow) throws -> CallInteraction {
        let (callID, sequence, step, prompt, transcription, intent, confidence, responseDuration, startedAt, endedAt,
             transcriptionSeconds, error, clipPath) = try row.decode(
            (String, Int, String, String, String, String?, Double?, Double, Date, Date, Double?, String?, String?).self)
        return CallInteraction(callID: callID, sequence: sequence, step: step, prompt: prompt, transcription: transcription,
                               intent: intent, confidence: confidence, responseDuration: responseDuration, startedAt: startedAt,
                               endedAt: endedAt, transcriptionSeconds: transcriptionSeconds, error: error, clipPath: clipPath)
    }
}

/// Writes an import inside the transaction that
/// ``PostgresStore/importContacts(_:)`` opened: one statement per batch,
/// the rows passed as arrays.
struct PostgresImportSink: ContactImportSink {
    let connection: PostgresConnection
    let logger: Logger

    func upsert(_ batch: [ContactUpsert], at date: Date) async throws {
        guard !batch.isEmpty else { return }
        try await connection.query("""
            INSERT INTO contacts AS t (phone, first_name, last_name, email, company, notes, status, opt_out, created_at, updated_at,
                                       consent_at, consent_source)
            SELECT p, f, l, e, c, n, coalesce(nullif(s, ''), 'New'), s = 'Opt_out', \(date), \(date),
                   CASE WHEN ca THEN cd END, cs
            FROM unnest(\(batch.map(\.phone.e164)), \(batch.map(\.firstName)), \(batch.map(\.lastName)), \(batch.map(\.email)),
                        \(batch.map(\.company)), \(batch.map(\.notes)), \(batch.map { $0.status?.rawValue ?? "" }),
                        \(batch.map { $0.consentAt != nil }), \(batch.map { $0.consentAt ?? date }), \(batch.map(\.consentSource)))
                 AS u(p, f, l, e, c, n, s, ca, cd, cs)
            ON CONFLICT (phone) DO UPDATE SET
                consent_at = coalesce(excluded.consent_at, t.consent_at),
                consent_source = CASE WHEN excluded.consent_source <> '' THEN excluded.consent_source ELSE t.consent_source END,
                first_name = CASE WHEN excluded.first_name <> '' THEN excluded.first_name ELSE t.first_name END,
                last_name = CASE WHEN excluded.last_name <> '' THEN excluded.last_name ELSE t.last_name END,
                email = CASE WHEN excluded.email <> '' THEN excluded.email ELSE t.email END,
                company = CASE WHEN excluded.company <> '' THEN excluded.company ELSE t.company END,
                notes = CASE WHEN excluded.notes <> '' THEN excluded.notes ELSE t.notes END,
                status = CASE WHEN excluded.status = 'Opt_out' THEN 'Opt_out' ELSE t.status END,
                opt_out = t.opt_out OR excluded.opt_out,
                updated_at = excluded.updated_at
            """, logger: logger)
    }

    func contactCount() async throws -> Int {
        for try await count in try await connection.query("SELECT count(*)::bigint FROM contacts", logger: logger).decode(Int.self) {
            return count
        }
        return 0
    }
}
