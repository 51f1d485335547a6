import AsyncHTTPClient
import Foundation
import Logging
import RechargeConfig
import RechargeCore
import RechargeEngine
import RechargeProviders
import RechargeSimulator
import RechargeStore

/// One execution benchmark run: a generated batch imported into a fresh database, the simulator in a process of its
/// own on a free loopback port, and the runner executing the batch against it.
struct EngineWorkbench {
    var scenario: EngineScenario
    var options: EngineOptions
    /// Where the batch file, database, configuration and key files go.
    var folder: String

    /// Sets everything up, runs the batch and gathers the figures.
    func run() async throws -> EngineFigures {
        let csv = self.folder + "/batch.csv"
        try EngineBatch.writeCSV(
            lines: self.options.lines, linesPerCard: self.options.linesPerCard, cycle: self.options.cycle, seed: self.options.seed, to: csv)
        let database = try RechargeDatabase(path: self.folder + "/bench.sqlite")
        guard
            case .imported(let batch, _) = try database.importBatch(
                ImportRequest(path: csv), reader: BatchReader(configuration: .builtInDefault, profiles: .all))
        else { throw EngineBenchError("the generated batch was not imported") }

        var simulatorConfiguration = self.scenario.simulator(self.options)
        var seen: Set<String> = []
        for line in try database.lines(batchID: batch.id) where seen.insert(line.account + "/" + line.cardID).inserted {
            simulatorConfiguration.cards.append(.init(provider: line.account, id: line.cardID, currency: line.currency, balance: "100"))
        }
        let settings = self.scenario.account(self.options)
        var figures = try await SimulatorServer.withRunning(simulatorConfiguration, folder: self.folder, name: "simulator") { simulator in
            var configuration = try EngineConfiguration.write(port: simulator.port, settings: settings, directory: self.folder)
            if self.options.noCardRead {
                for index in configuration.accounts.indices where [.vcc, .paycertify].contains(configuration.accounts[index].kind) {
                    configuration.accounts[index].readCardBeforeSend = false
                }
            }
            var figures = try await self.execute(batch: batch, database: database, configuration: configuration, simulator: simulator)
            figures.stats = try await simulator.stats()
            figures.ledger = LedgerCheck(
                ledger: try await simulator.ledger(), lines: try database.lines(batchID: batch.id),
                kinds: Dictionary(ProviderKind.allCases.map { ($0.rawValue, $0.rawValue) }, uniquingKeysWith: { first, _ in first }))
            return figures
        }
        figures.settings = settings
        figures.cards = seen.count
        figures.limits = simulatorConfiguration.limits
        figures.states = Dictionary(try database.status(batchID: batch.id).map { ($0.state, $0.count) }, uniquingKeysWith: +)
        figures.peakResidentBytes = ResourceUsage.peakResidentBytes()
        // The ceiling runs where nothing slows the client but the simulator: no limits and no faults.
        if self.scenario == .a {
            figures.ceiling = try await BareClientCeiling.measure(
                lines: try database.lines(batchID: batch.id), batchUID: batch.uid, simulatorConfiguration: simulatorConfiguration,
                settings: settings, connections: figures.connections, folder: self.folder)
        }
        return figures
    }

    /// Builds the HTTP client, adapters, lanes and runner as `recharge run` does, and times the run.
    private func execute(
        batch: BatchRecord, database: RechargeDatabase, configuration: RechargeConfiguration, simulator: SimulatorServer
    ) async throws -> EngineFigures {
        // Every account talks to the one simulator host, so the pool's per-host limit has to cover all of them.
        let connections = self.options.connections ?? configuration.accounts.reduce(0) { $0 + $1.maxInFlight }
        var settings = HTTPClient.Configuration()
        settings.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
        let policy = self.scenario.policy
        var logger = Logger(label: "recharge-bench")
        logger.logLevel = .warning
        do {
            var lanes: [AccountLane<ContinuousClock>] = []
            for account in configuration.accounts {
                let adapter = try ProviderClients.make(
                    account: account, credentials: try account.resolveCredentials(profiles: .all), client: client)
                lanes.append(AccountLane(account: account, client: adapter, policy: policy, clock: ContinuousClock()))
            }
            let runner = Runner(
                store: SQLiteEngineStore(database), lanes: lanes, policy: policy, clock: ContinuousClock(), identity: .current(),
                logger: logger)
            let sampler = RequestSampler { (try? await simulator.stats())?.mapValues(\.requests) }
            let cpuAtStart = ResourceUsage.cpuSeconds()
            let simulatorCPUAtStart = simulator.cpuSeconds()
            var cpu = 0.0
            var simulatorCPU = 0.0
            let start = ContinuousClock.now
            let (result, elapsed, samples) = try await withThrowingTaskGroup(of: [RequestSampler.Sample].self) { group in
                group.addTask { await sampler.record(from: start) }
                let result: RunResult
                do {
                    result = try await runner.run(batchID: batch.id)
                } catch {
                    group.cancelAll()
                    throw error
                }
                let elapsed = ContinuousClock.now - start
                cpu = ResourceUsage.cpuSeconds() - cpuAtStart
                simulatorCPU = simulator.cpuSeconds() - simulatorCPUAtStart
                group.cancelAll()
                return (result, elapsed, try await group.next() ?? [])
            }
            try await client.shutdown()
            guard result.ending == .completed else {
                throw EngineBenchError("the run ended \(result.ending.rawValue)\(result.storeError.map { ": \($0.message)" } ?? "")")
            }
            return EngineFigures(
                scenario: self.scenario, options: self.options, policy: policy, connections: connections, lines: batch.lineCount,
                seconds: elapsed.seconds, cpuSeconds: cpu, simulatorCPUSeconds: simulatorCPU, engine: result.progress.accounts,
                samples: samples)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

struct EngineBenchError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
