import Foundation
import GRDB
import TestSupport
import Testing

/// The machine fails under the processor: each fault gives a clear error and an honest exit code, and nothing
/// already recorded is lost.
@Suite(.serialized, .ownThread)
struct ResourceFaultTests {
    @Test func aCorruptedDatabaseIsReportedNotOverwritten() throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
            try garbage.write(to: URL(fileURLWithPath: db))
            for arguments in [["status"], ["import", Recharge.sample("monthly-2026-11.csv")], ["run"]] {
                let result = try Recharge.run(arguments + ["--db", db])
                #expect(result.status == 74, "\(result)")
                #expect(result.stderr.contains("not a database"), "\(result)")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == garbage, "the damaged file is left for inspection")
        }
    }

    @Test func aDatabaseLockedByAnotherProcessIsReportedAndNothingIsStored() throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            #expect(try Recharge.run(["import", Recharge.sample("monthly-2026-11.csv"), "--db", db]).status == 0)
            // Another process's write transaction: SQLite's lock, not the runner lease.
            let holder = try DatabaseQueue(path: db)
            let result = try holder.writeWithoutTransaction { connection in
                try connection.execute(sql: "BEGIN EXCLUSIVE")
                defer { try? connection.execute(sql: "ROLLBACK") }
                return try Recharge.run(
                    ["import", Recharge.sample("monthly-2026-11.json"), "--db", db, "--force"],
                    environment: ["RECHARGE_DB_BUSY_TIMEOUT_MS": "300"])
            }
            #expect(result.status == 74, "\(result)")
            #expect(result.stderr.contains("locked"), "\(result)")
            #expect(try Recharge.run(["status", "--db", db]).stdout.contains("1 batches"))
        }
    }

    @Test func aReportThatCannotBeWrittenIsAnIOError() throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            #expect(try Recharge.run(["import", Recharge.sample("monthly-2026-11.csv"), "--db", db]).status == 0)
            // A folder that is a file: no permission trick, so it holds for root too.
            let blocker = directory.appendingPathComponent("reports")
            try Data("x".utf8).write(to: blocker)
            let result = try Recharge.run(["report", "1", "--db", db, "--output", blocker.appendingPathComponent("r.html").path])
            #expect(result.status == 74, "\(result)")
            #expect(result.stderr.contains("cannot write"), "\(result)")
        }
    }

    @Test(.enabled(if: Privileges.canSetImmutable, "needs chattr +i (root on ext4/xfs/tmpfs)"))
    func aReadOnlyDatabaseRefusesWritesAndKeepsItsContent() throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            #expect(try Recharge.run(["import", Recharge.sample("monthly-2026-11.csv"), "--db", db]).status == 0)
            let before = try Recharge.run(["status", "--db", db, "--json"]).stdout
            try Privileges.shell("chattr +i '\(db)'")
            defer { try? Privileges.shell("chattr -i '\(db)'") }
            let result = try Recharge.run(["cancel", "1", "--db", db])
            #expect([74, 65].contains(result.status), "\(result)")
            #expect(
                result.stderr.lowercased().contains("readonly") || result.stderr.lowercased().contains("read-only")
                    || result.stderr.contains("permitted") || result.stderr.contains("unable to open"), "\(result)")
            try Privileges.shell("chattr -i '\(db)'")
            #expect(try Recharge.run(["status", "--db", db, "--json"]).stdout == before)
        }
    }

    @Test(.enabled(if: Privileges.canMount, "needs mount (root)"))
    func aFullDiskRefusesTheImportAndStoresNothing() throws {
        try withTemporaryDirectory { directory in
            let mount = directory.appendingPathComponent("small")
            try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
            try Privileges.shell("mount -t tmpfs -o size=1m tmpfs '\(mount.path)'")
            defer { try? Privileges.shell("umount '\(mount.path)'") }
            let db = mount.appendingPathComponent("recharge.sqlite").path
            // About 20,000 lines: several megabytes of rows, on a 1 MB file system (room for the schema, not the rows).
            var csv = "provider,card_id,amount,currency,reference\n"
            for index in 0..<20_000 { csv += "vcc,\(100_000_000 + index),10.00,USD,REF-\(index)\n" }
            let file = directory.appendingPathComponent("big.csv")
            try csv.write(to: file, atomically: true, encoding: .utf8)
            let result = try Recharge.run(["import", file.path, "--db", db])
            #expect(result.status == 74, "\(result)")
            #expect(result.stderr.lowercased().contains("full"), "\(result)")
            #expect(result.stderr.contains("nothing stored"), "\(result)")
            let status = try Recharge.run(["status", "--db", db])
            #expect(status.stdout.contains("no batches"), "\(status)")
        }
    }
}

/// What this process may do to its file systems (root in a sandbox usually may; CI may not).
enum Privileges {
    static let canMount: Bool = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mount-probe-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        guard (try? shell("mount -t tmpfs -o size=64k tmpfs '\(directory.path)'")) != nil else { return false }
        try? shell("umount '\(directory.path)'")
        return true
    }()

    static let canSetImmutable: Bool = {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("chattr-probe-\(UUID().uuidString)")
        #expect(FileManager.default.createFile(atPath: file.path, contents: Data()))
        defer { try? FileManager.default.removeItem(at: file) }
        guard (try? shell("chattr +i '\(file.path)'")) != nil else { return false }
        try? shell("chattr -i '\(file.path)'")
        return true
    }()

    struct Failed: Error {}

    /// Runs a shell command quietly; throws when it fails.
    static func shell(_ command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 { throw Failed() }
    }
}
