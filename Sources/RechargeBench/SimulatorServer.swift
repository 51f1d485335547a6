import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RechargeRuns
import RechargeSimulator

/// The provider simulator as the execution benchmarks run it: the `recharge-sim` executable beside
/// `recharge-bench`, in a process of its own on a free loopback port, so that the CPU it spends answering is not
/// charged to the engine or the bare client measured against it. Everything the benchmark reads from it (request
/// counts while the run goes, the ledger after it) comes over its admin API, `/_sim/…`.
struct SimulatorServer: Sendable {
    let port: Int
    private let process: SimulatorProcess
    private let admin: HTTPClient

    static let startTimeout: Duration = .seconds(60)
    static let stopTimeout: Duration = .seconds(10)

    /// Starts the simulator with `configuration` (written to `folder/name.json`, its log to `folder/name.log`), runs
    /// `body` while it listens, and ends it.
    static func withRunning<Result>(
        _ configuration: SimulatorConfiguration, folder: String, name: String, _ body: (SimulatorServer) async throws -> Result
    ) async throws -> Result {
        let configurationPath = folder + "/\(name).json"
        try Self.file(configuration).write(to: URL(fileURLWithPath: configurationPath))
        let logPath = folder + "/\(name).log"
        let process = try SimulatorProcess(
            executable: try SimulatorProcess.executable(for: "recharge-bench run"),
            arguments: ["--port", "0", "--quiet", "--config", configurationPath], logPath: logPath)
        let admin = HTTPClient(eventLoopGroupProvider: .singleton)
        func stop() async {
            await process.stop(within: Self.stopTimeout)
            try? await admin.shutdown()
        }
        let result: Result
        do {
            let port = try await process.port(within: Self.startTimeout, logPath: logPath)
            result = try await body(SimulatorServer(port: port, process: process, admin: admin))
        } catch {
            await stop()
            throw error
        }
        await stop()
        return result
    }

    /// The configuration as `recharge-sim --config` reads it. A file's limits are merged over the simulator's
    /// defaults, so a default the configuration removed is written as `null`.
    static func file(_ configuration: SimulatorConfiguration) throws -> Data {
        let encoded = try JSONEncoder().encode(configuration)
        guard var object = try JSONSerialization.jsonObject(with: encoded) as? [String: Any] else { return encoded }
        var limits = object["limits"] as? [String: Any] ?? [:]
        for provider in SimulatorConfiguration.defaultLimits.keys where configuration.limits[provider] == nil {
            limits[provider] = NSNull()
        }
        object["limits"] = limits
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    /// The requests each provider has received so far (`GET /_sim/stats`).
    func stats() async throws -> [String: ProviderStats] {
        try await self.get("/_sim/stats", as: [String: ProviderStats].self)
    }

    /// Every top-up the simulator applied (`GET /_sim/ledger`).
    func ledger() async throws -> [LedgerEntry] {
        try await self.get("/_sim/ledger", as: Ledger.self).entries
    }

    /// The CPU time the simulator's process has used so far, in seconds (0 where it cannot be read).
    func cpuSeconds() -> Double {
        self.process.cpuSeconds() ?? 0
    }

    private struct Ledger: Decodable {
        var entries: [LedgerEntry]
    }

    private func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        let response = try await self.admin.execute(HTTPClientRequest(url: "http://127.0.0.1:\(self.port)" + path), timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 512 << 20)
        guard response.status == .ok else {
            throw EngineBenchError("the simulator answered \(path) with HTTP \(response.status.code)")
        }
        return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
    }
}
