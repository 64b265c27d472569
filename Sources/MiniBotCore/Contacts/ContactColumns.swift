/// The columns of a contacts CSV file: what `minibot import` reads and
/// `minibot export` writes, in that order, so an export re-imports as is.
public enum ContactColumn: String, Sendable, CaseIterable {
    case phone, firstName = "first_name", lastName = "last_name", email, company, notes
    /// Written by `export`; read back by `import` (see ``ContactHeader``).
    case status
    case attempts, lastAttemptAt = "last_attempt_at", lastCallStatus = "last_call_status"
    case lastCallIntent = "last_call_intent", lastTranscript = "last_transcript"
    /// Prior consent: a date, or yes/no (yes records the import's time); and where it came from.
    case consentAt = "consent_at", consentSource = "consent_source"

    /// The columns a user fills in.
    public static let importColumns: [ContactColumn] = [.phone, .firstName, .lastName, .email, .company, .notes]
    /// What `export` writes: the import columns, then what the calls found.
    public static let exportColumns: [ContactColumn] = importColumns + [
        .status, .attempts, .lastAttemptAt, .lastCallStatus, .lastCallIntent, .lastTranscript,
        .consentAt, .consentSource,
    ]

    /// Other spellings found in real files, French ones included.
    static let aliases: [String: ContactColumn] = [
        "telephone": .phone, "téléphone": .phone, "tel": .phone, "tél": .phone, "mobile": .phone,
        "portable": .phone, "numero": .phone, "numéro": .phone, "phone_number": .phone, "number": .phone,
        "firstname": .firstName, "first name": .firstName, "prenom": .firstName, "prénom": .firstName,
        "lastname": .lastName, "last name": .lastName, "nom": .lastName, "surname": .lastName,
        "mail": .email, "e-mail": .email, "e_mail": .email, "courriel": .email,
        "societe": .company, "société": .company, "entreprise": .company,
        "note": .notes, "commentaire": .notes, "commentaires": .notes, "comments": .notes,
        "statut": .status,
        "consent": .consentAt, "consent_date": .consentAt, "consentement": .consentAt,
        "date_consentement": .consentAt, "source_consentement": .consentSource,
    ]

    /// Recognises a header cell: case, surrounding spaces and known aliases do not matter.
    public init?(header: String) {
        let key = header.trimmed.lowercased()
        if let column = ContactColumn(rawValue: key) ?? Self.aliases[key] {
            self = column
        } else {
            return nil
        }
    }
}
