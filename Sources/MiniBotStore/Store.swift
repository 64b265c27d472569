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
    public var limit: Int
    public var offset: Int

    public init(filter: ContactFilter = .init(), search: String? = nil, limit: Int = 50, offset: Int = 0) {
        self.filter = filter
        self.search = search
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
///   or `postgres://user@/database?host=/var/run/postgresql` for a Unix socket.
public func openStore(url: String, logger: Logger) async throws -> any Store {
    let store: any Store
    switch try DatabaseURL(url) {
    case .sqlite(let path):
        store = try SQLiteStore(path: path, logger: logger)
    case .postgres(let settings):
        store = try await PostgresStore(settings: settings, logger: logger)
    }
    do {
        try await store.migrate()
    } catch {
        await store.close()
        throw error
    }
    return store
}
