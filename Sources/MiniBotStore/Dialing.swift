import Crypto
import Foundation
import MiniBotCore

/// Which contacts ``Store/enqueue(campaignID:selection:at:)`` queues, and how.
public struct ContactSelection: Sendable, Equatable {
    /// Contacts with one of these statuses; empty: any status.
    public var statuses: [ContactStatus]
    /// Only these phones (E.164), when given.
    public var phones: [String]?
    /// At most this many contacts, oldest first.
    public var limit: Int?
    /// Priority of the queued rows: higher is dialled first.
    public var priority: Int
    public var maxAttempts: Int

    public init(statuses: [ContactStatus] = [.new], phones: [String]? = nil, limit: Int? = nil,
                priority: Int = 0, maxAttempts: Int = 3) {
        self.statuses = statuses
        self.phones = phones
        self.limit = limit
        self.priority = priority
        self.maxAttempts = maxAttempts
    }
}

/// What ``Store/completeCall(_:worker:at:)`` writes at the end of a call.
public struct CallCompletion: Sendable, Equatable {
    /// The call as it ended (status, outcome, end reason, paths…); it must
    /// carry its campaign id.
    public var call: Call
    /// The contact's new status, if the call changed it.
    public var contactStatus: ContactStatus?
    /// The callee asked not to be called again: sets the contact's flag and
    /// status `Opt_out`, adds the number to the opt-out list, never retries.
    public var optOut: Bool
    /// Dial again at this time (no answer, busy, callback) while attempts remain.
    public var retryAt: Date?
    /// Added to the campaign's counters.
    public var counters: CampaignCounters

    public init(call: Call, contactStatus: ContactStatus? = nil, optOut: Bool = false, retryAt: Date? = nil,
                counters: CampaignCounters = .init()) {
        self.call = call
        self.contactStatus = contactStatus
        self.optOut = optOut
        self.retryAt = retryAt
        self.counters = counters
    }
}

/// What ``Store/recoverExpiredLeases(now:)`` did.
public struct LeaseRecovery: Sendable, Equatable {
    /// Claimed rows given back to the queue.
    public var returned: Int
    /// Rows that were being called, now interrupted.
    public var interrupted: Int

    public init(returned: Int = 0, interrupted: Int = 0) {
        self.returned = returned
        self.interrupted = interrupted
    }
}

/// A number's calls, for the compliance rules.
public struct DialHistory: Sendable, Equatable {
    /// Start times of its calls since the date asked for, any campaign, oldest first.
    public var attempts: [Date]
    /// Start of its latest call whose outcome was `Not_interested`, any time.
    public var lastRefusalAt: Date?

    public init(attempts: [Date] = [], lastRefusalAt: Date? = nil) {
        self.attempts = attempts
        self.lastRefusalAt = lastRefusalAt
    }
}

/// A number that must not be called: an E.164 number, or the lowercase hex
/// SHA-256 of the E.164 string (`+33612345678`) as Bloctel-style lists ship them.
public struct OptOutEntry: Codable, Sendable, Equatable {
    public var key: String
    public var hashed: Bool
    /// Where it came from: `bloctel`, `call`, `manual`, a file name.
    public var source: String
    public var addedAt: Date

    public init(key: String, hashed: Bool, source: String, addedAt: Date) {
        self.key = hashed ? key.lowercased() : key
        self.hashed = hashed
        self.source = source
        self.addedAt = addedAt
    }

    /// A plain entry for an E.164 number.
    public static func number(_ e164: String, source: String, at date: Date) -> OptOutEntry {
        OptOutEntry(key: e164, hashed: false, source: source, addedAt: date)
    }

    /// The lowercase hex SHA-256 of the E.164 string's UTF-8 bytes.
    public static func sha256(of e164: String) -> String {
        lowercaseHex(SHA256.hash(data: Data(e164.utf8)))
    }

    /// True for 64 hex digits.
    public static func isHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
    }

    /// Why the entry cannot be stored, or nil.
    var invalidReason: String? {
        if hashed {
            return Self.isHash(key) ? nil : "'\(key)' is not a SHA-256 (64 hex digits)"
        }
        let digits = key.utf8.dropFirst()
        let isE164 = key.hasPrefix("+") && (7...15).contains(digits.count) && digits.allSatisfy { $0 >= 48 && $0 <= 57 }
        return isE164 ? nil : "'\(key)' is not an E.164 number (+ and 7 to 15 digits)"
    }

    enum CodingKeys: String, CodingKey {
        case key, hashed, source, addedAt = "added_at"
    }
}

extension Array where Element == OptOutEntry {
    /// Throws for the first entry that is not storable.
    func validated() throws -> [OptOutEntry] {
        for entry in self {
            if let reason = entry.invalidReason { throw StoreError.constraint("opt-out entry \(reason)") }
        }
        return self
    }
}

/// The reason codes the store itself writes to `skip_reason`.
enum QueueReason {
    static let workerLost = "worker_lost: the worker's lease expired during the call, which may have been placed; not dialled again in this campaign"
    static let workerLostCall = "worker lost"
}

/// Campaign settings as the JSON text both backends store.
enum SettingsColumn {
    static func encode(_ settings: CampaignSettings) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(settings), as: UTF8.self)
    }

    static func decode(_ text: String, campaign: String) throws -> CampaignSettings {
        do {
            return try JSONDecoder().decode(CampaignSettings.self, from: Data(text.utf8))
        } catch {
            throw StoreError.query("the settings of campaign \(campaign) are not valid JSON settings (\(error)); fix the campaigns.settings column")
        }
    }
}

extension Array where Element == QueueEntry {
    /// The order claims are served in: highest priority, then oldest due, then phone.
    func inClaimOrder() -> [QueueEntry] {
        sorted { a, b in
            if a.priority != b.priority { return a.priority > b.priority }
            if a.nextAttemptAt != b.nextAttemptAt { return a.nextAttemptAt < b.nextAttemptAt }
            return a.phone < b.phone
        }
    }
}

extension CallCompletion {
    /// An opt-out answer, whichever way the dialer said it.
    var optsOut: Bool { optOut || contactStatus == .optOut }
    /// What the queue row records as the call's outcome.
    var queueOutcome: String { call.outcome?.rawValue ?? call.status.rawValue }
}

extension Call {
    func requiredCampaignID() throws -> String {
        guard let campaignID else {
            throw StoreError.query("the call \(callID) has no campaign id: queue operations need the campaign it belongs to")
        }
        return campaignID
    }
}
