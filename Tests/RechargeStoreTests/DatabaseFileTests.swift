import Foundation
import RechargeCore
import TestSupport
import Testing

@testable import RechargeStore

/// Acceptance 7: the database file is owner-only, and `mustExist` does not create one.
@Suite struct DatabaseFileTests {
    func permissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require((attributes[.posixPermissions] as? NSNumber)?.intValue)
    }

    @Test func aNewDatabaseFileIsOwnerOnly() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("recharge.sqlite").path
            let database = try RechargeDatabase(path: path)
            #expect(try self.permissions(path) == 0o600)

            // The write-ahead log holds the same data and is created with the database's permissions.
            try database.importValid(Samples.csv)
            let wal = path + "-wal"
            if FileManager.default.fileExists(atPath: wal) {
                #expect(try self.permissions(wal) == 0o600)
            }
            #expect(try self.permissions(path) == 0o600)
        }
    }

    @Test func mustExistOnAMissingPathThrowsAndCreatesNothing() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("missing.sqlite").path
            let error = #expect(throws: StoreError.self) { try RechargeDatabase(path: path, mustExist: true) }
            #expect(error?.code == .databaseUnavailable)
            #expect(error?.message.contains(path) == true)
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func aStoredBatchIsThereWhenTheFileIsOpenedAgain() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("recharge.sqlite").path
            let batch = try RechargeDatabase(path: path).importValid(Samples.csv)

            let reopened = try RechargeDatabase(path: path, mustExist: true)
            #expect(try reopened.batches() == [batch])
            #expect(try reopened.lines(batchID: batch.id).count == 50)
        }
    }

    @Test func aFileThatIsNotADatabaseIsUnavailable() throws {
        try withTemporaryDirectory { directory in
            let path = try writeFile(String(repeating: "not a database\n", count: 100), named: "notes.sqlite", in: directory)
            let error = #expect(throws: StoreError.self) { try RechargeDatabase(path: path, mustExist: true) }
            #expect(error?.code == .databaseUnavailable)
        }
    }
}
