import Foundation
import Testing

/// `recharge report`: the reconciliation report from the built executable, in each format, to stdout or a file.
@Suite
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
            #expect(result.stdout.contains("Discrepancies: 0 unknown, 0 operator-resolved, 0 credited-differs, 0 mismatch"))
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

    @Test(arguments: [("report.csv", "line,reference,provider,card,amount"), ("report.html", "<!DOCTYPE html>"), ("report.json", "{")])
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

    @Test func anUnknownFormatIsAUsageError() throws {
        try self.withImportedSample { db, _ in
            let result = try Recharge.run(["report", "--db", db, "1", "--format", "pdf"])
            #expect(result.status == 64, "\(result)")
        }
    }
}
