import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RechargeRuns

/// The provider simulator for `recharge demo`: the `recharge-sim` executable beside `recharge`, run as a child
/// process on a free loopback port for as long as the demo needs it.
///
/// `recharge` does not link the simulator: it starts the executable, waits for the one line the simulator prints
/// once it listens (`recharge-sim listening on http://127.0.0.1:PORT`, after it wrote the processor's
/// configuration for itself), and ends it with SIGTERM when the demo is done, whether the demo succeeded, failed
/// or was stopped. The simulator's log goes to a file in the demo's folder.
struct DemoSimulator: Sendable {
    /// The port the simulator listens on.
    let port: Int
    /// The processor's configuration the simulator wrote for itself: one account per provider, its published test
    /// credentials in key files of mode 0600.
    let configurationPath: String

    /// How long the simulator may take to start listening, and to exit after SIGTERM.
    static let startTimeout: Duration = .seconds(60)
    static let stopTimeout: Duration = .seconds(10)

    /// The `recharge-sim` executable in the folder of the running `recharge`.
    /// - Throws: ``RechargeFailure`` (74) saying how to build it when it is not there.
    static func executable() throws -> URL {
        try SimulatorProcess.executable(for: "the demo")
    }

    /// Starts the simulator with the configuration file `simulatorConfiguration`, has it write the processor's
    /// configuration into `directory` (accounts with a time-out of `timeoutMilliseconds`), runs `body` while it
    /// listens, and ends it when `body` returns or throws.
    static func withRunning<Result>(
        simulatorConfiguration: String, directory: String, timeoutMilliseconds: Int, _ body: (DemoSimulator) async throws -> Result
    ) async throws -> Result {
        let logPath = directory + "/simulator.log"
        let child = try SimulatorProcess(
            executable: try Self.executable(),
            arguments: [
                "--port", "0", "--quiet", "--config", simulatorConfiguration, "--processor-config", directory,
                "--processor-timeout-ms", String(timeoutMilliseconds),
            ],
            logPath: logPath)
        let port: Int
        do {
            port = try await child.port(within: Self.startTimeout, logPath: logPath)
        } catch {
            await child.stop(within: Self.stopTimeout)
            throw error
        }
        let simulator = DemoSimulator(port: port, configurationPath: directory + "/recharge.json")
        let result: Result
        do {
            result = try await body(simulator)
        } catch {
            await child.stop(within: Self.stopTimeout)
            throw error
        }
        await child.stop(within: Self.stopTimeout)
        return result
    }

    /// How many top-ups the simulator's ledger holds (its admin API, `GET /_sim/ledger`).
    func appliedCount() async throws -> Int {
        try await HTTPClient.withHTTPClient { client in
            let response = try await client.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(self.port)/_sim/ledger"), timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 64 << 20)
            let object = try JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as? [String: Any]
            guard response.status == .ok, let entries = object?["entries"] as? [Any] else {
                throw RechargeFailure(
                    exitCode: .ioError, message: "the simulator's ledger could not be read (HTTP \(response.status.code))")
            }
            return entries.count
        }
    }
}
