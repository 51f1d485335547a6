import Foundation
import GRDB
import RechargeCore
import TestSupport
import Testing

@testable import RechargeStore

/// The engine reads lines by column position: the selection must name every column of `line`, and reading by
/// position must give what reading by name gives.
@Suite struct LineColumnsTests {
    @Test func theSelectionNamesEveryColumnOfTheRecordOnce() throws {
        let database = try RechargeDatabase.inMemory()
        let columns = try database.writer.read { db in try db.columns(in: "line").map(\.name) }
        let selected = LineRecord.selection.split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "line.", with: "")
        }
        #expect(selected.count == LineRecord.selectionCount)
        // Every column the record has; `next_attempt_at` is the scheduler's and stays in SQL.
        #expect(Set(columns).subtracting(selected) == ["next_attempt_at"])
        #expect(Set(selected).isSubset(of: Set(columns)))
        #expect(Set(selected).count == selected.count)
    }

    @Test func readingByPositionGivesWhatReadingByNameGives() throws {
        let database = try RechargeDatabase.inMemory()
        let outcome = try database.importBatch(ImportRequest(path: Samples.csv), reader: makeReader(), now: fixedNow)
        let batch = try #require(outcome.imported?.batch)
        // Settle one line with a receipt, so the optional columns are not all NULL.
        let due = try database.dueLines(account: "hypercard", limit: 1, onePerCard: false, now: fixedNow)
        let claimed = try database.claim(due.map { ($0.id, "balance=1.00") }, now: fixedNow)
        let line = try #require(claimed.first?.line)
        try database.recordOutcome(
            lineID: line.id, attemptNumber: 1, event: .applied, outcome: "applied", providerReference: "ref-1",
            receipt: ProviderReceipt(
                providerReference: "ref-1", credited: Money(minorUnits: 990, currency: try #require(Currency(code: "USD")))), now: fixedNow)
        let (byName, byPosition) = try database.writer.read { db in
            (
                try LineRecord.fetchAll(db, sql: "SELECT * FROM line WHERE batch_id = ? ORDER BY id", arguments: [batch.id]),
                try Row.fetchAll(db, sql: "SELECT \(LineRecord.selection) FROM line WHERE batch_id = ? ORDER BY id", arguments: [batch.id])
                    .map { try LineRecord(columns: $0) }
            )
        }
        #expect(byName.count == 50)
        #expect(byPosition == byName)
        #expect(byPosition.contains { $0.creditedMinor == 990 && $0.providerReference == "ref-1" && $0.completedAt != nil })
    }
}
