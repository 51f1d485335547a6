import Foundation
import RechargeCore
import RechargeStore
import TestSupport
import Testing

/// `recharge status`: counts per state and exact sums per currency, as text or JSON.
@Suite(.ownThread)
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

    /// A batch of `count` VCC lines imported through the CLI, then every line FAILED (every third UNKNOWN) through
    /// the store, as a run would leave them; line 2's provider message carries terminal control characters.
    func withSettledBatch(lines count: Int, _ body: (_ db: String) throws -> Void) throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            let file = directory.appendingPathComponent("settled.csv")
            var csv = "provider,card_id,amount,currency,reference,remark\n"
            // A blank line after each record: record N is on line 2N.
            for row in 1...count { csv += "vcc,1000301\(String(format: "%05d", row)),\(row).25,USD,R-\(row),row \(row)\n\n" }
            try Data(csv.utf8).write(to: file)
            let imported = try Recharge.run(["import", "--db", db, file.path])
            try #require(imported.status == 0, "\(imported)")

            let database = try RechargeDatabase(path: db)
            let now = Date()
            for line in try database.lines(batchID: 1) {
                let claim = try #require(try database.claim([(line.id, nil)], now: now).first)
                let unknown = line.itemNumber.map { $0 % 3 == 0 } ?? false
                try database.recordOutcome(
                    lineID: line.id, attemptNumber: claim.attemptNumber, event: unknown ? .unresolvable : .rejected,
                    outcome: unknown ? "unresolved" : "rejected", errorCode: unknown ? "unresolved" : "1005",
                    errorMessage: line.itemNumber == 2 ? "frozen\u{1B}[2J\nFORGED" : "card frozen", now: now)
            }
            try body(db)
        }
    }

    @Test func oneBatchListsItsFailedAndUnknownLinesWithTheirReason() throws {
        try self.withSettledBatch(lines: 4) { db in
            let result = try Recharge.run(["status", "--db", db, "1"])
            #expect(result.status == 0, "\(result)")
            let lines = result.stdoutLines
            #expect(lines.contains("FAILED and UNKNOWN lines: 4"), "\(result)")
            let header = try #require(lines.firstIndex { $0.hasPrefix("item") }, "\(result)")
            #expect(
                lines[header].split(separator: " ", omittingEmptySubsequences: true) == [
                    "item", "line", "reference", "provider", "amount", "state", "attempts", "code", "message",
                ])
            // Item 1 is on line 2, item 2 on line 4.
            #expect(
                lines[header + 1].split(separator: " ", omittingEmptySubsequences: true).prefix(9) == [
                    "1", "2", "R-1", "vcc", "1.25", "USD", "FAILED", "1", "1005",
                ])
            #expect(lines[header + 1].hasSuffix("card frozen"))
            #expect(lines[header + 2].contains(" 1005 "), "\(result)")
            #expect(lines[header + 2].hasSuffix(#"  frozen\u{1B}[2J\u{A}FORGED"#), "\(result)")
            #expect(lines[header + 3].contains("UNKNOWN") && lines[header + 3].contains("unresolved"))
            #expect(!result.stdout.contains("\u{1B}"), "no control character reaches the terminal")
            #expect(!lines.contains("FORGED"))
            #expect(!result.stdout.contains("more;"))
        }
    }

    @Test func theListIsBoundedAndSaysHowToGetEveryLine() throws {
        try self.withSettledBatch(lines: 57) { db in
            let text = try Recharge.run(["status", "--db", db, "1"])
            #expect(text.status == 0, "\(text)")
            #expect(text.stdoutLines.contains("FAILED and UNKNOWN lines: 57 (the first 50)"), "\(text)")
            #expect(text.stdoutLines.filter { $0.contains(" vcc ") }.count == 50)
            #expect(
                text.stdoutLines.last == "… and 7 more; every line with its error: recharge report 1 --format csv --output batch-1.csv",
                "\(text)")

            let json = try Recharge.run(["status", "--db", db, "1", "--json"])
            #expect(json.status == 0, "\(json)")
            let problems = try #require(try json.json()["problems"] as? [String: Any], "\(json)")
            #expect(problems["total"] as? Int == 57)
            #expect(problems["shown"] as? Int == 50)
            #expect(problems["more"] as? Int == 7)
            #expect(problems["everyLine"] as? String == "recharge report 1 --format csv --output batch-1.csv")
            let listed = try #require(problems["lines"] as? [[String: Any]])
            #expect(listed.count == 50)
            let second = listed[1]
            #expect(second["item"] as? Int == 2 && second["line"] as? Int == 4)
            #expect(second["state"] as? String == "FAILED" && second["lastErrorCode"] as? String == "1005")
            #expect(second["lastErrorMessage"] as? String == "frozen\u{1B}[2J\nFORGED")
            #expect(second["amount"] as? String == "2.25" && second["currency"] as? String == "USD")
            #expect(listed[2]["state"] as? String == "UNKNOWN" && listed[2]["lastErrorCode"] as? String == "unresolved")
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
