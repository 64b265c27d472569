/// What went wrong talking to the database, in words that say what to do.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The database cannot be opened or reached.
    case unavailable(String)
    /// The database URL is not one we understand.
    case invalidURL(String)
    case diskFull(String)
    case busy(String)
    case constraint(String)
    case query(String)
    /// The database was migrated by a newer minibot.
    case schemaTooNew(found: Int, known: Int)
    case notFound(String)

    public var description: String {
        switch self {
        case .unavailable(let text), .diskFull(let text), .busy(let text):
            text
        case .invalidURL(let text):
            "\(text); expected sqlite:///path/to/file.sqlite or postgres://user:password@host:5432/database"
        case .constraint(let text):
            "the database refused the change: \(text)"
        case .query(let text):
            "database error: \(text)"
        case .schemaTooNew(let found, let known):
            "the database is at schema version \(found) but this minibot knows versions up to \(known): upgrade minibot before using this database"
        case .notFound(let text):
            text
        }
    }
}
