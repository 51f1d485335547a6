import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
import TestSupport
#endif

/// Four eyes from the command line, against `recharge-sim`: with `approval.required`, an imported batch sends
/// nothing — not from `recharge run`, not from `recharge run BATCH` — until a person other than its importer approves
/// the exact content; the importer cannot approve it; a rejected batch never sends a line.
@Suite(.serialized, .ownThread)
struct FourEyesTests {
    /// The second person: `nobody`, through `setpriv` (the test needs root, as CI has).
    static let approver: UInt32 = 65_534

    @Test(.timeLimit(.minutes(2)))
    func nothingIsSentUntilAnotherPersonApprovesTheExactContent() throws {
        #expect(getuid() == 0, "this test acts as a second person (uid \(Self.approver)) through setpriv, which needs root")
        try withTemporaryDirectory { directory in
            var random = SeededRandom(seed: 44)
            let world = try EndToEndWorld(directory: directory, random: &random)
            try world.writeCleanSimulatorConfiguration()
            let (simulator, port) = try world.startSimulatorAndPort()
            defer { simulator.kill() }
            try world.writeConfiguration(port: port)
            try Self.requireApproval(config: world.config)
            let base = URL(string: "http://127.0.0.1:\(port)")!
            let database = ["--db", world.database, "--config", world.config]

            let fileA = directory.appendingPathComponent("a.csv")
            let fileB = directory.appendingPathComponent("b.csv")
            try EndToEndWorld.cleanBatch(linesPerProvider: 2, reference: "A").write(to: fileA, atomically: true, encoding: .utf8)
            try EndToEndWorld.cleanBatch(linesPerProvider: 1, reference: "B").write(to: fileB, atomically: true, encoding: .utf8)
            let importA = try Recharge.run(["import", fileA.path, "--name", "a"] + database)
            #expect(importA.status == 0, "\(importA)")
            #expect(importA.stderr.contains("awaits 1 approval"), "\(importA)")
            let importB = try Recharge.run(["import", fileB.path, "--name", "b"] + database)
            #expect(importB.status == 0, "\(importB)")

            // Unapproved: nothing runs, whichever way it is asked.
            let runAll = try Recharge.run(["run", "--progress", "none"] + database)
            #expect(runAll.status == 14, "\(runAll)")
            #expect(runAll.stderr.contains("not run: batch 1 awaits 1 approval"), "\(runAll)")
            let runOne = try Recharge.run(["run", "a", "--progress", "none"] + database)
            #expect(runOne.status == 14, "\(runOne)")
            #expect(try ReconcileOnlyLooksTests.topUpRequests(base).values.reduce(0, +) == 0)

            // What the approver is shown; nothing is recorded without the hash.
            let show = try Recharge.run(["approve", "a", "--db", world.database])
            #expect(show.status == 64, "\(show)")
            let sha256 = try #require(show.stdout.split(separator: "\n").first { $0.contains("sha256:") }?.split(separator: " ").last)
            #expect(show.stdout.contains("lines:       10"), "\(show)")
            #expect(show.stdout.contains("imported by: operator:root"), "\(show)")
            #expect(show.stdout.contains("USD "), "the totals per currency: \(show)")

            // The importer cannot approve; a wrong hash is refused; both record nothing.
            let own = try Recharge.run(["approve", "a", "--sha256", String(sha256), "--db", world.database])
            #expect(own.status == 77, "\(own)")
            #expect(own.stderr.contains("four eyes"), "\(own)")
            try Self.openToOthers(directory)
            let wrong = try Recharge.run(
                ["approve", "a", "--sha256", String(repeating: "0", count: 64), "--db", world.database], asUser: Self.approver)
            #expect(wrong.status == 77, "\(wrong)")

            // Another person approves a, rejects b.
            let approve = try Recharge.run(["approve", "a", "--sha256", String(sha256), "--db", world.database], asUser: Self.approver)
            #expect(approve.status == 0, "\(approve)")
            #expect(approve.stdout.contains("approved (1 of 1)"), "\(approve)")
            let reject = try Recharge.run(["reject", "b", "--reason", "wrong month", "--db", world.database], asUser: Self.approver)
            #expect(reject.status == 0, "\(reject)")
            #expect(reject.stdout.contains("rejected"), "\(reject)")

            let run = try Recharge.run(["run", "--progress", "none"] + database)
            #expect(run.status == 0, "\(run)")
            let topUps = try ReconcileOnlyLooksTests.topUpRequests(base).values.reduce(0, +)
            #expect(topUps == 10, "a's ten lines were sent once each, b's none: \(topUps)")
            let status = try Recharge.run(["status", "--db", world.database])
            #expect(status.stdout.contains("APPROVED"), "\(status)")
            #expect(status.stdout.contains("REJECTED"), "\(status)")
            let statusB = try Recharge.run(["status", "b", "--db", world.database])
            #expect(statusB.stdout.contains("CANCELLED"), "\(statusB)")
        }
    }

    /// The inbox imports a file that needs approval, says so, exits 14 and leaves the file in incoming/; once another
    /// person approves, the next pass runs it and files it away; a rejected batch's file goes to rejected/.
    @Test(.timeLimit(.minutes(2)))
    func theInboxLeavesAnUnapprovedFileUntilItIsApproved() throws {
        #expect(getuid() == 0, "this test acts as a second person (uid \(Self.approver)) through setpriv, which needs root")
        try withTemporaryDirectory { directory in
            var random = SeededRandom(seed: 45)
            let world = try EndToEndWorld(directory: directory, random: &random)
            try world.writeCleanSimulatorConfiguration()
            let (simulator, port) = try world.startSimulatorAndPort()
            defer { simulator.kill() }
            try world.writeConfiguration(port: port)
            let url = URL(fileURLWithPath: world.config)
            var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            // The USD totals are far below the threshold, but the BRL and SGD lines have none: a currency without one needs approval.
            object["approval"] = ["above": ["USD": "1000000.00"]]
            try JSONSerialization.data(withJSONObject: object).write(to: url)
            let base = URL(string: "http://127.0.0.1:\(port)")!

            let inbox = directory.appendingPathComponent("inbox")
            let incoming = inbox.appendingPathComponent("incoming")
            try FileManager.default.createDirectory(at: incoming, withIntermediateDirectories: true)
            for (name, reference) in [("night-1.csv", "N1"), ("night-2.csv", "N2")] {
                let file = incoming.appendingPathComponent(name)
                try EndToEndWorld.cleanBatch(linesPerProvider: 1, reference: reference).write(to: file, atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60)], ofItemAtPath: file.path)
            }
            let arguments = [
                "inbox", inbox.path, "--db", world.database, "--config", world.config, "--settle-ms", "20", "--progress", "none",
            ]
            let first = try Recharge.run(arguments)
            #expect(first.status == 14, "\(first)")
            #expect(first.stderr.contains("night-1.csv: batch 1 awaits 1 approval"), "\(first)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: incoming.path).sorted() == ["night-1.csv", "night-2.csv"])
            #expect(try ReconcileOnlyLooksTests.topUpRequests(base).values.reduce(0, +) == 0)

            // A second pass imports nothing again and still sends nothing.
            let second = try Recharge.run(arguments)
            #expect(second.status == 14, "\(second)")
            #expect(try ReconcileOnlyLooksTests.topUpRequests(base).values.reduce(0, +) == 0)

            try Self.openToOthers(directory)
            let show = try Recharge.run(["approve", "1", "--db", world.database])
            let sha256 = try #require(show.stdout.split(separator: "\n").first { $0.contains("sha256:") }?.split(separator: " ").last)
            let approve = try Recharge.run(["approve", "1", "--sha256", String(sha256), "--db", world.database], asUser: Self.approver)
            #expect(approve.status == 0, "\(approve)")
            let reject = try Recharge.run(
                ["reject", "2", "--reason", "duplicate of night-1", "--db", world.database], asUser: Self.approver)
            #expect(reject.status == 0, "\(reject)")

            let third = try Recharge.run(arguments)
            #expect(third.status == 65, "a rejected batch's file is a rejected file: \(third)")
            #expect(try ReconcileOnlyLooksTests.topUpRequests(base).values.reduce(0, +) == 5)
            #expect(FileManager.default.fileExists(atPath: inbox.appendingPathComponent("processed/night-1.csv").path))
            #expect(FileManager.default.fileExists(atPath: inbox.appendingPathComponent("rejected/night-2.csv").path))
            let errors = try String(contentsOf: inbox.appendingPathComponent("rejected/night-2.csv.errors.txt"), encoding: .utf8)
            #expect(errors.contains("rejected by operator:nobody: duplicate of night-1"), "\(errors)")
        }
    }

    /// Adds `"approval": {"required": true}` to the configuration file.
    static func requireApproval(config: String) throws {
        let url = URL(fileURLWithPath: config)
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        object["approval"] = ["required": true]
        try JSONSerialization.data(withJSONObject: object).write(to: url)
    }

    /// Lets the second person open the database: the SQLite files become theirs (still 0600; root reads them anyway)
    /// and the folder writable, as a database kept by a service account both people reach would be.
    static func openToOthers(_ directory: URL) throws {
        let manager = FileManager.default
        try manager.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory.path)
        for name in try manager.contentsOfDirectory(atPath: directory.path) where name.contains("sqlite") {
            try manager.setAttributes(
                [.ownerAccountID: Int(Self.approver), .groupOwnerAccountID: Int(Self.approver)],
                ofItemAtPath: directory.appendingPathComponent(name).path)
        }
    }
}
