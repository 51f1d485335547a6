import Foundation
import RechargeCore
import RechargeStore
import TestSupport
import Testing

/// The product's promise, end to end: the built `recharge` runs a batch against `recharge-sim` with every fault
/// on, is killed with SIGKILL at random moments, is run again until the batch is done — and the simulator's ledger
/// then shows every SUCCESS line applied exactly once, no FAILED or CANCELLED line applied, and the same sums.
@Suite(.serialized, .ownThread)
struct KillAndResumeTests {
    @Test(.timeLimit(.minutes(2)))
    func killedRunsResumeAndApplyEveryLineExactlyOnce() throws {
        try withTemporaryDirectory { directory in
            var random = SeededRandom(seed: 20_261_129)
            let world = try EndToEndWorld(directory: directory, random: &random)
            let simulator = try world.startSimulator()
            defer { simulator.kill() }
            let port = try #require(
                simulator.line(startingWith: "recharge-sim listening", atMost: 30)?.split(separator: ":").last.map(String.init),
                "the simulator did not start: \(simulator.stderr)")
            try world.writeConfiguration(port: port)

            let main = try Recharge.run([
                "import", world.mainBatch.path, "--name", "main", "--db", world.database, "--config", world.config,
            ])
            #expect(main.status == 0, "\(main)")
            let side = try Recharge.run([
                "import", world.sideBatch.path, "--name", "side", "--db", world.database, "--config", world.config,
            ])
            #expect(side.status == 0, "\(side)")

            // Kill runs at random moments; after the first, cancel the side batch (what is left of it).
            var killedWhileRunning = 0
            for round in 0..<6 {
                let runner = try ChildProcess(
                    "recharge", ["run", "--db", world.database, "--config", world.config, "--progress", "none"], outputs: directory)
                usleep(UInt32(random.next(in: 150_000...900_000)))
                if runner.process.isRunning { killedWhileRunning += 1 }
                runner.kill()
                if round == 0 {
                    let cancel = try Recharge.run(["cancel", "side", "--db", world.database])
                    #expect(cancel.status == 0, "\(cancel)")
                }
            }
            #expect(killedWhileRunning >= 3, "the runs finished before they could be killed; the test proves nothing")

            // Then let it finish: 0, or 10/11 when some lines failed or are unknown — never 12 twice in a row.
            var final: Int32?
            var log = ""
            for _ in 0..<3 {
                let runner = try ChildProcess(
                    "recharge", ["run", "--db", world.database, "--config", world.config, "--progress", "log", "--verbose"],
                    outputs: directory)
                final = runner.wait(atMost: 30)
                log = runner.stderr
                if let code = final, code != 12 { break }
            }
            #expect([0, 10, 11].contains(final ?? -1), "the last run ended with \(final.map(String.init) ?? "a time-out"):\n\(log)")

            try world.verifyAgainstLedger(port: port)

            // The providers' own status queries agree with every settled line.
            let reconcile = try Recharge.run(["reconcile", "main", "--db", world.database, "--config", world.config])
            #expect(reconcile.status == 0, "\(reconcile)")
        }
    }
}
