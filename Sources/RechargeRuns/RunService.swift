import Logging
import RechargeCore
import RechargeEngine
import RechargeStore
import ServiceLifecycle
import Synchronization

/// What every run of one process shares: the store, the configuration and policy, the logger, and whoever watches
/// a run's progress while it works.
package struct RunContext: Sendable {
    package var database: RechargeDatabase
    package var configuration: RechargeConfiguration
    package var policy: ExecutionPolicy
    package var logger: Logger
    /// Runs beside each run, from its start, and is cancelled when the run ends (a progress display).
    package var watch: @Sendable (RunProgress) async -> Void

    package init(
        database: RechargeDatabase, configuration: RechargeConfiguration, policy: ExecutionPolicy = ExecutionPolicy(), logger: Logger,
        watch: @escaping @Sendable (RunProgress) async -> Void = { _ in }
    ) {
        self.database = database
        self.configuration = configuration
        self.policy = policy
        self.logger = logger
        self.watch = watch
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
        let accounts = try ProviderLanes.accountsWithWork(
            batchID: self.batchID, in: context.database, configuration: context.configuration)
        let result = try await withHTTPClient(for: accounts, trustedCAFile: context.configuration.trustedCAFile) { client in
            let lanes = try ProviderLanes.lanes(for: accounts, client: client, policy: context.policy)
            let runner = Runner(
                store: SQLiteEngineStore(context.database), lanes: lanes, policy: context.policy, clock: ContinuousClock(),
                identity: .current(),
                logger: context.logger)
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
