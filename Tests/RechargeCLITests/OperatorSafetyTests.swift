import Foundation
import GRDB
import RechargeCore
import RechargeStore
import TestSupport
import Testing

/// What an operator relies on besides the money: a batch reference means one batch, the audit trail names the
/// real account, and the files holding card ids and keys are not open to other local users.
@Suite(.ownThread)
struct OperatorSafetyTests {
    func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func aNameThatReadsAsAnIDIsRefused() throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            let result = try Recharge.run(["import", "--db", db, "--name", "3", Recharge.sample("monthly-2026-11.csv")])
            #expect(result.status == 64, "\(result)")
            #expect(result.stderr.contains("reads as a batch id") && result.stderr.contains("batch-3"), "\(result)")
        }
    }

    @Test func aFileWhoseBatchNameReadsAsAnIDStoresNothing() throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            let file = directory.appendingPathComponent("named.json")
            let sample = try String(
                contentsOf: Recharge.packageRoot.appendingPathComponent("samples/monthly-2026-11.json"), encoding: .utf8)
            let renamed = sample.replacingOccurrences(of: #""name": "monthly-2026-11""#, with: #""name": "1""#)
            try #require(renamed != sample, "the sample's batch.name is where this test expects it")
            try renamed.write(to: file, atomically: true, encoding: .utf8)
            let result = try Recharge.run(["import", "--db", db, file.path])
            #expect(result.status == 65, "\(result)")
            #expect(result.stderr.contains("the file's batch.name") && result.stderr.contains("nothing was imported"), "\(result)")
            let status = try Recharge.run(["status", "--db", db, "--json"]).json()
            #expect(status["lines"] as? Int == 0, "\(status)")
        }
    }

    @Test func aNameSharedByTwoBatchesIsAmbiguousAndIDSaysWhich() throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            let file = Recharge.sample("monthly-2026-11.csv")
            #expect(try Recharge.run(["import", "--db", db, "--name", "november", file]).status == 0)
            #expect(try Recharge.run(["import", "--db", db, "--name", "november", "--force", file]).status == 0)

            let ambiguous = try Recharge.run(["cancel", "--db", db, "november"])
            #expect(ambiguous.status == 65, "\(ambiguous)")
            #expect(ambiguous.stderr.contains("id:1") && ambiguous.stderr.contains("id:2"), "\(ambiguous)")
            let explicit = try Recharge.run(["cancel", "--db", db, "id:2"])
            #expect(explicit.status == 0 && explicit.stdout.contains("batch 2"), "\(explicit)")
            let first = try Recharge.run(["status", "--db", db, "1", "--json"]).json()
            #expect((first["states"] as? [String: Int])?["PENDING"] == 50, "batch 1 untouched: \(first)")
        }
    }

    @Test func anOlderBatchNamedLikeAnIDMakesTheBareNumberAmbiguous() throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            let file = Recharge.sample("monthly-2026-11.csv")
            #expect(try Recharge.run(["import", "--db", db, "--name", "b1", file]).status == 0)
            #expect(try Recharge.run(["import", "--db", db, "--name", "b2", "--force", file]).status == 0)
            // A database from before names were checked may hold a batch named like another's id.
            try DatabaseQueue(path: db).write { try $0.execute(sql: "UPDATE batch SET name = '1' WHERE id = 2") }

            let database = try RechargeDatabase(path: db, mustExist: true)
            if case .ambiguous(let batches) = try database.lookUpBatch(BatchReference("1")) {
                #expect(batches.map(\.id) == [1, 2])
            } else {
                Issue.record("a bare 1 names batch 1 by id and batch 2 by name")
            }
            #expect(try database.lookUpBatch(BatchReference("id:1")).found?.id == 1)
            #expect(try database.lookUpBatch(BatchReference("name:1")).found?.id == 2)
            #expect(try database.lookUpBatch(BatchReference("b1")).found?.id == 1)
            let status = try Recharge.run(["status", "--db", db, "1"])
            #expect(status.status == 65 && status.stderr.contains("could mean 2 batches"), "\(status)")
        }
    }

    @Test func theAuditActorIsTheRealAccountNotUSER() throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            #expect(try Recharge.run(["import", "--db", db, Recharge.sample("monthly-2026-11.csv")]).status == 0)
            let cancel = try Recharge.run(
                ["cancel", "--db", db, "1", "--note", "withdrawn"], environment: ["USER": "mallory", "LOGNAME": "mallory"])
            #expect(cancel.status == 0, "\(cancel)")
            let actors = try Set(
                DatabaseQueue(path: db).read { try String.fetchAll($0, sql: "SELECT actor FROM event WHERE kind = 'cancel'") })
            #expect(actors == ["operator:\(AuditActor.accountName(uid: getuid()))"], "\(actors)")
            #expect(!actors.contains("operator:mallory"))
        }
    }

    @Test func aPreCreatedDatabaseFileIsMadeOwnerOnly() throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            #expect(FileManager.default.createFile(atPath: db, contents: nil, attributes: [.posixPermissions: 0o644]))
            #expect(self.mode(db) == 0o644)
            let imported = try Recharge.run(["import", "--db", db, Recharge.sample("monthly-2026-11.csv")])
            #expect(imported.status == 0, "\(imported)")
            #expect(self.mode(db) == 0o600)
            for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: db + suffix) {
                #expect(self.mode(db + suffix) & 0o077 == 0, "\(suffix)")
            }
        }
    }

    @Test func aConfigurationOthersCanWriteIsRefused() throws {
        try withTemporaryDirectory { directory in
            let config = directory.appendingPathComponent("recharge.json").path
            #expect(FileManager.default.createFile(atPath: config, contents: Data(#"{"accounts": []}"#.utf8)))
            try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: config)
            let result = try Recharge.run(["config", "check", "--config", config])
            #expect(result.status == 78, "\(result)")
            #expect(
                result.stderr.contains("can be changed by any user") || result.stdout.contains("can be changed by any user"), "\(result)")
        }
    }

    @Test func aKeyFileInAFolderOthersCanWriteIsRefused() throws {
        try withTemporaryDirectory { directory in
            let keys = directory.appendingPathComponent("keys")
            try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
            let key = keys.appendingPathComponent("paycertify").path
            #expect(FileManager.default.createFile(atPath: key, contents: Data("token".utf8), attributes: [.posixPermissions: 0o600]))
            let config = directory.appendingPathComponent("recharge.json").path
            let json = """
                {"accounts": [{"name": "pc", "kind": "paycertify", "baseURL": "http://127.0.0.1:9/api", "credentials": {"token": {"file": "\(key)"}}}]}
                """
            #expect(FileManager.default.createFile(atPath: config, contents: Data(json.utf8), attributes: [.posixPermissions: 0o600]))
            #expect(try Recharge.run(["config", "check", "--config", config]).status == 0)

            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: keys.path)
            let result = try Recharge.run(["config", "check", "--config", config])
            #expect(result.status == 78, "\(result)")
            #expect((result.stderr + result.stdout).contains("chmod 700"), "\(result)")
        }
    }
}
