import ArgumentParser
import Foundation
import Logging
import RechargeConfig
import RechargeCore
import RechargeEngine
import RechargePostgres
import RechargeReport
import RechargeRuns
import RechargeStore

extension GlobalOptions {
    /// The PostgreSQL store `--db` (or the configuration's `paths.database`) names, if it names one.
    func postgresLocation() throws -> PostgresLocation? {
        let db = self.db
        guard PostgresLocation.isPostgresURL(db) else { return nil }
        var environment = ProcessInfo.processInfo.environment
        if environment["RECHARGE_PG_PASSWORD_FILE"] == nil, self.config != nil,
            let file = (try? self.loadConfiguration())?.store.passwordFile
        {
            environment["RECHARGE_PG_PASSWORD_FILE"] = file
        }
        do {
            return try PostgresLocation(url: db, environment: environment)
        } catch {
            throw RechargeFailure(exitCode: .configError, message: "--db: \(error.message)")
        }
    }

    /// Runs `body` with the PostgreSQL store; a store that cannot be reached, or whose schema is not this build's
    /// (`recharge migrate` brings it up to date), is an I/O error.
    func withPostgres<T: Sendable>(
        _ location: PostgresLocation, migrate: Bool = false, _ body: @Sendable (PostgresStore) async throws -> T
    ) async throws -> T {
        do {
            return try await PostgresStore.withStore(location, logger: Logger(label: "recharge.postgres"), migrate: migrate, body: body)
        } catch let error as StoreError {
            throw RechargeFailure(exitCode: .ioError, message: error.message)
        }
    }
}

/// The commands that work on a PostgreSQL store several runners share, beside SQLite: import, run, status, cancel,
/// retry and migrate. The others name SQLite files only, and say so.
enum SharedStoreCommands {
    static let supported = "import, run, status, cancel, retry --failed and migrate"

    /// A batch of the PostgreSQL store, by id or name.
    static func requireBatch(_ text: String, in store: PostgresStore) async throws -> BatchRecord {
        let reference = BatchReference(text)
        switch try await store.lookUpBatch(reference) {
        case .found(let batch): return batch
        case .missing:
            throw RechargeFailure(
                exitCode: .dataError, message: "no batch '\(reference)' in \(store.displayName) (recharge status lists the batches)")
        case .ambiguous(let batches):
            let list = batches.map { "id:\($0.id) ('\($0.name.terminalSafe)', imported \($0.importedAt))" }.joined(separator: ", ")
            throw RechargeFailure(
                exitCode: .dataError, message: "'\(reference)' could mean \(batches.count) batches: \(list); say which with id:N")
        }
    }

    static func importBatch(
        _ request: ImportRequest, reader: BatchReader, location: PostgresLocation, global: GlobalOptions
    ) async throws
        -> ImportOutcome
    {
        try await global.withPostgres(location) { store in
            try await store.importBatch(request, reader: reader)
        }
    }

    /// `recharge run` on PostgreSQL: this process is one runner among any number, on this machine or others.
    static func run(
        batch: String?, location: PostgresLocation, configuration: RechargeConfiguration, options: RunOptions, logger: Logger,
        global: GlobalOptions
    ) async throws -> (code: Int32, rows: [StatusRow]) {
        try await global.withPostgres(location) { store in
            var batchRecord: BatchRecord?
            if let batch {
                let record = try await Self.requireBatch(batch, in: store)
                if record.approvalState == .awaitingApproval || record.approvalState == .rejected {
                    throw RechargeFailure(exitCode: .awaitingApproval, message: "nothing sent: " + ApprovalText.awaiting(record))
                }
                batchRecord = record
            }
            let identity = RunnerIdentity.current()
            let engine = PostgresEngineStore(store, runner: identity.holder)
            let shared = SharedRunStore(
                engine: engine, budget: engine, identity: identity,
                accountsWithWork: { batchID in try await engine.accountsWithWork(batchID: batchID) })
            let style = options.progress
            let context = RunContext(
                store: .shared(shared), configuration: configuration, policy: options.policy(configuration), logger: logger,
                watch: { await ProgressDisplay(style: style).show($0) })
            let service = RunService(context: context, batchID: batchRecord?.id)
            let result = try await RunCommand.execute(service, logger: logger)
            var batches: [(BatchRecord, [StatusRow])] = []
            let all = try await store.batches()
            for batchID in result.batchIDs {
                guard let batch = all.first(where: { $0.id == batchID }) else { continue }
                batches.append((batch, try await store.status(batchID: batchID)))
            }
            var code = RunSummary.report(result, batches: batches, to: .standard).rawValue
            if batchRecord == nil {
                let waiting = all.filter { $0.approvalState == .awaitingApproval }
                for batch in waiting { Output.err("not run: " + ApprovalText.awaiting(batch)) }
                if code == 0 && !waiting.isEmpty { code = RechargeExit.awaitingApproval.rawValue }
            }
            return (code, batches.flatMap(\.1))
        }
    }

    static func status(batch: String?, json: Bool, location: PostgresLocation, global: GlobalOptions) async throws {
        let report = try await global.withPostgres(location) { store in
            let batchRecord = try await batch.asyncMap { try await Self.requireBatch($0, in: store) }
            let rows = try await store.status(batchID: batchRecord?.id)
            return StatusReport(batch: batchRecord, batches: batchRecord == nil ? try await store.batches() : [], rows: rows)
        }
        if json {
            try Output.json(report)
        } else {
            Output.out(report.text())
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}

/// `recharge migrate`: brings the database's schema up to this build's version.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Bring the database's schema up to date (PostgreSQL: before the first runner, and after an upgrade).",
        discussion: """
            Migrations are numbered and applied in order, each in its own transaction, under a lock that keeps two \
            machines from migrating at once; one already applied is never applied again. A SQLite database is \
            migrated whenever it is opened; on PostgreSQL, runners refuse a schema that is not theirs, and this \
            command is how it is brought up to date.
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        guard let location = try self.global.postgresLocation() else {
            _ = try self.global.openDatabase()
            Output.out("\(self.global.db.terminalSafe): schema up to date")
            return
        }
        let (applied, all): ([Int], [Int])
        do {
            (applied, all) = try await PostgresStore.withStore(
                location, logger: Logger(label: "recharge.postgres"), migrate: false, requireSchema: false
            ) { store in (try await store.migrate(), try await store.appliedMigrations()) }
        } catch let error as StoreError {
            throw RechargeFailure(exitCode: .ioError, message: error.message)
        }
        let newly = applied.isEmpty ? "already up to date" : "applied now: \(applied.map(String.init).joined(separator: ", "))"
        Output.out("\(location.displayName.terminalSafe): schema version \(all.last ?? 0) (\(newly))")
    }
}
