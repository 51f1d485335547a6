import GRDB
import GRDBSQLite

/// A prepared statement run through SQLite's C API: values bound by type, one step to the end, reset.
///
/// The engine's per-line writes (a claim, an outcome, an event) run a few statements per line of a batch. Through
/// `Statement.execute(arguments:)` each value is boxed as an existential, wrapped in a `DatabaseValue` and looked up
/// in generic metadata before SQLite sees it; here it is bound as it is. Text is copied by SQLite
/// (`SQLITE_TRANSIENT`), so nothing points into Swift memory after a call. The statement comes from the connection's
/// statement cache, fetched once per transaction.
struct DirectStatement {
    private let statement: Statement
    private let handle: OpaquePointer

    init(_ statement: Statement) {
        self.statement = statement
        self.handle = statement.sqliteStatement
    }

    /// Binds `values` to the statement's parameters in order, runs it and resets it.
    /// - Throws: `DatabaseError` with SQLite's message when the statement fails (a constraint, a trigger's refusal).
    func run(_ values: SQLBinding...) throws {
        sqlite3_reset(self.handle)
        sqlite3_clear_bindings(self.handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .null: sqlite3_bind_null(self.handle, index)
            case .integer(let number): sqlite3_bind_int64(self.handle, index, number)
            case .text(var text):
                text.withUTF8 { bytes in
                    // An empty text needs a real pointer: SQLite reads a null pointer as NULL.
                    if let base = bytes.baseAddress {
                        base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                            _ = sqlite3_bind_text(self.handle, index, $0, Int32(bytes.count), sqliteTransient)
                        }
                    } else {
                        _ = sqlite3_bind_text(self.handle, index, "", 0, sqliteTransient)
                    }
                }
            }
        }
        var code = sqlite3_step(self.handle)
        while code == SQLITE_ROW { code = sqlite3_step(self.handle) }
        guard code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(self.handle)))
            sqlite3_reset(self.handle)
            // `Statement.sql` trims its text on each read: only here, on the way out.
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: self.statement.sql)
        }
        sqlite3_reset(self.handle)
    }
}

/// One value bound to a statement parameter.
enum SQLBinding {
    case null
    case integer(Int64)
    case text(String)

    static func text(_ text: String?) -> SQLBinding { text.map(SQLBinding.text) ?? .null }
    static func integer(_ number: Int) -> SQLBinding { .integer(Int64(number)) }
    static func integer(_ number: Int64?) -> SQLBinding { number.map(SQLBinding.integer) ?? .null }
    static func bool(_ value: Bool) -> SQLBinding { .integer(value ? 1 : 0) }
}

/// `SQLITE_TRANSIENT`: SQLite copies the bound bytes before the call returns.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
