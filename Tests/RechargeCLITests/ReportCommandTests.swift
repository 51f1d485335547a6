import Foundation
import GRDB
import TestSupport
import Testing

@testable import RechargeStore

/// `recharge report`: the reconciliation report from the built executable, in each format, to stdout or a file.
@Suite(.ownThread)
struct ReportCommandTests {
    func withImportedSample(_ body: (_ db: String, _ directory: URL) throws -> Void) throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            let imported = try Recharge.run(["import", "--db", db, Recharge.sample("monthly-2026-11.csv")])
            try #require(imported.status == 0, "\(imported)")
            try body(db, directory)
        }
    }

    @Test func theDefaultIsATextSummary() throws {
        try self.withImportedSample { db, _ in
            let result = try Recharge.run(["report", "--db", db, "1"])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.hasPrefix("Reconciliation report\n"), "\(result)")
            #expect(result.stdout.contains("USD       4911.20 (32)"), "\(result)")
            #expect(
                result.stdout.contains("Discrepancies: 0 unknown, 0 failed, 0 operator-resolved, 0 credited-differs, 0 mismatch"),
                "\(result)")
        }
    }

    @Test func jsonOnStandardOutputHasEveryLineMasked() throws {
        try self.withImportedSample { db, _ in
            let result = try Recharge.run(["report", "--db", db, "monthly-2026-11.csv", "--format", "json"])
            #expect(result.status == 0, "\(result)")
            let report = try result.json()
            #expect(report["schema"] as? String == "recharge-report/1")
            let lines = try #require(report["lines"] as? [[String: Any]])
            #expect(lines.count == 50)
            #expect(lines.allSatisfy { ($0["card"] as? String)?.hasPrefix("****") == true })
            let totals = try #require(report["totals"] as? [[String: Any]])
            let usd = try #require(totals.first { $0["currency"] as? String == "USD" })
            #expect((usd["requested"] as? [String: Any])?["amount"] as? String == "4911.20")
            #expect((usd["pending"] as? [String: Any])?["lines"] as? Int == 32)
        }
    }

    @Test(arguments: [
        ("report.csv", "item,line,reference,remark,provider,card,amount"), ("report.html", "<!DOCTYPE html>"), ("report.json", "{"),
        ("report.txt", "Reconciliation report\n"),
    ])
    func theOutputFileExtensionChoosesTheFormat(name: String, expected: String) throws {
        try self.withImportedSample { db, directory in
            let path = directory.appendingPathComponent(name).path
            let result = try Recharge.run(["report", "--db", db, "1", "--output", path])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("report written to \(path)"), "\(result)")
            let written = try String(contentsOfFile: path, encoding: .utf8)
            #expect(written.contains(expected))
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".partial-") }
            #expect(leftovers.isEmpty)
        }
    }

    @Test func anUnknownBatchIsADataError() throws {
        try self.withImportedSample { db, _ in
            let result = try Recharge.run(["report", "--db", db, "no-such-batch"])
            #expect(result.status == 65, "\(result)")
            #expect(result.stderr.contains("no batch 'no-such-batch'"), "\(result)")
        }
    }

    @Test(arguments: ["november.xlsx", "november.pdf", "november"])
    func anOutputExtensionThatNamesNoFormatIsRefused(name: String) throws {
        try self.withImportedSample { db, directory in
            let path = directory.appendingPathComponent(name).path
            let result = try Recharge.run(["report", "--db", db, "1", "--output", path])
            #expect(result.status == 64, "\(result)")
            #expect(result.stderr.contains(".html (or .htm), .csv, .json, .txt"), "\(result)")
            #expect(result.stderr.contains(name), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: path), "nothing is written under a misleading name")
        }
    }

    @Test func aFormatTheOutputExtensionContradictsIsRefused() throws {
        try self.withImportedSample { db, directory in
            let path = directory.appendingPathComponent("november.json").path
            let result = try Recharge.run(["report", "--db", db, "1", "--format", "csv", "--output", path])
            #expect(result.status == 64, "\(result)")
            #expect(result.stderr.contains("--format csv contradicts --output"), "\(result)")
            #expect(result.stderr.contains("name the file .csv"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: path))

            let agreeing = try Recharge.run([
                "report", "--db", db, "1", "--format", "csv", "--output", path.replacingOccurrences(of: ".json", with: ".csv"),
            ])
            #expect(agreeing.status == 0, "\(agreeing)")
        }
    }

    @Test func anImportWithoutForceIsReportedAsNotForced() throws {
        try self.withImportedSample { db, _ in
            let result = try Recharge.run(["report", "--db", db, "1"])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.contains("Forced import:      no\n"), "\(result)")
            #expect(result.stdout.contains("Control line count: not given"), "\(result)")
        }
    }

    /// A database written before item numbers were stored gets them from the migration: each line's rank by line
    /// number in its batch, which is its position in the file since an import stores every record or none.
    @Test func theMigrationGivesExistingLinesTheirPosition() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("old.sqlite").path
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v5: the moment each request left")
            try queue.write { db in
                for batch in 1...2 {
                    try db.execute(
                        sql: """
                            INSERT INTO batch (id, uid, name, source_file, source_sha256, source_format, source_bytes, line_count, imported_at)
                            VALUES (?, ?, ?, 'old.csv', ?, 'csv', 1, 3, '2026-01-01T00:00:00.000Z')
                            """,
                        arguments: [
                            batch, "00000000-0000-0000-0000-00000000000\(batch)", "old-\(batch)", String(repeating: "a", count: 64),
                        ])
                    for lineNumber in [2, 5, 9] {
                        try db.execute(
                            sql: """
                                INSERT INTO line (batch_id, line_number, reference, account, card_id, amount_minor, currency, updated_at)
                                VALUES (?, ?, ?, 'vcc', '100030108904', 100, 'USD', '2026-01-01T00:00:00.000Z')
                                """,
                            arguments: [batch, lineNumber, "R-\(lineNumber)"])
                    }
                }
            }
            try queue.close()

            let database = try RechargeDatabase(path: path)
            for batch in [Int64(1), 2] {
                let lines = try database.lines(batchID: batch)
                #expect(lines.map(\.lineNumber) == [2, 5, 9])
                #expect(lines.map(\.itemNumber) == [1, 2, 3])
            }
        }
    }

    @Test func anUnknownFormatIsAUsageError() throws {
        try self.withImportedSample { db, _ in
            let result = try Recharge.run(["report", "--db", db, "1", "--format", "pdf"])
            #expect(result.status == 64, "\(result)")
        }
    }
}
