import Foundation
import RechargeCore
import RechargeStore
import TestSupport
import Testing

/// `recharge inbox DIR` against `recharge-sim`: complete new files are imported, run, reported and filed away;
/// invalid ones are rejected with their errors beside them; a second pass changes nothing.
@Suite(.serialized, .ownThread)
struct InboxCommandTests {
    @Test(.timeLimit(.minutes(2)))
    func filesAreImportedRunReportedAndFiledAwayOnce() throws {
        try withTemporaryDirectory { directory in
            var random = SeededRandom(seed: 1)
            let world = try EndToEndWorld(directory: directory, random: &random)
            try world.writeCleanSimulatorConfiguration()
            let (simulator, port) = try world.startSimulatorAndPort()
            defer { simulator.kill() }
            try world.writeConfiguration(port: port)

            let inbox = directory.appendingPathComponent("inbox")
            let incoming = inbox.appendingPathComponent("incoming")
            try FileManager.default.createDirectory(at: incoming, withIntermediateDirectories: true)
            func drop(_ name: String, _ text: String, age: TimeInterval) throws {
                let url = incoming.appendingPathComponent(name)
                try text.write(to: url, atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-age)], ofItemAtPath: url.path)
            }
            let good = EndToEndWorld.cleanBatch(linesPerProvider: 2, reference: "NIGHT")
            try drop("nightly-1.csv", good, age: 300)
            try drop("nightly-2.csv", "provider,card_id,amount,currency,reference\nvcc,100030200,12.345,USD,X-1\n", age: 200)
            try drop("nightly-3.csv.part", good, age: 100)
            try drop(".nightly-4.csv", good, age: 100)

            let arguments = [
                "inbox", inbox.path, "--db", world.database, "--config", world.config, "--settle-ms", "20", "--progress", "none",
            ]
            let first = try Recharge.run(arguments)
            #expect(first.status == 65, "a rejected file outranks a clean run: \(first)")
            let processed = inbox.appendingPathComponent("processed")
            let rejected = inbox.appendingPathComponent("rejected")
            let reports = inbox.appendingPathComponent("reports")
            #expect(FileManager.default.fileExists(atPath: processed.appendingPathComponent("nightly-1.csv").path))
            #expect(FileManager.default.fileExists(atPath: rejected.appendingPathComponent("nightly-2.csv").path))
            let errors = try String(contentsOf: rejected.appendingPathComponent("nightly-2.csv.errors.txt"), encoding: .utf8)
            #expect(
                errors.contains("nightly-2.csv:2: error:") && errors.contains("column 'amount'") && errors.contains("\"12.345\""),
                "\(errors)")
            for format in ["html", "csv", "json"] {
                #expect(FileManager.default.fileExists(atPath: reports.appendingPathComponent("nightly-1.batch-1.\(format)").path))
            }
            let left = try FileManager.default.contentsOfDirectory(atPath: incoming.path).sorted()
            #expect(left == [".nightly-4.csv", "nightly-3.csv.part"])

            let database = try RechargeDatabase(path: world.database, mustExist: true)
            let lines = try database.lines(batchID: 1)
            #expect(lines.count == 10 && lines.allSatisfy { $0.state == .success })

            // Again: nothing new, nothing changes.
            let second = try Recharge.run(arguments)
            #expect(second.status == 0, "\(second)")
            #expect(try database.batches().count == 1)

            // The same content under another name: not imported again, filed away naming the batch.
            try drop("nightly-1-resent.csv", good, age: 10)
            let third = try Recharge.run(arguments)
            #expect(third.status == 0, "\(third)")
            #expect(third.stdout.contains("already imported as batch 1"), "\(third)")
            #expect(try database.batches().count == 1)
            #expect(FileManager.default.fileExists(atPath: processed.appendingPathComponent("nightly-1-resent.csv").path))
        }
    }

    /// SIGTERM stops the pass like `run`: exit 12, the file stays in incoming/, and the next pass resumes its batch.
    /// SIGTERM (a stop: exit 12) or SIGKILL (a crash: no handler runs) in the middle of a file's run; either way the
    /// file stays in incoming/ and the next pass resumes its batch, without importing it again, and files it away.
    @Test(.timeLimit(.minutes(2)), arguments: [SIGTERM, SIGKILL])
    func anInterruptedPassIsResumedByTheNext(signal: Int32) throws {
        try withTemporaryDirectory { directory in
            var random = SeededRandom(seed: 4)
            let world = try EndToEndWorld(directory: directory, random: &random)
            let slow: [String: Any] = ["latencyMilliseconds": 150]  // under the 400 ms time-out
            try world.writeCleanSimulatorConfiguration(overrides: [
                "faults": Dictionary(uniqueKeysWithValues: EndToEndWorld.currencies.keys.map { ($0, slow) })
            ])
            let (simulator, port) = try world.startSimulatorAndPort()
            defer { simulator.kill() }
            try world.writeConfiguration(port: port)
            let inbox = directory.appendingPathComponent("inbox")
            let incoming = inbox.appendingPathComponent("incoming")
            try FileManager.default.createDirectory(at: incoming, withIntermediateDirectories: true)
            try EndToEndWorld.cleanBatch(linesPerProvider: 12, reference: "SLOW").write(
                to: incoming.appendingPathComponent("slow.csv"), atomically: true, encoding: .utf8)
            let arguments = [
                "inbox", inbox.path, "--db", world.database, "--config", world.config, "--settle-ms", "10", "--progress", "none",
            ]

            let pass = try ChildProcess("recharge", arguments, outputs: directory)
            #expect(pass.line(startingWith: "slow.csv: imported", atMost: 30) != nil, "\(pass.stderr)")
            if signal == SIGKILL {
                pass.kill()
            } else {
                pass.terminate(signal: signal)
                #expect(pass.wait(atMost: 30) == 12, "\(pass.stdout)\n\(pass.stderr)")
            }
            #expect(FileManager.default.fileExists(atPath: incoming.appendingPathComponent("slow.csv").path))

            let again = try Recharge.run(arguments)
            #expect(again.status == 0, "\(again)")
            #expect(again.stdout.contains("already imported as batch 1"), "\(again)")
            #expect(FileManager.default.fileExists(atPath: inbox.appendingPathComponent("processed/slow.csv").path))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aMissingIncomingFolderIsNoInput() throws {
        try withTemporaryDirectory { directory in
            let result = try Recharge.run([
                "inbox", directory.appendingPathComponent("nowhere").path, "--db", directory.appendingPathComponent("db.sqlite").path,
            ])
            #expect(result.status == 66, "\(result)")
        }
    }
}
