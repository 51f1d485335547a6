import Foundation
import TestSupport
import Testing

/// `recharge import`: the batch id alone on standard output; duplicates and invalid files refused with 65.
@Suite(.ownThread)
struct ImportCommandTests {
    @Test func printsOnlyTheBatchIDAndExitsZero() throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            let result = try Recharge.run(["import", "--db", db, Recharge.sample("monthly-2026-11.csv")])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout == "1\n", "\(result)")
            #expect(result.stderr.contains("imported batch 1 'monthly-2026-11.csv'"), "\(result)")
            #expect(FileManager.default.fileExists(atPath: db))
        }
    }

    @Test func theSameFileTwiceIsRefusedWithSixtyFive() throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            let file = Recharge.sample("monthly-2026-11.csv")
            #expect(try Recharge.run(["import", "--db", db, file]).status == 0)

            let second = try Recharge.run(["import", "--db", db, file])
            #expect(second.status == 65, "\(second)")
            #expect(second.stdout.isEmpty, "\(second)")
            #expect(second.stderr.contains("refused"), "\(second)")
            #expect(second.stderr.contains("batch 1"), "\(second)")

            let status = try Recharge.run(["status", "--db", db, "--json"]).json()
            #expect(status["lines"] as? Int == 50)

            let forced = try Recharge.run(["import", "--db", db, "--force", file])
            #expect(forced.status == 0, "\(forced)")
            #expect(forced.stdout == "2\n", "\(forced)")
        }
    }

    @Test func theSameBatchReferenceInAnotherFileIsRefused() throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            #expect(try Recharge.run(["import", "--db", db, Recharge.sample("monthly-2026-11.json")]).status == 0)
            let second = try Recharge.run(["import", "--db", db, Recharge.sample("monthly-2026-11.ndjson")])
            #expect(second.status == 65, "\(second)")
            #expect(second.stderr.contains("refused"), "\(second)")
            #expect(second.stderr.contains("FIN-OPS-2026-11"), "\(second)")
        }
    }

    @Test func anInvalidFileStoresNothing() throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            let result = try Recharge.run(["import", "--db", db, Recharge.sample("invalid/bad-amounts.csv")])
            #expect(result.status == 65, "\(result)")
            #expect(result.stdout.isEmpty, "\(result)")
            #expect(result.stderr.contains("samples/invalid/bad-amounts.csv:3: error: column 'amount'"), "\(result)")
            #expect(result.stderr.contains("6 errors; nothing was imported"), "\(result)")

            let status = try Recharge.run(["status", "--db", db, "--json"])
            #expect(status.status == 0, "\(status)")
            let report = try status.json()
            #expect(report["lines"] as? Int == 0)
            #expect((report["batches"] as? [Any])?.isEmpty == true)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aDeviceIsRefusedAtOnceAndNothingIsStored() throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            let result = try Recharge.run(["import", "--db", db, "--format", "json", "/dev/zero"])
            #expect(result.status == 66, "\(result)")
            #expect(result.stdout.isEmpty, "\(result)")
            #expect(result.stderr.contains("/dev/zero: is not a regular file (a character device)"), "\(result)")
            let status = try Recharge.run(["status", "--db", db, "--json"])
            #expect((try status.json()["batches"] as? [Any])?.isEmpty == true, "\(status)")
        }
    }
}
