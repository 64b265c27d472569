import CSQLite
import Foundation

/// A thin, synchronous handle on one SQLite connection. Not thread-safe:
/// its owner serialises access (``SQLiteStore``'s writer behind a mutex, a
/// reader taken from ``SQLiteReaderPool`` by one query at a time, an import
/// on a connection of its own), which is why it may be declared Sendable.
final class SQLiteConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var statements: [String: SQLiteStatement] = [:]
    let path: String

    /// With `readOnly`, the connection refuses writes (`PRAGMA query_only`)
    /// and leaves the journal mode to the writer, which set WAL first.
    init(path: String, readOnly: Bool = false) throws(StoreError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw .unavailable("cannot create the database folder \(directory): \(error.localizedDescription)")
            }
        }
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            handle = nil
            throw .unavailable("cannot open the SQLite database \(path): \(message)")
        }
        sqlite3_extended_result_codes(handle, 1)
        try execute(readOnly ? """
            PRAGMA busy_timeout = 10000;
            PRAGMA query_only = ON;
            """ : """
            PRAGMA busy_timeout = 10000;
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            PRAGMA foreign_keys = ON;
            """)
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        if status != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? errorMessage
            sqlite3_free(message)
            throw error(status, text)
        }
    }

    /// A prepared statement, cached by its SQL text; bind, step, then `reset()`.
    func prepare(_ sql: String) throws(StoreError) -> SQLiteStatement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status, errorMessage) }
        let prepared = SQLiteStatement(statement, connection: self)
        statements[sql] = prepared
        return prepared
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    var changes: Int { Int(sqlite3_changes(handle)) }

    var errorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    func error(_ status: Int32, _ message: String) -> StoreError {
        switch status & 0xFF {
        case SQLITE_FULL:
            .diskFull("the disk holding \(path) is full: \(message)")
        case SQLITE_BUSY, SQLITE_LOCKED:
            .busy("the database \(path) stayed locked by another process: \(message)")
        case SQLITE_CONSTRAINT:
            .constraint(message)
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            .unavailable("\(path) is not a usable SQLite database: \(message)")
        case SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_IOERR, SQLITE_PERM:
            .unavailable("cannot write the database \(path): \(message)")
        default:
            .query(message)
        }
    }
}

/// A prepared statement of a ``SQLiteConnection``. Binding indexes start at 1,
/// column indexes at 0, as in SQLite's C API.
final class SQLiteStatement: @unchecked Sendable {
    private let handle: OpaquePointer
    private unowned let connection: SQLiteConnection

    init(_ handle: OpaquePointer, connection: SQLiteConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func bind(_ values: [SQLiteValue]) {
        for (offset, value) in values.enumerated() {
            bind(value, at: Int32(offset + 1))
        }
    }

    func bind(_ value: SQLiteValue, at index: Int32) {
        switch value {
        case .null: sqlite3_bind_null(handle, index)
        case .integer(let number): sqlite3_bind_int64(handle, index, number)
        case .real(let number): sqlite3_bind_double(handle, index, number)
        case .text(let text): sqlite3_bind_text(handle, index, text, -1, SQLITE_TRANSIENT)
        }
    }

    /// Advances to the next row; false when there is none left.
    func step() throws(StoreError) -> Bool {
        let status = sqlite3_step(handle)
        switch status {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(status, connection.errorMessage)
        }
    }

    /// Binds `values`, runs the statement to completion and resets it.
    func run(_ values: [SQLiteValue] = []) throws(StoreError) {
        reset()
        bind(values)
        while try step() {}
        sqlite3_reset(handle)
    }

    /// Binds `values` and collects every row through `row`.
    func query<T>(_ values: [SQLiteValue] = [], _ row: (SQLiteStatement) -> T) throws(StoreError) -> [T] {
        reset()
        bind(values)
        var rows: [T] = []
        while try step() { rows.append(row(self)) }
        sqlite3_reset(handle)
        return rows
    }

    func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(handle, column) else { return "" }
        return String(cString: pointer)
    }

    func optionalText(_ column: Int32) -> String? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : text(column)
    }

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }

    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    func optionalDouble(_ column: Int32) -> Double? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : double(column)
    }

    func date(_ column: Int32) -> Date { Date(millisecondsSince1970: sqlite3_column_int64(handle, column)) }

    func optionalDate(_ column: Int32) -> Date? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : date(column)
    }
}

/// A value bound to a statement parameter.
enum SQLiteValue {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    static func date(_ date: Date?) -> SQLiteValue {
        date.map { .integer($0.millisecondsSince1970) } ?? .null
    }

    static func optional(_ text: String?) -> SQLiteValue { text.map { .text($0) } ?? .null }
    static func optional(_ number: Double?) -> SQLiteValue { number.map { .real($0) } ?? .null }
    static func bool(_ flag: Bool) -> SQLiteValue { .integer(flag ? 1 : 0) }
}

/// SQLite's "copy the bound text" destructor, which Swift cannot import as a macro.
private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension Date {
    /// Milliseconds since 1970, how SQLite stores time here.
    var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    init(millisecondsSince1970 value: Int64) {
        self.init(timeIntervalSince1970: Double(value) / 1000)
    }
}
