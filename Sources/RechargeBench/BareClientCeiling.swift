import AsyncHTTPClient
import Foundation
import RechargeConfig
import RechargeCore
import RechargeEngine
import RechargeProviders
import RechargeSimulator

/// The ceiling an engine figure is read against: the same lines sent through the same adapters to a fresh
/// simulator with the same cards, as a plain script would send them — each account keeping `maxInFlight`
/// requests going, no store, no rate limiter, no claims, no card reads, no outcomes recorded. The simulator runs in a
/// process of its own, as it does for the engine run.
struct BareClientCeiling {
    var lines: Int
    var seconds: Double
    /// CPU (user + system) of this process over the ceiling's run: the client's alone, as the engine run's figure
    /// is the runner's alone, so the difference of the two is the engine's own cost.
    var cpuSeconds: Double
    /// CPU of the simulator's process over the same span.
    var simulatorCPUSeconds: Double
    var applied: Int

    var linesPerSecond: Double { Double(self.lines) / self.seconds }

    static func measure(
        lines: [LineRecord], batchUID: String, simulatorConfiguration: SimulatorConfiguration, settings: AccountSettings,
        connections: Int, folder: String
    ) async throws -> BareClientCeiling {
        try await SimulatorServer.withRunning(simulatorConfiguration, folder: folder, name: "simulator-ceiling") { simulator in
            let configuration = try EngineConfiguration.write(port: simulator.port, settings: settings, directory: folder)
            var httpSettings = HTTPClient.Configuration()
            httpSettings.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpSettings)
            do {
                var work: [(ProviderAccount, any ProviderClient, [LineRecord])] = []
                let byAccount = Dictionary(grouping: lines, by: \.account)
                for account in configuration.accounts {
                    let adapter = try ProviderClients.make(
                        account: account, credentials: try account.resolveCredentials(profiles: .all), client: client)
                    work.append((account, adapter, byAccount[account.name] ?? []))
                }
                let cpuAtStart = ResourceUsage.cpuSeconds()
                let simulatorCPUAtStart = simulator.cpuSeconds()
                let start = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (account, adapter, lines) in work {
                        group.addTask { try await Self.send(lines, batchUID: batchUID, account: account, adapter: adapter) }
                    }
                    try await group.waitForAll()
                }
                let elapsed = (ContinuousClock.now - start).seconds
                let cpu = ResourceUsage.cpuSeconds() - cpuAtStart
                let simulatorCPU = simulator.cpuSeconds() - simulatorCPUAtStart
                try await client.shutdown()
                let applied = try await simulator.stats().values.reduce(0) { $0 + $1.applied }
                return BareClientCeiling(
                    lines: lines.count, seconds: elapsed, cpuSeconds: cpu, simulatorCPUSeconds: simulatorCPU, applied: applied)
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    /// One account's lines, `maxInFlight` at a time, each sent once under its first key.
    private static func send(_ lines: [LineRecord], batchUID: String, account: ProviderAccount, adapter: any ProviderClient) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = lines.makeIterator()
            func addNext() -> Bool {
                guard let line = next.next() else { return false }
                let key = IdempotencyKey(batchUID: batchUID, lineNumber: line.lineNumber, generation: 0)
                guard let request = line.request(account: account, key: key) else { return true }
                group.addTask { _ = await adapter.recharge(request) }
                return true
            }
            for _ in 0..<max(1, account.maxInFlight) where !addNext() { break }
            while try await group.next() != nil { _ = addNext() }
        }
    }
}
