import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
import TestSupport
#endif

/// `recharge reconcile` only looks. Run against `recharge-sim` with its clock moved 25 hours ahead — past UQPay's
/// 24-hour replay window, where a same-key replay would be a new top-up — reconciling SUCCESS, FAILED and
/// CANCELLED lines of every provider leaves the simulator's ledger exactly as it was, and not one request reaches
/// a top-up endpoint.
@Suite(.serialized, .ownThread)
struct ReconcileOnlyLooksTests {
    @Test(.timeLimit(.minutes(2)))
    func reconcileTwentyFiveHoursLaterMovesNoMoney() throws {
        try withTemporaryDirectory { directory in
            var random = SeededRandom(seed: 25)
            let world = try EndToEndWorld(directory: directory, random: &random)
            try world.writeCleanSimulatorConfiguration()
            let (simulator, port) = try world.startSimulatorAndPort()
            defer { simulator.kill() }
            try world.writeConfiguration(port: port)

            // Batch a: three known cards (SUCCESS) and one unknown card (FAILED) per provider. Batch b: one unknown card
            // per provider, failed, retried and cancelled (CANCELLED, with the key it was first sent under).
            var settled = "provider,card_id,amount,currency,reference,pay_coin,pay_account_num\n"
            var cancelled = settled
            for (provider, currency) in EndToEndWorld.currencies.sorted(by: { $0.key < $1.key }) {
                let payCoin = provider == "hypercard" ? "usdt" : ""
                let payAccount = provider == "pagsmile" ? "PA-7700120045" : ""
                for index in 0..<4 {
                    let card = EndToEndWorld.card(provider, index == 3 ? 900 : index)
                    settled += "\(provider),\(card),\(index + 1).10,\(currency),A-\(provider)-\(index),\(payCoin),\(payAccount)\n"
                }
                cancelled += "\(provider),\(EndToEndWorld.card(provider, 901)),2.20,\(currency),B-\(provider),\(payCoin),\(payAccount)\n"
            }
            let fileA = directory.appendingPathComponent("a.csv")
            let fileB = directory.appendingPathComponent("b.csv")
            try settled.write(to: fileA, atomically: true, encoding: .utf8)
            try cancelled.write(to: fileB, atomically: true, encoding: .utf8)
            let database = ["--db", world.database, "--config", world.config]
            for (file, name) in [(fileA, "a"), (fileB, "b")] {
                let imported = try Recharge.run(["import", file.path, "--name", name] + database)
                #expect(imported.status == 0, "\(imported)")
            }
            let run = try Recharge.run(["run", "--progress", "none"] + database)
            #expect(run.status == 10, "the unknown cards fail, nothing else: \(run)")
            let retry = try Recharge.run(["retry", "b", "--failed", "--db", world.database])
            #expect(retry.status == 0, "\(retry)")
            let cancel = try Recharge.run(["cancel", "b", "--db", world.database])
            #expect(cancel.status == 0, "\(cancel)")

            let base = URL(string: "http://127.0.0.1:\(port)")!
            let ledgerBefore = try EndToEndWorld.get(base.appendingPathComponent("_sim/ledger"))
            let topUpsBefore = try Self.topUpRequests(base)
            #expect(topUpsBefore.values.reduce(0, +) >= 5 * 5, "every line was sent once: \(topUpsBefore)")

            _ = try EndToEndWorld.post(base.appendingPathComponent("_sim/clock"), json: #"{"advanceSeconds": 90000}"#)
            for name in ["a", "b"] {
                let reconcile = try Recharge.run(["reconcile", name] + database)
                #expect(reconcile.status == 0, "\(reconcile)")
                #expect(reconcile.stdout.contains("0 mismatched"), "\(reconcile)")
            }

            #expect(try EndToEndWorld.get(base.appendingPathComponent("_sim/ledger")) == ledgerBefore, "reconcile moved money")
            #expect(try Self.topUpRequests(base) == topUpsBefore, "reconcile sent a write request")
        }
    }

    /// Requests each provider received at a top-up endpoint, whatever their answer.
    static func topUpRequests(_ base: URL) throws -> [String: Int] {
        let stats = try JSONSerialization.jsonObject(with: try EndToEndWorld.get(base.appendingPathComponent("_sim/stats")))
        let providers = try #require(stats as? [String: [String: Any]])
        return providers.mapValues { ($0["topUpRequests"] as? Int) ?? 0 }
    }
}

extension EndToEndWorld {
    /// A blocking POST of a JSON body to the simulator's admin API.
    static func post(_ url: URL, json: String) throws -> Data {
        final class Box: @unchecked Sendable {
            var result: Result<Data, any Error> = .failure(URLError(.timedOut))
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(json.utf8)
        URLSession.shared.dataTask(with: request) { data, _, error in
            box.result = data.map { .success($0) } ?? .failure(error ?? URLError(.badServerResponse))
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 10)
        return try box.result.get()
    }
}
