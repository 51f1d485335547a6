import Foundation
import RechargeCore

/// The engine's store on the embedded SQLite database.
///
/// Each call is one short transaction on the database's own serialized writer (WAL, commits without fsync
/// except at checkpoints). The hot calls — claims, outcomes, due lines — run on a dispatch queue of their own,
/// off Swift's cooperative pool: the pool has one thread per core, and a thread blocked on SQLite's lock or
/// write is one that cannot run the requests' encoding and answers meanwhile.
package struct SQLiteEngineStore: EngineStore, ReconcileStore {
    package let database: RechargeDatabase
    private static let queue = DispatchQueue(label: "recharge.store", qos: .userInitiated, attributes: .concurrent)

    /// Runs `work` (a blocking database call) on the store's queue and resumes with its result.
    private func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Self.queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    package init(_ database: RechargeDatabase) {
        self.database = database
    }

    package func acquireLease(_ runner: LeaseClaim, now: Date) async throws -> LeaseResult {
        try self.database.acquireLease(holder: runner.holder, host: runner.host, pid: runner.pid, ttl: runner.ttl, now: now)
    }

    package func takeOverLease(from previous: LeaseHolder, by runner: LeaseClaim, now: Date) async throws -> Bool {
        try self.database.takeOverLease(
            from: previous, holder: runner.holder, host: runner.host, pid: runner.pid, ttl: runner.ttl, now: now)
    }

    package func renewLease(holder: String, ttl: TimeInterval, now: Date) async throws -> Bool {
        try self.database.renewLease(holder: holder, ttl: ttl, now: now)
    }

    package func releaseLease(holder: String) async throws {
        try self.database.releaseLease(holder: holder)
    }

    package func startRun(_ runner: LeaseClaim, batchID: Int64?, now: Date) async throws -> Int64 {
        try self.database.startRun(holder: runner.holder, host: runner.host, pid: runner.pid, batchID: batchID, now: now)
    }

    package func finishRun(id: Int64, outcome: String, now: Date) async throws {
        try self.database.finishRun(id: id, outcome: outcome, now: now)
    }

    package func batchesWithWork() async throws -> [Int64] {
        try self.database.batchesWithWork()
    }

    package func work(account: String, batchID: Int64?, now: Date) async throws -> AccountWork {
        try await self.offPool { [database] in try database.work(account: account, batchID: batchID, now: now) }
    }

    package func dueLines(account: String, batchID: Int64?, limit: Int, onePerCard: Bool, now: Date) async throws -> [DueLine] {
        try await self.offPool { [database] in
            try database.dueLines(account: account, batchID: batchID, limit: limit, onePerCard: onePerCard, now: now)
        }
    }

    package func deferLine(lineID: Int64, until: Date, code: String, message: String, now: Date) async throws {
        try self.database.deferLine(lineID: lineID, until: until, code: code, message: message, now: now)
    }

    package func claim(_ claims: [LineClaim], actor: String, now: Date) async throws -> [ClaimedLine] {
        try await self.offPool { [database] in try database.claim(claims, actor: actor, now: now) }
    }

    package func claimDue(account: String, batchID: Int64?, limit: Int, actor: String, now: Date) async throws -> [ClaimedLine] {
        try await self.offPool { [database] in
            try database.claimDue(account: account, batchID: batchID, limit: limit, actor: actor, now: now)
        }
    }

    package func recordOutcomes(_ records: [OutcomeRecord], now: Date) async throws -> [Result<LineState, StoreError>] {
        try await self.offPool { [database] in try database.recordOutcomes(records, now: now) }
    }

    package func inFlightLines(account: String?) async throws -> [InFlightLine] {
        try self.database.inFlightLines(account: account)
    }

    package func firstSend(lineID: Int64, key: IdempotencyKey) async throws -> Date? {
        try self.database.firstSend(lineID: lineID, key: key)
    }

    /// None: one runner per SQLite database (the lease), and its recovery takes every line in flight at the start.
    package func adoptOrphans(account: String, now: Date) async throws -> [InFlightLine] { [] }

    /// Always: the lease makes this runner the only one.
    package func holdAccount(_ account: String, now: Date) async throws -> Bool { true }

    package func settledSentLines(batchID: Int64) async throws -> [SentLine] {
        try self.database.settledSentLines(batchID: batchID)
    }

    package func recordedMismatches(batchID: Int64) async throws -> Set<String> {
        try self.database.recordedMismatches(batchID: batchID)
    }

    package func recordMismatch(lineID: Int64, kind: String, detail: String?, now: Date) async throws {
        try self.database.recordMismatch(lineID: lineID, kind: kind, detail: detail, now: now)
    }
}
