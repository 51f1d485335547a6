import Foundation
import GRDB
import Logging
import PostgresNIO
import RechargeCore
import RechargePostgres
import RechargeProviders
import TestSupport
import Testing

@testable import RechargeStore

/// The two stores the contract holds for.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { self.rawValue }
}

/// One store under test, whichever it is: what the contract tests need of it.
struct ContractStore: Sendable {
    var kind: StoreKind
    var importBatch: @Sendable (ImportRequest) async throws -> ImportOutcome
    /// The engine's store for one runner.
    var engine: @Sendable (_ runner: String) -> any EngineStore
    var lines: @Sendable (_ batchID: Int64) async throws -> [LineRecord]
    var events: @Sendable (_ lineID: Int64) async throws -> [EventRecord]
    /// Runs SQL as it is, for the schema's own refusals.
    var execute: @Sendable (String) async throws -> Void
}

/// The server the PostgreSQL half of the suite runs against: `.ci/run` starts one and sets this; without it the
/// suite fails, it does not skip.
func postgresTestURL() throws -> String {
    guard let url = ProcessInfo.processInfo.environment["RECHARGE_TEST_POSTGRES_URL"], !url.isEmpty else {
        throw PostgresTestServerMissing()
    }
    return url
}

struct PostgresTestServerMissing: Error, CustomStringConvertible {
    var description: String {
        "RECHARGE_TEST_POSTGRES_URL is not set: these tests need a PostgreSQL server; `eval \"$(bash scripts/postgres-test-server)\"` starts one on loopback"
    }
}

let testLogger = Logger(label: "recharge.tests")

/// A fresh, empty database on the test server, dropped when `body` returns.
func withFreshPostgres<T: Sendable>(_ body: @Sendable (PostgresLocation) async throws -> T) async throws -> T {
    var admin = try PostgresLocation(url: try postgresTestURL())
    let name = "recharge_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
    try await PostgresStore.withStore(admin, logger: testLogger, migrate: false, requireSchema: false) { server in
        try await server.execute("CREATE DATABASE \(name)")
    }
    admin.database = name
    let location = admin
    do {
        let result = try await body(location)
        try? await dropDatabase(name)
        return result
    } catch {
        try? await dropDatabase(name)
        throw error
    }
}

private func dropDatabase(_ name: String) async throws {
    let server = try PostgresLocation(url: try postgresTestURL())
    try await PostgresStore.withStore(server, logger: testLogger, migrate: false, requireSchema: false) { store in
        try await store.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }
}

/// Runs `body` with a fresh, empty store of `kind`.
func withContractStore(_ kind: StoreKind, _ body: @Sendable (ContractStore) async throws -> Void) async throws {
    switch kind {
    case .sqlite:
        let database = try RechargeDatabase.inMemory()
        try await body(
            ContractStore(
                kind: .sqlite,
                importBatch: { request in try database.importBatch(request, reader: contractReader(), now: contractNow) },
                engine: { _ in SQLiteEngineStore(database) },
                lines: { batchID in try database.lines(batchID: batchID) },
                events: { lineID in try database.events(lineID: lineID) },
                execute: { sql in try await database.writer.write { try $0.execute(sql: sql) } }))
    case .postgres:
        try await withFreshPostgres { location in
            try await PostgresStore.withStore(location, logger: testLogger) { store in
                try await body(
                    ContractStore(
                        kind: .postgres,
                        importBatch: { request in try await store.importBatch(request, reader: contractReader(), now: contractNow) },
                        engine: { runner in PostgresEngineStore(store, runner: runner) },
                        lines: { batchID in try await store.lines(batchID: batchID) },
                        events: { lineID in try await store.events(lineID: lineID) },
                        execute: { sql in try await store.execute(sql) }))
            }
        }
    }
}

/// 2026-11-22T04:30:00.123Z, the contract's "now".
let contractNow = Date(timeIntervalSince1970: 1_795_321_800.123)

func contractReader() -> BatchReader {
    BatchReader(configuration: .builtInDefault, profiles: .all, control: ControlTotals())
}

/// The sample batch: 50 lines over five accounts.
let sampleCSV = SamplePaths.path("monthly-2026-11.csv")

extension ImportOutcome {
    var importedBatch: BatchRecord? {
        if case .imported(let batch, _) = self { return batch }
        return nil
    }
}

/// A runner's lease claim for tests.
func leaseClaim(_ holder: String, ttl: TimeInterval = 30) -> LeaseClaim {
    LeaseClaim(holder: holder, host: "test-host", pid: 1, ttl: ttl)
}
