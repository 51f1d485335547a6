import Foundation
import GRDB
import RechargeCore
import TestSupport
import Testing

@testable import RechargeStore

/// The indexes the engine's hot queries rely on, checked with SQLite's own query planner: an index a query
/// stops using is one every import still pays for.
@Suite struct QueryPlanTests {
    func plan(_ sql: String, _ arguments: StatementArguments) throws -> String {
        let database = try RechargeDatabase.inMemory()
        _ = try database.importBatch(ImportRequest(path: Samples.csv), reader: makeReader(), now: fixedNow)
        return try database.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments)
                .map { $0["detail"] as String }.joined(separator: "\n")
        }
    }

    @Test(arguments: [false, true])
    func dueLinesAreFoundThroughThePendingIndex(batch: Bool) throws {
        let sql = RechargeDatabase.dueLinesSQL(batch: batch, onePerCard: false)
        let plan = try self.plan(sql, batch ? ["uqpay", fixedNowText, 1, 10] : ["uqpay", fixedNowText, 10])
        #expect(plan.contains("USING INDEX line_pending"), "\(plan)")
        #expect(!plan.contains("SCAN line"), "\(plan)")
    }

    @Test func theOnePerCardRuleReadsOnlyTheLinesInFlight() throws {
        let sql = RechargeDatabase.dueLinesSQL(batch: false, onePerCard: true)
        let plan = try self.plan(sql, ["paycertify", fixedNowText, 40])
        #expect(plan.contains("USING INDEX line_pending"), "\(plan)")
        #expect(plan.contains("USING INDEX line_processing_by_card"), "\(plan)")
    }

    /// Indexes over every line's random card id, or over attempts by key alone, are what no query needs.
    @Test func theImportPaysForNoIndexOverRandomCardIDs() throws {
        let database = try RechargeDatabase.inMemory()
        let indexes = try database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        }
        #expect(!indexes.contains("line_by_account_card_state"))
        #expect(!indexes.contains("attempt_by_key"))
        #expect(indexes.contains("line_processing_by_card"))
    }
}
