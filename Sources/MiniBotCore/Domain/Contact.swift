import Foundation

/// Where a contact stands in the calling process. The raw values are the
/// seed's (`New`, `No_answer`, `Leads`, …) so its exports and scripts keep working.
public enum ContactStatus: String, Codable, Sendable, CaseIterable {
    case new = "New"
    case queued = "Queued"
    case noAnswer = "No_answer"
    case leads = "Leads"
    case notInterested = "Not_interested"
    case callback = "Callback"
    case optOut = "Opt_out"
    case invalid = "Invalid"
    case failed = "Failed"

    /// Parses a status written by a person or another tool: case, spaces and
    /// dashes do not matter (`no answer`, `NO-ANSWER`, `No_answer`), and the
    /// singular `lead` is accepted for `Leads`.
    public init?(lenient text: String) {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased()
            .replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
        if key == "lead" { self = .leads; return }
        guard let match = ContactStatus.allCases.first(where: { $0.rawValue.lowercased() == key }) else { return nil }
        self = match
    }
}

/// A person to call. The phone number, in E.164, is the key.
public struct Contact: Codable, Sendable, Equatable {
    public var phone: String
    public var firstName: String
    public var lastName: String
    public var email: String
    public var company: String
    public var notes: String
    public var status: ContactStatus
    public var attempts: Int
    public var lastAttemptAt: Date?
    /// Set once the person asked not to be called again; never cleared by an import.
    public var optOut: Bool
    /// When the person gave prior consent to be called (required for French
    /// consumers since 11 August 2026); nil when none is recorded.
    public var consentAt: Date?
    /// Where that consent came from (a form, a contract, a file), free text.
    public var consentSource: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        phone: String, firstName: String = "", lastName: String = "", email: String = "",
        company: String = "", notes: String = "", status: ContactStatus = .new, attempts: Int = 0,
        lastAttemptAt: Date? = nil, optOut: Bool = false, consentAt: Date? = nil, consentSource: String = "",
        createdAt: Date, updatedAt: Date
    ) {
        self.phone = phone
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.company = company
        self.notes = notes
        self.status = status
        self.attempts = attempts
        self.lastAttemptAt = lastAttemptAt
        self.optOut = optOut
        self.consentAt = consentAt
        self.consentSource = consentSource
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case phone, email, company, notes, status, attempts
        case firstName = "first_name", lastName = "last_name"
        case lastAttemptAt = "last_attempt_at", optOut = "opt_out"
        case consentAt = "consent_at", consentSource = "consent_source"
        case createdAt = "created_at", updatedAt = "updated_at"
    }
}

extension Contact {
    /// Contacts written before consent was kept decode with none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            phone: try c.decode(String.self, forKey: .phone), firstName: try c.decode(String.self, forKey: .firstName),
            lastName: try c.decode(String.self, forKey: .lastName), email: try c.decode(String.self, forKey: .email),
            company: try c.decode(String.self, forKey: .company), notes: try c.decode(String.self, forKey: .notes),
            status: try c.decode(ContactStatus.self, forKey: .status), attempts: try c.decode(Int.self, forKey: .attempts),
            lastAttemptAt: try c.decodeIfPresent(Date.self, forKey: .lastAttemptAt), optOut: try c.decode(Bool.self, forKey: .optOut),
            consentAt: try c.decodeIfPresent(Date.self, forKey: .consentAt),
            consentSource: try c.decodeIfPresent(String.self, forKey: .consentSource) ?? "",
            createdAt: try c.decode(Date.self, forKey: .createdAt), updatedAt: try c.decode(Date.self, forKey: .updatedAt))
    }
}
