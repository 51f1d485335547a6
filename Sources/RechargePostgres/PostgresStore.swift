import Foundation
import Logging
import PostgresNIO
import RechargeCore

/// A PostgreSQL database shared by several runners on several machines: the connection pool and the schema.
///
/// The pool runs as long as the body of ``withStore(_:logger:body:)``; every method is one transaction that keeps
/// the invariants, and the schema (``PostgresSchema``) refuses whatever would break them.
package struct PostgresStore: Sendable {
    let client: PostgresClient
    let logger: Logger
    /// Where the store is, for messages: never with a password.
    package let displayName: String

    /// Connects to `location`, brings the schema up to date (unless `migrate` is false, where an outdated schema is an
    /// error, or `requireSchema` is false too: a server's maintenance database) and runs `body` with the store; the pool
    /// is closed when `body` returns.
    package static func withStore<Result: Sendable>(
        _ location: PostgresLocation, logger: Logger, migrate: Bool = true, requireSchema: Bool = true,
        body: @Sendable (PostgresStore) async throws -> Result
    ) async throws -> Result {
        try await Self.checkReachable(location, logger: logger)
        let client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: logger)
        let store = PostgresStore(client: client, logger: logger, displayName: location.displayName)
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            // The pool serves once its run() has started: wait for that, rather than lease a connection first.
            let (started, starting) = AsyncStream.makeStream(of: Void.self)
            group.addTask {
                starting.finish()
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            for await _ in started {}
            if migrate {
                try await store.migrate()
            } else if requireSchema {
                try await store.requireCurrentSchema()
            }
            return try await body(store)
        }
    }

    /// One connection made outside the pool, for a clear error: the pool itself retries a refused connection for ever.
    ///
    /// The connection is made on NIO's event loop, where a refusal fails at once and a silent host fails after the
    /// connect time-out, not raced against a timer on Swift's cooperative threads: a process whose threads are busy
    /// would lose that race to a server that answered in time. The 60 s bound is a backstop for a server that accepts
    /// the connection and then never speaks.
    private static func checkReachable(_ location: PostgresLocation, logger: Logger) async throws {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let connection = try await PostgresConnection.connect(
                        configuration: try location.connectionConfiguration(), id: 0, logger: logger)
                    try? await connection.close()
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(60))
                    throw StoreError(.databaseUnavailable, "no answer from PostgreSQL at \(location.displayName) within 60 s")
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.databaseUnavailable, "cannot reach PostgreSQL at \(location.displayName): \(Self.describe(error))")
        }
    }

    // MARK: Migrations

    /// The schema version this build writes.
    package static var currentVersion: Int { PostgresSchema.migrations.last?.version ?? 0 }

    /// Applies every migration not yet applied, each in its own transaction, under an advisory lock so that runners
    /// starting together do not race. Returns the versions applied.
    @discardableResult
    package func migrate() async throws -> [Int] {
        try await self.transaction { connection in
            // One migrator at a time, across every machine: the lock is held to the end of this transaction.
            try await connection.query("SELECT pg_advisory_xact_lock(7246655)", logger: self.logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migration (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())
                """, logger: self.logger)
            let applied = Set(
                try await connection.query("SELECT version FROM schema_migration", logger: self.logger).values(Int32.self).map(Int.init))
            if let newer = applied.max(), newer > Self.currentVersion {
                throw StoreError(
                    .databaseUnavailable,
                    "the database at \(self.displayName) has schema version \(newer), newer than this recharge (\(Self.currentVersion)); upgrade recharge"
                )
            }
            var done: [Int] = []
            for migration in PostgresSchema.migrations where !applied.contains(migration.version) {
                // One statement at a time: the extended protocol takes no more.
                for statement in PostgresSchema.statements(of: migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migration (version, name) VALUES (\(migration.version), \(migration.name))", logger: self.logger)
                done.append(migration.version)
            }
            return done
        }
    }

    /// The versions applied so far, oldest first.
    package func appliedMigrations() async throws -> [Int] {
        try await self.run {
            let exists =
                try await self.client.query("SELECT to_regclass('schema_migration') IS NOT NULL", logger: self.logger)
                .values(Bool.self).first ?? false
            guard exists else { return [] }
            return try await self.client.query("SELECT version FROM schema_migration ORDER BY version", logger: self.logger)
                .values(Int32.self).map(Int.init)
        }
    }

    private func requireCurrentSchema() async throws {
        let applied = try await self.appliedMigrations()
        guard applied.last == Self.currentVersion else {
            throw StoreError(
                .databaseUnavailable,
                "the database at \(self.displayName) has schema version \(applied.last ?? 0), this recharge needs \(Self.currentVersion); run `recharge migrate --db URL`"
            )
        }
    }

    // MARK: Transactions and errors

    /// Runs `body` in one transaction; a database error becomes a ``StoreError`` whose message is the server's.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await self.run {
            try await self.client.withTransaction(logger: self.logger) { connection in try await body(connection) }
        }
    }

    /// Runs `body`, turning a database error into a ``StoreError``.
    func run<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StoreError {
            throw error
        } catch let error as PostgresTransactionError {
            if let closure = error.closureError as? StoreError { throw closure }
            let cause = error.closureError ?? error.commitError ?? error.beginError ?? error
            throw StoreError(.io, "PostgreSQL at \(self.displayName): \(Self.describe(cause))")
        } catch {
            throw StoreError(.io, "PostgreSQL at \(self.displayName): \(Self.describe(error))")
        }
    }

    /// The server's message for an error (never the query's bound values), else the error itself.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            return "\(error.code)"
        }
        return "\(error)"
    }
}
