import Foundation
import TestSupport
import Testing

/// `recharge cancel`, `retry --failed` and `resolve`, run as the built executable.
@Suite(.ownThread)
struct OperatorCommandTests {
    func withImportedSample(_ body: (_ db: String) throws -> Void) throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            let imported = try Recharge.run(["import", "--db", db, Recharge.sample("monthly-2026-11.csv")])
            try #require(imported.status == 0, "\(imported)")
            try body(db)
        }
    }

    @Test func cancelCancelsThePendingLines() throws {
        try self.withImportedSample { db in
            let result = try Recharge.run(["cancel", "--db", db, "1", "--note", "withdrawn by finance"])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.contains("50 lines cancelled"), "\(result)")
            let status = try Recharge.run(["status", "--db", db, "--json"]).json()
            #expect((status["states"] as? [String: Int])?["CANCELLED"] == 50)
        }
    }

    @Test func retryNeedsToBeToldWhatToRetry() throws {
        try self.withImportedSample { db in
            #expect(try Recharge.run(["retry", "--db", db, "1"]).status == 64)
            let result = try Recharge.run(["retry", "--db", db, "1", "--failed"])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.contains("0 failed lines back to PENDING"), "\(result)")
        }
    }

    @Test func resolveRefusesALineThatIsNotUnknown() throws {
        try self.withImportedSample { db in
            let result = try Recharge.run(["resolve", "--db", db, "1:2", "--as", "success", "--note", "portal says applied"])
            #expect(result.status == 65, "\(result)")
            #expect(result.stderr.contains("only UNKNOWN lines"), "\(result)")
            #expect(try Recharge.run(["resolve", "--db", db, "1-2", "--as", "success", "--note", "x"]).status == 64)
        }
    }

    @Test func anUnknownBatchIsADataError() throws {
        try self.withImportedSample { db in
            let result = try Recharge.run(["cancel", "--db", db, "no-such-batch"])
            #expect(result.status == 65, "\(result)")
            #expect(result.stderr.contains("no batch 'no-such-batch'"), "\(result)")
        }
    }
}
