import Foundation
import Logging
import MiniBotCore

/// Everything MiniBotPanel keeps. Two backends behave the same:
/// ``SQLiteStore`` (one host, the embedded default) and ``PostgresStore``
/// (several workers on several hosts). Open one with ``openStore(url:logger:)``.
public protocol Store: Sendable {
    /// Applies the migrations this database has not had yet.
    func migrate() async throws
    /// The schema version the database is at.
    func schemaVersion() async throws -> Int
    func close() async

    // MARK: Contacts
    /// Runs `body` in one transaction: all its upserts land, or none do.
    func importContacts<Result: Sendable>(_ body: (any ContactImportSink) async throws -> Result) async throws -> Result
    func contact(phone: String) async throws -> Contact?
    func contacts(_ query: ContactQuery) async throws -> [Contact]
    func contactStats() async throws -> ContactStats
    /// One page of the export, ordered by phone, after the phone `after`.
    func exportPage(_ filter: ContactFilter, after: String?, limit: Int) async throws -> [ContactExportRow]

    // MARK: Campaigns, queue and calls
    func createCampaign(_ campaign: Campaign) async throws
    func campaign(id: String) async throws -> Campaign?
    func enqueue(_ entries: [QueueEntry]) async throws
    /// Inserts or replaces the call with the same id.
    func saveCall(_ call: Call) async throws
    func call(id: String) async throws -> Call?
    func addInteraction(_ interaction: CallInteraction) async throws
    func interactions(callID: String) async throws -> [CallInteraction]

    // MARK: Campaigns (dialer)
    /// Every campaign, newest first.
    func campaigns() async throws -> [Campaign]
    /// False when there is no such campaign.
    func setCampaignStatus(id: String, _ status: CampaignStatus, at: Date) async throws -> Bool
    /// Replaces a campaign's settings (running workers apply them at their next look at the queue); false: no such campaign.
    func setCampaignSettings(id: String, _ settings: CampaignSettings, at: Date) async throws -> Bool
    /// Fills the queue from a selection in one statement (INSERT … SELECT);
    /// returns rows added (contacts already queued in the campaign are left as
    /// they are, and do not count against the selection's limit). Contact
    /// statuses are not changed, and opted-out contacts are not filtered here:
    /// the dialer checks ``isOptedOut(phone:)`` before each dial and skips them
    /// with their reason. Throws ``StoreError/notFound(_:)`` for an unknown campaign.
    func enqueue(campaignID: String, selection: ContactSelection, at: Date) async throws -> Int

    // MARK: Queue (see docs/ARCHITECTURE.md, "The queue")
    /// Atomically takes up to `limit` due rows (pending, `next_attempt_at <= now`,
    /// campaign active), highest priority first then oldest due, and marks them
    /// `claimed` by `worker` until `now + lease`. Worker names must be unique
    /// among running workers.
    func claimQueueEntries(campaignID: String, worker: String, limit: Int, now: Date, lease: TimeInterval) async throws -> [QueueEntry]
    /// Claimed → calling, in one transaction with inserting `call` and counting
    /// the attempt on the row and on the contact (`attempts + 1`,
    /// `last_attempt_at = now`). False, and nothing written, when the row is no
    /// longer claimed by `worker` (its lease was lost): do not dial.
    func beginCall(_ call: Call, worker: String, now: Date, lease: TimeInterval) async throws -> Bool
    /// Extends every lease `worker` holds (claimed and calling rows) to `now + lease`.
    func renewLeases(worker: String, now: Date, lease: TimeInterval) async throws
    /// Gives back a row `worker` claimed without dialling it: pending again,
    /// due at `notBefore` (nil: as it was, so at once), attempts unchanged,
    /// `reason` (if any) kept in `skip_reason`. No effect on a row it no longer holds.
    func releaseClaim(campaignID: String, phone: String, worker: String, notBefore: Date?, reason: String?) async throws
    /// Marks a row `worker` claimed as skipped for good, with its reason
    /// (a rule code and a sentence). No effect on a row it no longer holds.
    func skipQueueEntry(campaignID: String, phone: String, worker: String, reason: String, at: Date) async throws
    /// The end of a call, in one transaction: the call (its interactions are
    /// kept), the contact's new status and opt-out flag, the opt-out list entry
    /// (when `optOut`), the queue row (completed, or pending again at `retryAt`
    /// while attempts < max_attempts and the contact did not opt out), and the
    /// campaign's counters plus `counters`. When `worker` no longer holds the
    /// row in `calling` (its lease was lost) everything is saved but the
    /// queue row, which stays as recovery left it. Counters are added once per
    /// call: repeating a completion (a retry after an error) adds nothing.
    func completeCall(_ completion: CallCompletion, worker: String, at: Date) async throws
    /// Rows whose lease expired at `now`: claimed → pending (never dialled,
    /// safe to retry); calling → interrupted (the call may have been placed:
    /// never dialled again in this campaign; `lease_owner` is kept to say
    /// which worker lost it), and its call, if not final, → failed with end
    /// reason `worker lost`. Safe to run from every worker at any time.
    func recoverExpiredLeases(now: Date) async throws -> LeaseRecovery
    /// Rows of the campaign per status; every status is present, zero included.
    func queueSummary(campaignID: String) async throws -> [QueueStatus: Int]
    /// One queue row, or nil.
    func queueEntry(campaignID: String, phone: String) async throws -> QueueEntry?

    // MARK: Compliance
    /// Calls to `phone` (E.164) in any campaign started at or after `since`,
    /// and the start of its latest call with outcome `Not_interested`, ever.
    func dialHistory(phone: String, since: Date) async throws -> DialHistory

    // MARK: Events and webhooks (see docs/ARCHITECTURE.md, "Webhooks")
    /// Events after `id`, oldest first. ``completeCall(_:worker:at:)`` writes
    /// them; their ids grow in commit order, on both backends.
    func events(after id: Int64, limit: Int) async throws -> [CallEvent]
    /// How many events after `id` are of one of `kinds`: what an endpoint
    /// subscribed to them has still to hear (`minibot webhooks status`).
    func countEvents(after id: Int64, kinds: [CallEventKind]) async throws -> Int
    /// Takes the endpoint's cursor for `owner` until `now + lease`, creating it
    /// at the latest event when the endpoint is new (it hears of what happens
    /// from now on, not of the past). Nil while another owner's lease runs.
    /// A lease of 0 gives the cursor back.
    func claimWebhookCursor(endpoint: String, owner: String, now: Date, lease: TimeInterval) async throws -> WebhookCursor?
    /// Writes the cursor back, with the event given up if any, in one
    /// transaction; false, and nothing written, when `owner` lost the lease.
    func saveWebhookCursor(_ cursor: WebhookCursor, owner: String, now: Date, abandoned: WebhookFailure?) async throws -> Bool
    /// Every endpoint's cursor, and the latest events given up (newest first).
    func webhookCursors() async throws -> [WebhookCursor]
    func webhookFailures(limit: Int) async throws -> [WebhookFailure]

    // MARK: Opt-out list (Bloctel-style)
    /// Adds entries in one transaction; keys already listed are ignored.
    /// Returns how many were new. Throws ``StoreError/constraint(_:)`` for a
    /// key that is neither E.164 nor 64 hex digits.
    func addOptOuts(_ entries: [OptOutEntry]) async throws -> Int
    /// True when `phone` (E.164) is listed, plain or as its SHA-256, or its
    /// contact has the opt-out flag.
    func isOptedOut(phone: String) async throws -> Bool
    /// The list newest first, then by key; with `after`, the entries past that place (and `offset` 0).
    func optOuts(after: OptOutCursor?, limit: Int, offset: Int) async throws -> [OptOutEntry]
    /// False when the key was not listed. Does not clear a contact's own opt-out flag.
    func removeOptOut(key: String) async throws -> Bool

    // MARK: Retention and erasure (minibot cleanup, contacts forget)
    /// Finished calls started before `cutoff` that still name a file (full
    /// call, transcript or clip) and were not purged, ordered by call id
    /// after `after`, at most `limit`.
    func callFiles(startedBefore cutoff: Date, after: String?, limit: Int) async throws -> [CallFileRecord]
    /// Clears the calls' file paths (full call, transcript, clips) and marks
    /// them purged at `date`; the rows stay, so the API can say "purged".
    func markCallFilesPurged(callIDs: [String], at date: Date) async throws
    /// Records that these contacts were exported at `date`: from then on the
    /// files of their earlier lead calls may be purged.
    func markExported(phones: [String], at date: Date) async throws
    /// The files of every call to `phone` (E.164), purged or not.
    func callFiles(phone: String) async throws -> [CallFileRecord]
    /// Erases everything held about `phone` (E.164) in one transaction: its
    /// contact row, calls and their interactions, queue rows and plain
    /// opt-out entries; adds its SHA-256 to the opt-out list (source
    /// `erased`), so ``isOptedOut(phone:)`` stays true. Returns what went and
    /// the erased calls' files, which the caller deletes.
    func forgetContact(phone: String, at date: Date) async throws -> ContactErasure

    // MARK: HTTP API
    /// One page of calls matching `query`, newest first, and how many match
    /// (unless ``CallQuery/countsTotal`` is false).
    func calls(_ query: CallQuery) async throws -> CallPage
    /// How many calls match the query's filters (its place, limit and offset
    /// are ignored). Without filters, or by status only, it reads the kept
    /// totals; other filters count the matching rows (an index range).
    func countCalls(_ query: CallQuery) async throws -> Int
    /// Totals over every call, from the totals triggers keep (a few rows,
    /// however many calls).
    func callSummary() async throws -> CallSummary
    /// Stores a new key (its hash, never its secret).
    func createAPIKey(_ key: APIKeyRecord) async throws
    /// The key whose secret hashes to `hash` (revoked or not), or nil.
    func apiKey(hash: String) async throws -> APIKeyRecord?
    /// Every key, revoked ones included, oldest first.
    func apiKeys() async throws -> [APIKeyRecord]
    /// False when there is no such key or it was already revoked.
    func revokeAPIKey(id: String, at: Date) async throws -> Bool

    // MARK: Web panel (users, sessions, dashboard)
    /// Throws ``StoreError/constraint(_:)`` when the name is taken.
    func createUser(_ user: PanelUser) async throws
    func user(name: String) async throws -> PanelUser?
    /// Every user, by name.
    func users() async throws -> [PanelUser]
    /// False when there is no such user. Ends the user's sessions.
    func setUserPassword(name: String, hash: String, at: Date) async throws -> Bool
    /// False when there is no such user. Ends the user's sessions.
    func deleteUser(name: String) async throws -> Bool
    func createSession(_ session: PanelSession) async throws
    /// The session whose token hashes to `tokenHash`, unless it expired at `now`.
    func session(tokenHash: String, now: Date) async throws -> PanelSession?
    func deleteSession(tokenHash: String) async throws
    /// Moves a session's expiry (its user was active): to `expiresAt`, never earlier than it was.
    func extendSession(tokenHash: String, expiresAt: Date) async throws
    /// Removes sessions expired at `now`; returns how many.
    func deleteExpiredSessions(now: Date) async throws -> Int
    /// Calls started in [from, to), per hour, status and outcome.
    func callActivity(from: Date, to: Date) async throws -> [CallActivity]
}

extension Store {
    /// A page of the opt-out list by number.
    public func optOuts(limit: Int, offset: Int) async throws -> [OptOutEntry] {
        try await optOuts(after: nil, limit: limit, offset: offset)
    }
}

/// Where an import writes, inside its transaction.
public protocol ContactImportSink {
    /// Merges each contact into the store: new phones are inserted; for known
    /// ones every non-empty field replaces the stored one, and `Opt_out`
    /// is the only status an import can set on them. Phones must be unique
    /// within one batch.
    func upsert(_ batch: [ContactUpsert], at date: Date) async throws
    func contactCount() async throws -> Int
}

/// Which contacts to list, and which page.
public struct ContactQuery: Sendable, Equatable {
    public var filter: ContactFilter
    /// Matches phone, names, email or company, case-insensitively.
    public var search: String?
    /// Only the contacts after this place in the phone order: the next page,
    /// whatever its depth, found in the primary key (use it with an `offset` of 0).
    public var after: ContactCursor?
    public var limit: Int
    public var offset: Int

    public init(filter: ContactFilter = .init(), search: String? = nil, after: ContactCursor? = nil, limit: Int = 50, offset: Int = 0) {
        self.filter = filter
        self.search = search
        self.after = after
        self.limit = limit
        self.offset = offset
    }
}

public struct ContactFilter: Sendable, Equatable {
    public var status: ContactStatus?
    /// Only contacts queued in this campaign.
    public var campaignID: String?

    public init(status: ContactStatus? = nil, campaignID: String? = nil) {
        self.status = status
        self.campaignID = campaignID
    }
}

public struct ContactStats: Sendable, Equatable, Codable {
    public var total: Int
    public var optOut: Int
    /// Contacts per status; every status is present, zero included.
    public var byStatus: [String: Int]

    public init(total: Int, optOut: Int, byStatus: [ContactStatus: Int]) {
        self.total = total
        self.optOut = optOut
        var all: [String: Int] = [:]
        for status in ContactStatus.allCases { all[status.rawValue] = byStatus[status] ?? 0 }
        self.byStatus = all
    }

    enum CodingKeys: String, CodingKey {
        case total, optOut = "opt_out", byStatus = "by_status"
    }
}

/// A contact with what its last call found, as `export` writes it.
public struct ContactExportRow: Sendable, Equatable {
    public var contact: Contact
    public var lastCallStatus: CallStatus?
    public var lastCallIntent: String?
    /// The last call's answers, `step: text` joined by ` | `.
    public var lastTranscript: String

    public init(contact: Contact, lastCallStatus: CallStatus? = nil, lastCallIntent: String? = nil, lastTranscript: String = "") {
        self.contact = contact
        self.lastCallStatus = lastCallStatus
        self.lastCallIntent = lastCallIntent
        self.lastTranscript = lastTranscript
    }

    static func transcript(_ turns: [(step: String, text: String)]) -> String {
        turns.filter { !$0.text.isEmpty }.map { "\($0.step): \($0.text)" }.joined(separator: " | ")
    }
}

/// Opens the database a URL names and brings its schema up to date.
///
/// - `sqlite:///absolute/path/file.sqlite` (or `sqlite://relative/path.sqlite`)
/// - `postgres://user:password@host:5432/database[?sslmode=disable|prefer|require]`,
///   or `postgres://user@/database?host=/var/run/postgresql` for a Unix socket;
///   `pool_max_conns=N` caps the connection pool (default: twice the cores).
///
/// With `migrate: false` the schema is left as it is (`minibot doctor` compares
/// ``Store/schemaVersion()`` with ``latestSchemaVersion(url:)``).
public func openStore(url: String, logger: Logger, migrate: Bool = true) async throws -> any Store {
    let store: any Store
    switch try DatabaseURL(url) {
    case .sqlite(let path):
        store = try SQLiteStore(path: path, logger: logger)
    case .postgres(let settings):
        store = try await PostgresStore(settings: settings, logger: logger)
    }
    guard migrate else { return store }
    do {
        try await store.migrate()
    } catch {
        await store.close()
        throw error
    }
    return store
}

/// The schema version this minibot migrates a database of that URL to.
public func latestSchemaVersion(url: String) throws -> Int {
    switch try DatabaseURL(url) {
    case .sqlite: SQLiteSchema.migrations.last?.version ?? 0
    case .postgres: PostgresSchema.migrations.last?.version ?? 0
    }
}
