import Logging
import RechargeCore
import RechargeEngine
import RechargeStore
import ServiceLifecycle
import Synchronization

/// A store several runners share (PostgreSQL): the engine's store speaking for this runner, the rate budgets every
/// runner spends, and which accounts have work.
package struct SharedRunStore: Sendable {
    package var engine: any EngineStore
    package var budget: any SharedRateBudget
    /// This runner: the identity its store stamps claims with.
    package var identity: RunnerIdentity
    package var accountsWithWork: @Sendable (_ batchID: Int64?) async throws -> Set<String>

    package init(
        engine: any EngineStore, budget: any SharedRateBudget, identity: RunnerIdentity,
        accountsWithWork: @escaping @Sendable (_ batchID: Int64?) async throws -> Set<String>
    ) {
        self.engine = engine
        self.budget = budget
        self.identity = identity
        self.accountsWithWork = accountsWithWork
    }
}

/// Where a run's lines are: the embedded SQLite database (one runner, the lease), or a store several runners share.
package enum RunStore: Sendable {
    case sqlite(RechargeDatabase)
    case shared(SharedRunStore)
}

/// What every run of one process shares: the store, the configuration and policy, the logger, and whoever watches
/// a run's progress while it works.
package struct RunContext: Sendable {
    package var store: RunStore
    package var configuration: RechargeConfiguration
    package var policy: ExecutionPolicy
    package var logger: Logger
    /// Runs beside each run, from its start, and is cancelled when the run ends (a progress display).
    package var watch: @Sendable (RunProgress) async -> Void

    package init(
        database: RechargeDatabase, configuration: RechargeConfiguration, policy: ExecutionPolicy = ExecutionPolicy(), logger: Logger,
        watch: @escaping @Sendable (RunProgress) async -> Void = { _ in }
    ) {
        self.init(store: .sqlite(database), configuration: configuration, policy: policy, logger: logger, watch: watch)
    }

    package init(
        store: RunStore, configuration: RechargeConfiguration, policy: ExecutionPolicy = ExecutionPolicy(), logger: Logger,
        watch: @escaping @Sendable (RunProgress) async -> Void = { _ in }
    ) {
        self.store = store
        self.configuration = configuration
        self.policy = policy
        self.logger = logger
        self.watch = watch
    }

    /// The SQLite database, for the hosts that run only on it (the inbox, the console).
    package var database: RechargeDatabase {
        guard case .sqlite(let database) = self.store else {
            preconditionFailure("the inbox and the console run on the embedded SQLite database only")
        }
        return database
    }
}

/// One execution — a batch, or every batch with work left — as a service: first the lines a previous run left in
/// flight, then every due line, until each line is final, an account is given up, or the run is stopped.
///
/// A graceful shutdown of its group (SIGINT/SIGTERM in `recharge`, a stop in a host) is the runner's stop: no
/// new line is claimed, lines waiting for their turn go back to PENDING unsent, requests on the wire get the
/// policy's stop grace to be answered and recorded, and the run ends ``RunResult/Ending/stopped``. The HTTP
/// client lives exactly as long as the run.
///
/// How the run ended is ``result`` once ``run()`` returned; ``execute()`` returns it directly.
package final class RunService: Service, Sendable {
    package let context: RunContext
    package let batchID: Int64?
    private let finished = Mutex<RunResult?>(nil)

    package init(context: RunContext, batchID: Int64?) {
        self.context = context
        self.batchID = batchID
    }

    /// How the run ended; `nil` until ``run()`` (or ``execute()``) returned.
    package var result: RunResult? { self.finished.withLock { $0 } }

    package func run() async throws {
        _ = try await self.execute()
    }

    /// Runs the batch (or every batch with work) and returns how it ended.
    /// - Throws: ``RechargeFailure``: 78 for an account the configuration lacks or cannot use, 75 when another
    ///   runner holds the database, 74 when the database fails before the run could start.
    package func execute() async throws -> RunResult {
        let context = self.context
        let accounts: [ProviderAccount]
        let store: any EngineStore
        let identity: RunnerIdentity
        let budget: (any SharedRateBudget)?
        switch context.store {
        case .sqlite(let database):
            accounts = try ProviderLanes.accountsWithWork(batchID: self.batchID, in: database, configuration: context.configuration)
            (store, identity, budget) = (SQLiteEngineStore(database), .current(), nil)
        case .shared(let shared):
            let names: Set<String>
            do {
                names = try await shared.accountsWithWork(self.batchID)
            } catch {
                throw RechargeFailure(exitCode: .ioError, message: "the database failed before the run could start: \(error)")
            }
            accounts = try ProviderLanes.accounts(named: names, in: context.configuration)
            (store, identity, budget) = (shared.engine, shared.identity, shared.budget)
        }
        let result = try await withHTTPClient(for: accounts, trustedCAFile: context.configuration.trustedCAFile) { client in
            let lanes = try ProviderLanes.lanes(for: accounts, client: client, policy: context.policy, sharedBudget: budget)
            let runner = Runner(
                store: store, lanes: lanes, policy: context.policy, clock: ContinuousClock(), identity: identity, logger: context.logger)
            return try await withGracefulShutdownHandler {
                try await Self.run(runner, batchID: self.batchID, watch: context.watch)
            } onGracefulShutdown: {
                runner.stop.trigger()
            }
        }
        self.finished.withLock { $0 = result }
        return result
    }

    /// Runs `runner` with `watch` beside it; `watch` is cancelled when the run ends.
    private static func run(
        _ runner: Runner<ContinuousClock>, batchID: Int64?, watch: @escaping @Sendable (RunProgress) async -> Void
    ) async throws -> RunResult {
        try await withThrowingTaskGroup(of: RunResult?.self) { group in
            group.addTask {
                await watch(runner.progress)
                return nil
            }
            group.addTask {
                do {
                    return try await runner.run(batchID: batchID)
                } catch let error as RunError {
                    if case .leaseHeld = error {
                        throw RechargeFailure(exitCode: .leaseHeld, message: error.description)
                    }
                    throw RechargeFailure(exitCode: .ioError, message: error.description)
                }
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            fatalError("the runner task always returns a result")
        }
    }
}
