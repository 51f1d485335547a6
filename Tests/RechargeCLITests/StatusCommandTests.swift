import Foundation
import Testing

/// `recharge status`: counts per state and exact sums per currency, as text or JSON.
@Suite
struct StatusCommandTests {
    static let sampleSums = ["BRL": "1105.90", "EUR": "385.50", "JPY": "10000", "MXN": "2450.50", "SGD": "415.80", "USD": "4911.20"]

    func withImportedSample(_ body: (_ db: String) throws -> Void) throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            let imported = try Recharge.run(["import", "--db", db, Recharge.sample("monthly-2026-11.csv")])
            try #require(imported.status == 0, "\(imported)")
            try body(db)
        }
    }

    @Test func jsonHasCountsPerStateAndExactSumsPerCurrency() throws {
        try self.withImportedSample { db in
            let result = try Recharge.run(["status", "--db", db, "--json"])
            #expect(result.status == 0, "\(result)")
            let report = try result.json()
            #expect(report["lines"] as? Int == 50)
            let states = try #require(report["states"] as? [String: Int])
            #expect(states == ["PENDING": 50, "PROCESSING": 0, "SUCCESS": 0, "FAILED": 0, "CANCELLED": 0, "UNKNOWN": 0])
            // Decimal strings, never JSON numbers: "4911.20" keeps its exact cents.
            let sums = try #require(report["sums"] as? [String: String], "sums must be strings: \(result.stdout)")
            #expect(sums == Self.sampleSums)
            #expect(result.stdout.contains(#""USD" : "4911.20""#), "\(result)")

            let pending = try #require((report["byState"] as? [String: Any])?["PENDING"] as? [String: Any])
            #expect(pending["lines"] as? Int == 50)
            #expect(pending["sums"] as? [String: String] == Self.sampleSums)

            let groups = try #require(report["groups"] as? [[String: Any]])
            let paycertify = try #require(groups.first { $0["provider"] as? String == "paycertify" })
            #expect(paycertify["currency"] as? String == "USD")
            #expect(paycertify["state"] as? String == "PENDING")
            #expect(paycertify["lines"] as? Int == 9)
            #expect(paycertify["amount"] as? String == "1222.48")
            #expect(groups.reduce(0) { $0 + ($1["lines"] as? Int ?? 0) } == 50)
        }
    }

    @Test(arguments: ["1", "monthly-2026-11.csv"])
    func oneBatchByIDOrName(batch: String) throws {
        try self.withImportedSample { db in
            let result = try Recharge.run(["status", "--db", db, "--json", batch])
            #expect(result.status == 0, "\(result)")
            let report = try result.json()
            let record = try #require(report["batch"] as? [String: Any])
            #expect(record["id"] as? Int == 1)
            #expect(record["lines"] as? Int == 50)
            #expect(report["sums"] as? [String: String] == Self.sampleSums)
        }
    }

    @Test func textShowsTheTableAndTotals() throws {
        try self.withImportedSample { db in
            let result = try Recharge.run(["status", "--db", db])
            #expect(result.status == 0, "\(result)")
            let lines = result.stdoutLines
            #expect(lines.contains { $0.hasPrefix("provider") && $0.contains("amount") }, "\(result)")
            #expect(lines.contains("lines: 50 (PENDING 50, PROCESSING 0, SUCCESS 0, FAILED 0, CANCELLED 0, UNKNOWN 0)"), "\(result)")
            #expect(lines.last == "totals: BRL 1105.90, EUR 385.50, JPY 10000, MXN 2450.50, SGD 415.80, USD 4911.20", "\(result)")
        }
    }

    @Test func aMissingDatabaseExitsSixtyFiveAndCreatesNothing() throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("none.sqlite").path
            let result = try Recharge.run(["status", "--db", db])
            #expect(result.status == 65, "\(result)")
            #expect(result.stderr.contains("no database at \(db)"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: db))
        }
    }

    @Test func anUnknownBatchExitsSixtyFive() throws {
        try self.withImportedSample { db in
            let result = try Recharge.run(["status", "--db", db, "no-such-batch"])
            #expect(result.status == 65, "\(result)")
            #expect(result.stderr.contains("no batch 'no-such-batch'"), "\(result)")
        }
    }
}
