import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOSSL
import RechargeConfig
import RechargeCore
import RechargeEngine
import RechargeProviders
import RechargeStore
import UnixSignals

/// Everything one execution needs, shared by `recharge run` and `recharge demo`: the adapters, the runner, the
/// signal handling, the progress display and the summary with its exit code.
struct RunSession {
    var database: RechargeDatabase
    var configuration: RechargeConfiguration
    var databasePath: String
    var policy = ExecutionPolicy()
    var progressStyle = ProgressStyle.automatic
    var logger: Logger
    /// When set, the caller owns SIGINT/SIGTERM (`recharge inbox` runs several batches under one signal handler)
    /// and triggers this to stop the run; otherwise the session traps the signals itself.
    var stop: StopSignal?

    /// How one execution ended: the exit code its summary calls for, and what the metrics file needs.
    struct Outcome: Sendable {
        var code: Int32
        var batchIDs: [Int64]
        var elapsed: Duration
        var ending: RunResult.Ending
    }

    /// Runs `batch` (or every batch with work) and returns the exit code the summary calls for.
    func run(batch: BatchRecord?) async throws -> Int32 {
        try await self.runForOutcome(batch: batch).code
    }

    /// Runs `batch` (or every batch with work) and returns how it ended.
    func runForOutcome(batch: BatchRecord?) async throws -> Outcome {
        let accounts = try self.accountsWithWork(batchID: batch?.id)
        let client = Self.httpClient(for: accounts, trustedCAFile: self.configuration.trustedCAFile)
        let result: RunResult
        do {
            result = try await self.execute(accounts: accounts, client: client, batchID: batch?.id)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        let code = try self.summarize(result)
        return Outcome(code: code, batchIDs: result.batchIDs, elapsed: result.progress.elapsed, ending: result.ending)
    }

    /// The configured accounts the lines in scope refer to; a line naming an account the configuration lacks is
    /// a configuration error, reported before anything is sent.
    private func accountsWithWork(batchID: Int64?) throws -> [ProviderAccount] {
        let rows = try self.database.status(batchID: batchID)
        return try Self.accounts(named: Set(rows.filter { !$0.state.isSettled }.map(\.account)), in: self.configuration)
    }

    /// The configured accounts with these names; a name the configuration lacks is a configuration error.
    static func accounts(named names: Set<String>, in configuration: RechargeConfiguration) throws -> [ProviderAccount] {
        var accounts: [ProviderAccount] = []
        for name in names.sorted() {
            guard let account = configuration.account(named: name) else {
                throw CommandFailure(
                    exitCode: RechargeExit.configError,
                    message: "the batch's lines name the provider account '\(name)', which the configuration does not define")
            }
            accounts.append(account)
        }
        return accounts
    }

    /// One lane per account: its adapter with credentials resolved, its limiter, slots and breaker.
    static func lanes(for accounts: [ProviderAccount], client: HTTPClient, policy: ExecutionPolicy) throws -> [AccountLane<ContinuousClock>]
    {
        var lanes: [AccountLane<ContinuousClock>] = []
        for account in accounts {
            do {
                let credentials = try account.resolveCredentials(profiles: .all)
                let adapter = try ProviderClients.make(account: account, credentials: credentials, client: client)
                lanes.append(AccountLane(account: account, client: adapter, policy: policy, clock: ContinuousClock()))
            } catch {
                throw CommandFailure(exitCode: RechargeExit.configError, message: "configuration: \(error.description)")
            }
        }
        return lanes
    }

    /// One read-only lane per account, for `recharge reconcile`: the adapter's lookup only (it never holds the send
    /// capability), with the account's limiter and slots.
    static func lookupLanes(for accounts: [ProviderAccount], client: HTTPClient) throws -> [LookupLane<ContinuousClock>] {
        var lanes: [LookupLane<ContinuousClock>] = []
        for account in accounts {
            do {
                let credentials = try account.resolveCredentials(profiles: .all)
                let lookup = try ProviderClients.lookup(account: account, credentials: credentials, client: client)
                lanes.append(LookupLane(account: account, lookup: lookup, clock: ContinuousClock()))
            } catch {
                throw CommandFailure(exitCode: RechargeExit.configError, message: "configuration: \(error.description)")
            }
        }
        return lanes
    }

    /// An HTTP client whose connection pool allows as many connections per host as the accounts' in-flight limits together.
    static func httpClient(for accounts: [ProviderAccount], trustedCAFile: String? = nil) -> HTTPClient {
        // Accounts may share a host (two sub-accounts of one provider; the simulator serves all five): the pool's
        // per-host limit must cover them all.
        let connections = max(8, accounts.reduce(0) { $0 + $1.maxInFlight })
        var settings = HTTPClient.Configuration()
        settings.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        // Certificates are always verified; a private CA is added to the trusted roots, never a way around them.
        if let trustedCAFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = [.file(trustedCAFile)]
            settings.tlsConfiguration = tls
        }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
    }

    private func execute(accounts: [ProviderAccount], client: HTTPClient, batchID: Int64?) async throws -> RunResult {
        let lanes = try Self.lanes(for: accounts, client: client, policy: self.policy)
        let runner = Runner(
            store: SQLiteEngineStore(self.database), lanes: lanes, policy: self.policy, clock: ContinuousClock(), identity: .current(),
            logger: self.logger)
        return try await withThrowingTaskGroup(of: RunResult?.self) { group in
            if let stop = self.stop {
                group.addTask {
                    await stop.wait()
                    if !Task.isCancelled { runner.stop.trigger() }
                    return nil
                }
            } else {
                group.addTask { await Self.stopOnSignal(runner, logger: self.logger) }
            }
            group.addTask { await ProgressDisplay(style: self.progressStyle).show(runner.progress, until: runner.stop) }
            group.addTask {
                do {
                    return try await runner.run(batchID: batchID)
                } catch let error as RunError {
                    if case .leaseHeld = error {
                        throw CommandFailure(exitCode: RechargeExit.leaseHeld, message: error.description)
                    }
                    throw CommandFailure(exitCode: RechargeExit.ioError, message: error.description)
                }
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            fatalError("the runner task always returns a result")
        }
    }

    /// SIGINT or SIGTERM: stop claiming, let requests in flight come back, record them, exit.
    private static func stopOnSignal(_ runner: Runner<ContinuousClock>, logger: Logger) async -> RunResult? {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        for await signal in signals {
            logger.notice("\(signal) received: no new lines are sent; waiting for the requests in flight")
            runner.stop.trigger()
            break
        }
        return nil
    }

    /// Prints the run's summary and the batches' status; returns the exit code.
    private func summarize(_ result: RunResult) throws -> Int32 {
        let snapshot = result.progress
        let seconds = snapshot.elapsed.timeInterval
        Output.out(
            "run \(result.ending.rawValue) in \(String(format: "%.1f", seconds)) s: \(snapshot.settled) lines settled "
                + "(\(String(format: "%.0f", snapshot.linesPerSecond)) lines/s)")
        if let previous = result.tookOverFrom {
            Output.out("took over from runner \(previous.holder), last heartbeat \(previous.heartbeatAt)")
        }
        var states: [LineState: Int] = [:]
        var processing: [String: Int] = [:]
        for batchID in result.batchIDs {
            guard let batch = try self.database.batch(id: batchID) else { continue }
            let rows = try self.database.status(batchID: batchID)
            for row in rows {
                states[row.state, default: 0] += row.count
                if row.state == .processing { processing[row.account, default: 0] += row.count }
            }
            Output.out("")
            Output.out(StatusReport(batch: batch, batches: [], rows: rows).text())
        }
        if let error = result.storeError {
            Output.err("recharge: error: the database failed during the run: \(error.message)")
            return RechargeExit.ioError.rawValue
        }
        for account in result.unreachableAccounts {
            Output.err(Self.unreachableMessage(account, processing: processing[account.name, default: 0]))
        }
        let unfinished = states[.pending, default: 0] + states[.processing, default: 0]
        // An account given up whose lines all settled anyway (its last requests were answered) left nothing undone.
        let stoppedEarly = result.ending != .completed && !(result.ending == .accountsUnreachable && unfinished == 0)
        if unfinished > 0 || stoppedEarly {
            Output.err("recharge: \(unfinished) lines are not final yet; run again to resume (`recharge run`)")
            return RechargeExit.unfinished.rawValue
        }
        if let unknown = states[.unknown], unknown > 0 {
            Output.err("recharge: \(unknown) lines are UNKNOWN: check them with the provider, then `recharge resolve`")
            return RechargeExit.someUnknown.rawValue
        }
        if let failed = states[.failed], failed > 0 {
            Output.err("recharge: \(failed) lines FAILED (see `recharge status`; `recharge retry BATCH --failed` sends them again)")
            return RechargeExit.someFailed.rawValue
        }
        return 0
    }

    /// What the operator reads when an account was given up: which one, for how long, and what to do.
    static func unreachableMessage(_ account: RunProgress.Account, processing: Int) -> String {
        let seconds = Int((account.unreachableFor ?? .zero).timeInterval)
        let time = seconds >= 60 ? "\(seconds / 60) min" : "\(seconds) s"
        var message =
            "recharge: provider account \(account.name.terminalSafe) has been unreachable for \(time): its lines are left PENDING; "
            + "run again when it is back"
        if processing > 0 {
            message += " (\(processing) lines whose answer was lost stay PROCESSING; the next run resolves them first)"
        }
        return message
    }
}
