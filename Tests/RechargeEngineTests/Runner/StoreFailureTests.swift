import Foundation
import GRDB
import RechargeCore
import Synchronization
import Testing

@testable import RechargeEngine
@testable import RechargeStore

/// When the database cannot record, nothing is sent: a request leaves only for a line whose claim committed.
@Suite struct StoreFailureTests {
    @Test func aFullDatabaseStopsTheRunAndNoRequestLeavesWithoutItsRecord() async throws {
        let fixture = try RunnerFixture(cards: (0..<300).map { "card-\($0)" })
        defer { fixture.remove() }
        // SQLite's own size limit stands in for a full disk: the database may not grow by a single page.
        try await fixture.database.writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count")!
            try db.execute(sql: "PRAGMA max_page_count = \(pages)")
        }
        let provider = ScriptedProvider(database: fixture.database)
        let result = try await fixture.runner(provider).run(batchID: 1)

        #expect(result.ending == .storeFailed)
        #expect(result.storeError?.message.lowercased().contains("full") == true, "\(String(describing: result.storeError))")
        let recorded = provider.state.withLock { $0.recordedAtSend }
        #expect(recorded.allSatisfy { $0.state == "PROCESSING" && $0.key != nil }, "a request left without its claim on disk")
        // Whatever was sent is on disk as sent (PROCESSING or settled); nothing sent is recorded as never sent.
        let lines = try fixture.database.lines(batchID: 1)
        #expect(lines.filter { $0.state != .pending }.count >= provider.calls.filter { $0.kind == "recharge" }.count)
        #expect(lines.count == 300, "nothing already recorded is lost")
    }
}
