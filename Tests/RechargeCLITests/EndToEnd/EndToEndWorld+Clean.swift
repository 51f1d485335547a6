import Foundation
import Testing

extension EndToEndWorld {
    /// Replaces the simulator's configuration with one without faults or rate limits (fast, deterministic runs),
    /// with `overrides` merged in at the top level (custom credentials, say).
    func writeCleanSimulatorConfiguration(overrides: [String: Any] = [:]) throws {
        var configuration: [String: Any] = [
            "seed": 7,
            "cards": self.knownCards.map { ["provider": $0.provider, "id": $0.card, "currency": $0.currency, "balance": "50"] },
            "limits": Dictionary(uniqueKeysWithValues: Self.currencies.keys.map { ($0, NSNull()) }),
        ]
        for (key, value) in overrides { configuration[key] = value }
        try JSONSerialization.data(withJSONObject: configuration).write(to: self.simulatorConfig)
    }

    /// Starts the simulator and returns it with its port.
    func startSimulatorAndPort() throws -> (ChildProcess, String) {
        let simulator = try self.startSimulator()
        let port = try #require(
            simulator.line(startingWith: "recharge-sim listening", atMost: 30)?.split(separator: ":").last.map(String.init),
            "the simulator did not start: \(simulator.stderr)")
        return (simulator, port)
    }

    /// A valid CSV batch: `linesPerProvider` lines for known cards of every provider.
    static func cleanBatch(linesPerProvider: Int, reference: String) -> String {
        var csv = "provider,card_id,amount,currency,reference,pay_coin,pay_account_num\n"
        var number = 0
        for (provider, currency) in Self.currencies.sorted(by: { $0.key < $1.key }) {
            for index in 0..<linesPerProvider {
                number += 1
                let payCoin = provider == "hypercard" ? "usdt" : ""
                let payAccount = provider == "pagsmile" ? "PA-7700120045" : ""
                csv +=
                    "\(provider),\(Self.card(provider, index)),\(index + 1).25,\(currency),\(reference)-\(number),\(payCoin),\(payAccount)\n"
            }
        }
        return csv
    }
}
