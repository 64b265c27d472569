import Synchronization

/// Read-only connections for ``SQLiteStore``'s queries. In WAL mode readers
/// run beside the one writer and beside each other, each on the last
/// committed state, so a long read (the call summary over a million calls)
/// holds up neither a page of calls nor a write. Each query takes an idle
/// connection, or opens one when all are busy; at most `kept` stay open
/// between queries (with their prepared statements).
final class SQLiteReaderPool: Sendable {
    private let path: String
    private let kept: Int
    private let idle = Mutex<[SQLiteConnection]>([])

    init(path: String, kept: Int) {
        self.path = path
        self.kept = kept
    }

    func read<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        let db = try idle.withLock { $0.popLast() } ?? SQLiteConnection(path: path, readOnly: true)
        defer { idle.withLock { if $0.count < kept { $0.append(db) } } }
        return try body(db)
    }
}
