import Foundation
import GRDB
import RechargeCore
import TestSupport
import Testing

@testable import RechargeStore

/// The import's bulk insert: lines go in groups of ``LineInserter/rowsPerStatement`` per statement and the rest one by
/// one; neither may lose, reorder or alter a line, and a line the database refuses is named exactly.
@Suite struct LineInserterTests {
    static let usd = Currency(code: "USD")!

    /// `count` distinct lines, line numbers from 2 (after a header); every text field differs from line to line.
    static func lines(_ count: Int) -> [BatchLine] {
        (1...count).map { index in
            BatchLine(
                lineNumber: index + 1, account: index % 2 == 0 ? "vcc" : "uqpay", cardID: "\(100_000_000 + index)",
                amount: Money(minorUnits: Int64(100 + index), currency: Self.usd), reference: "REF-\(index)",
                remark: index % 3 == 0 ? nil : "remark \(index), with a comma", payCoin: index % 5 == 0 ? "usdt" : nil,
                payAccountNumber: index % 7 == 0 ? "PA-\(index)" : nil, onBehalfOf: index % 11 == 0 ? "sub-\(index)" : nil,
                position: index)
        }
    }

    /// Runs `body` with an inserter for a fresh batch row in an open transaction, then returns the stored lines.
    private func withInserter(_ body: (LineInserter) throws -> Void) throws -> [LineRecord] {
        let database = try RechargeDatabase.inMemory()
        let batchID: Int64 = try database.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO batch (uid, name, source_file, source_sha256, source_format, source_bytes, line_count,
                        imported_at, approval_state)
                    VALUES (?, 'b', 'b.csv', ?, 'csv', 0, 0, ?, 'NOT_REQUIRED')
                    """,
                arguments: [UUID().uuidString.lowercased(), String(repeating: "0", count: 64), fixedNowText])
            let batchID = db.lastInsertedRowID
            try body(LineInserter(db: db, batchID: batchID, updatedAt: fixedNowText))
            return batchID
        }
        return try database.lines(batchID: batchID)
    }

    @Test(arguments: [1, LineInserter.rowsPerStatement - 1, LineInserter.rowsPerStatement, 3 * LineInserter.rowsPerStatement + 7])
    func everyLineOfTheGroupsAndOfTheRemainderIsStoredExactly(count: Int) throws {
        let expected = Self.lines(count)
        // Two calls, as an import hands over chunk after chunk: the first ends in a remainder, the second starts afresh.
        let split = count / 2 + 1
        let stored = try self.withInserter { inserter in
            try inserter.insert(Array(expected[..<min(split, count)]))
            try inserter.insert(Array(expected[min(split, count)...]))
        }
        try #require(stored.count == count)
        for (line, record) in zip(expected, stored) {
            expectStored(record, asRead: line)
            #expect(record.updatedAt == fixedNowText)
            #expect(record.state == .pending)
        }
    }

    /// A line the database refuses in the middle of a group (a reference used twice, which the validator would have
    /// caught first) is named by its own line number, not the group's range.
    @Test func aLineRefusedInsideAGroupIsNamedByItsLineNumber() throws {
        var lines = Self.lines(2 * LineInserter.rowsPerStatement)
        let faulty = LineInserter.rowsPerStatement + 5
        lines[faulty].reference = lines[faulty - 3].reference
        let error = #expect(throws: DatabaseError.self) {
            _ = try self.withInserter { inserter in try inserter.insert(lines) }
        }
        let message = try #require(error?.message)
        #expect(message.hasPrefix("line \(lines[faulty].lineNumber): "), "\(message)")
        #expect(message.contains("UNIQUE constraint failed"), "\(message)")
    }

    /// The whole import path across a chunk boundary (4,096 lines per chunk) with a remainder: every line stored in
    /// file order.
    @Test func anImportOfSeveralChunksStoresEveryLineInFileOrder() throws {
        try withTemporaryDirectory { directory in
            let count = 4_096 + 3 * LineInserter.rowsPerStatement + 5
            var text = "provider,card_id,amount,currency,reference,remark\n"
            for index in 1...count { text += "vcc,\(200_000_000 + index),1.\(10 + index % 90),USD,R-\(index),note \(index)\n" }
            let path = try writeFile(text, named: "chunks.csv", in: directory)
            let database = try RechargeDatabase.inMemory()
            let batch = try database.importValid(path)
            let stored = try database.lines(batchID: batch.id)
            try #require(stored.count == count)
            for (index, record) in stored.enumerated() {
                #expect(record.lineNumber == index + 2)
                #expect(record.reference == "R-\(index + 1)")
                #expect(record.cardID == "\(200_000_001 + index)")
                #expect(record.amountMinor == Int64(110 + (index + 1) % 90))
                #expect(record.remark == "note \(index + 1)")
            }
        }
    }
}
