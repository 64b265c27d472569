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
