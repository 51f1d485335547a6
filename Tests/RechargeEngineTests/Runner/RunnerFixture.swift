import Foundation
import Logging
import RechargeCore
import RechargeProviders
import RechargeStore
import TestSupport

@testable import RechargeEngine

/// A database with one batch for the account `acme` (kind Pagsmile), the runner over it, and fast test policies.
struct RunnerFixture {
    let directory: URL
    let database: RechargeDatabase

    /// Imports `cards` as one line each (amount 10.00 USD, in order).
    init(cards: [String]) throws {
        try self.init(lines: cards.map { (Self.account.name, $0) }, configuration: Self.configuration)
    }

    /// Imports one line per (account, card) (amount 10.00 USD, in order); `configuration` must name the accounts.
    init(lines: [(account: String, card: String)], configuration: RechargeConfiguration) throws {
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("recharge-engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        self.database = try RechargeDatabase(path: self.directory.appendingPathComponent("db.sqlite").path)
        var csv = "provider,card_id,amount,currency,reference\n"
        for (index, line) in lines.enumerated() { csv += "\(line.account),\(line.card),10.00,USD,REF-\(index + 1)\n" }
        let file = self.directory.appendingPathComponent("batch.csv")
        try Data(csv.utf8).write(to: file)
        let reader = BatchReader(configuration: configuration, profiles: .all, control: ControlTotals())
        let outcome = try self.database.importBatch(ImportRequest(path: file.path), reader: reader)
        guard case .imported = outcome else { throw FixtureError(message: "the fixture batch did not import: \(outcome)") }
    }

    static let account = ProviderAccount(name: "acme", kind: .pagsmile, defaultPayAccountNumber: "PA-1")
    static let configuration = RechargeConfiguration(accounts: [account])

    /// Retries and status queries a few milliseconds apart, so a test's run takes milliseconds.
    static var fastPolicy: ExecutionPolicy {
        var policy = ExecutionPolicy()
        policy.retry = BackoffPolicy(base: .milliseconds(1), cap: .milliseconds(4), maximumAttempts: 4)
        policy.statusQueries = BackoffPolicy(base: .milliseconds(1), cap: .milliseconds(2), maximumAttempts: 3)
        policy.breakerThreshold = 100
        policy.stopGrace = .seconds(5)
        return policy
    }

    func runner(
        _ provider: some ProviderClient, policy: ExecutionPolicy = Self.fastPolicy, account: ProviderAccount = Self.account,
        identity: RunnerIdentity = RunnerIdentity(holder: "test-runner", host: "test-host", pid: 1),
        now: @escaping @Sendable () -> Date = { Date() }
    ) -> Runner<ContinuousClock> {
        let lane = AccountLane(account: account, client: provider, policy: policy, clock: ContinuousClock())
        return Runner(
            store: SQLiteEngineStore(self.database), lanes: [lane], policy: policy, clock: ContinuousClock(), now: now, identity: identity,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// A runner over several accounts, each with its provider, on `clock` (with `now` read from it too).
    func runner<C: Clock>(
        lanes: [(account: ProviderAccount, provider: any ProviderClient)], policy: ExecutionPolicy, clock: C,
        now: @escaping @Sendable () -> Date
    ) -> Runner<C> where C.Duration == Duration {
        Runner(
            store: SQLiteEngineStore(self.database),
            lanes: lanes.map { AccountLane(account: $0.account, client: $0.provider, policy: policy, clock: clock) }, policy: policy,
            clock: clock, now: now, identity: RunnerIdentity(holder: "test-runner", host: "test-host", pid: 1),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    func states() throws -> [String: LineState] {
        Dictionary(uniqueKeysWithValues: try self.database.lines(batchID: 1).map { ($0.cardID, $0.state) })
    }

    func line(_ card: String) throws -> LineRecord? {
        try self.database.lines(batchID: 1).first { $0.cardID == card }
    }

    /// Runs `runner` on batch 1 while time moves only here: `clock` advances 100 ms at a time, `beforeEachStep`
    /// running before each step, until the run returns.
    static func runMovingTime(
        _ runner: Runner<ManualClock>, clock: ManualClock, beforeEachStep: @escaping @Sendable () -> Void = {}
    ) async throws -> RunResult {
        try await withThrowingTaskGroup(of: RunResult?.self) { group in
            group.addTask { try await runner.run(batchID: 1) }
            group.addTask {
                while !Task.isCancelled {
                    beforeEachStep()
                    clock.advance(by: .milliseconds(100))
                    await Task.yield()
                }
                return nil
            }
            defer { group.cancelAll() }
            while let finished = try await group.next() {
                if let finished { return finished }
            }
            throw FixtureError(message: "the run returned no result")
        }
    }

    struct FixtureError: Error, CustomStringConvertible {
        var message: String
        var description: String { self.message }
    }

    func remove() {
        try? FileManager.default.removeItem(at: self.directory)
    }
}
