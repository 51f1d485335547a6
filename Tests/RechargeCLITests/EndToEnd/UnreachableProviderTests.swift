import Foundation
import RechargeCore
import RechargeStore
import TestSupport
import Testing

/// `recharge run` with one provider account that refuses every connection: once its breaker has been open for
/// `timeouts.breakerGiveUpSeconds`, the run stops sending to it, says so, lets the other accounts finish and exits 12;
/// the next run, with the provider back, sends the lines left PENDING, each exactly once.
@Suite(.serialized, .ownThread)
struct UnreachableProviderTests {
    @Test(.timeLimit(.minutes(3)))
    func aProviderDownPastTheGiveUpTimeLeavesItsLinesPendingForTheNextRun() throws {
        try withTemporaryDirectory { directory in
            var random = SeededRandom(seed: 12)
            let world = try EndToEndWorld(directory: directory, random: &random)
            try world.writeCleanSimulatorConfiguration()
            let (simulator, port) = try world.startSimulatorAndPort()
            defer { simulator.kill() }
            try world.writeConfiguration(port: port)
            let batch = directory.appendingPathComponent("clean.csv")
            try EndToEndWorld.cleanBatch(linesPerProvider: 6, reference: "DOWN").write(to: batch, atomically: true, encoding: .utf8)
            let database = ["--db", world.database, "--config", world.config]
            let imported = try Recharge.run(["import", batch.path, "--name", "down"] + database)
            #expect(imported.status == 0, "\(imported)")

            // Pagsmile's base URL points at a port nobody listens on; the account is given up after 1 s open.
            let down = try Recharge.run(
                ["run", "--progress", "log"] + database,
                environment: [
                    "RECHARGE_ACCOUNTS_PAGSMILE_BASEURL": "http://127.0.0.1:1/pagsmile",
                    "RECHARGE_TIMEOUTS_BREAKERGIVEUPSECONDS": "1",
                ])
            #expect(down.status == 12, "\(down)")
            #expect(
                down.stderr.contains("provider account pagsmile has been unreachable for")
                    && down.stderr.contains("its lines are left PENDING; run again when it is back"), "\(down.stderr)")
            let store = try RechargeDatabase(path: world.database, mustExist: true)
            let lines = try store.lines(batchID: 1)
            #expect(lines.filter { $0.account == "pagsmile" }.allSatisfy { $0.state == .pending }, "\(lines.map(\.state))")
            #expect(lines.filter { $0.account != "pagsmile" }.allSatisfy { $0.state == .success }, "the other accounts finished")

            // The provider is back: the next run sends what was left, and the ledger holds each line once.
            let again = try Recharge.run(["run", "--progress", "none"] + database)
            #expect(again.status == 0, "\(again)")
            #expect(try store.lines(batchID: 1).allSatisfy { $0.state == .success })
            let ledgerData = try EndToEndWorld.get(URL(string: "http://127.0.0.1:\(port)/_sim/ledger")!)
            let ledger = try #require(
                (try JSONSerialization.jsonObject(with: ledgerData) as? [String: Any])?["entries"] as? [[String: Any]])
            #expect(ledger.count == 5 * 6, "each line applied exactly once: \(ledger.count) entries")
        }
    }
}
