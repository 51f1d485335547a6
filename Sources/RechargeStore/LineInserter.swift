import Foundation
import GRDB
import GRDBSQLite
import RechargeCore

/// Inserts an import's lines through prepared statements bound with SQLite's C API: the bulk path of an import.
///
/// Lines go in `rowsPerStatement` at a time through one multi-row `INSERT`, so SQLite opens and closes the table's
/// and its indexes' cursors once per group rather than once per line; the lines left over at the end of a chunk
/// go in one by one. A group a constraint refuses is rolled back by SQLite as a whole (the statement, not the import's
/// transaction) and its lines are inserted again one by one, so the error names the line that caused it.
///
/// Text fields are copied into one buffer that lives as long as the inserter and bound with `SQLITE_STATIC`, so
/// SQLite neither allocates nor copies per field; the buffer is only rewritten after `sqlite3_step` has finished
/// with the previous statement (and `sqlite3_reset` has let go of its pointers).
final class LineInserter {
    static let rowsPerStatement = 32
    private static let columnsPerRow: Int32 = 13

    private let single: Statement
    private let group: Statement
    private let batchID: Int64
    private let updatedAt: String
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int

    init(db: Database, batchID: Int64, updatedAt: String) throws {
        self.single = try db.makeStatement(sql: Self.insertSQL(rows: 1))
        self.group = try db.makeStatement(sql: Self.insertSQL(rows: Self.rowsPerStatement))
        self.batchID = batchID
        self.updatedAt = updatedAt
        self.capacity = 16_384
        self.buffer = .allocate(capacity: self.capacity)
    }

    deinit {
        // The statements outlive this body; they must not keep pointers into the freed buffer.
        sqlite3_clear_bindings(self.single.sqliteStatement)
        sqlite3_clear_bindings(self.group.sqliteStatement)
        self.buffer.deallocate()
    }

    private static func insertSQL(rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: Int(Self.columnsPerRow)).joined(separator: ", ") + ")"
        return """
            INSERT INTO line (batch_id, line_number, reference, account, card_id, amount_minor, currency, remark,
                pay_coin, pay_account_num, on_behalf_of, updated_at, item_number)
            VALUES \(Array(repeating: row, count: rows).joined(separator: ", "))
            """
    }

    /// Inserts `lines` in file order; throws the first line's error, naming its line number.
    func insert(_ lines: [BatchLine]) throws {
        var start = lines.startIndex
        while lines.endIndex - start >= Self.rowsPerStatement {
            let end = start + Self.rowsPerStatement
            do {
                try self.step(self.group, lines[start..<end])
            } catch let error as DatabaseError {
                // A constraint refused a line: SQLite undid that one statement and the import's transaction goes on, so
                // the lines are inserted one by one to find and name the line at fault. Any other error (a full disk, an
                // I/O error) may have ended the transaction itself, and is reported as it is.
                let handle = sqlite3_db_handle(self.group.sqliteStatement)
                guard error.resultCode == .SQLITE_CONSTRAINT, sqlite3_get_autocommit(handle) == 0 else { throw error }
                for index in start..<end { try self.step(self.single, lines[index...index]) }
                throw error
            }
            start = end
        }
        for index in start..<lines.endIndex { try self.step(self.single, lines[index...index]) }
    }

    private func step(_ statement: Statement, _ rows: ArraySlice<BatchLine>) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        self.reserve(rows)
        var offset = 0
        var first: Int32 = 0
        for line in rows {
            self.bind(handle, first + 3, line.reference, at: &offset)
            self.bind(handle, first + 4, line.account, at: &offset)
            self.bind(handle, first + 5, line.cardID, at: &offset)
            self.bind(handle, first + 7, line.amount.currency.code, at: &offset)
            self.bind(handle, first + 8, line.remark, at: &offset)
            self.bind(handle, first + 9, line.payCoin, at: &offset)
            self.bind(handle, first + 10, line.payAccountNumber, at: &offset)
            self.bind(handle, first + 11, line.onBehalfOf, at: &offset)
            self.bind(handle, first + 12, self.updatedAt, at: &offset)
            sqlite3_bind_int64(handle, first + 1, self.batchID)
            sqlite3_bind_int64(handle, first + 2, Int64(line.lineNumber))
            sqlite3_bind_int64(handle, first + 6, line.amount.minorUnits)
            if let position = line.position {
                sqlite3_bind_int64(handle, first + 13, Int64(position))
            } else {
                sqlite3_bind_null(handle, first + 13)
            }
            first += Self.columnsPerRow
        }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(handle)))
            sqlite3_reset(handle)
            let lines = rows.count == 1 ? "line \(rows.first!.lineNumber)" : "lines \(rows.first!.lineNumber)–\(rows.last!.lineNumber)"
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "\(lines): \(message)")
        }
    }

    /// Makes the buffer large enough for every text field of `rows`.
    private func reserve(_ rows: ArraySlice<BatchLine>) {
        var needed = 0
        for line in rows {
            needed +=
                line.reference.utf8.count + line.account.utf8.count + line.cardID.utf8.count
                + line.amount.currency.code.utf8.count + self.updatedAt.utf8.count
                + (line.remark?.utf8.count ?? 0) + (line.payCoin?.utf8.count ?? 0)
                + (line.payAccountNumber?.utf8.count ?? 0) + (line.onBehalfOf?.utf8.count ?? 0)
        }
        guard needed > self.capacity else { return }
        self.buffer.deallocate()
        self.capacity = max(needed, self.capacity * 2)
        self.buffer = .allocate(capacity: self.capacity)
    }

    /// Copies `text`'s UTF-8 bytes into the buffer at `offset` and binds them to parameter `index` (NULL for nil).
    private func bind(_ handle: OpaquePointer, _ index: Int32, _ text: String?, at offset: inout Int) {
        guard var text else {
            sqlite3_bind_null(handle, index)
            return
        }
        // An empty text still gets a real pointer (into the buffer): SQLite reads a null pointer as NULL.
        let start = self.buffer + offset
        let count = text.withUTF8 { bytes in
            if let base = bytes.baseAddress { start.update(from: base, count: bytes.count) }
            return bytes.count
        }
        offset += count
        start.withMemoryRebound(to: CChar.self, capacity: max(count, 1)) {
            // nil is SQLITE_STATIC: the bytes stay put until the next statement's reset.
            _ = sqlite3_bind_text(handle, index, $0, Int32(count), nil)
        }
    }
}
