import ArgumentParser
import Foundation
import RechargeCore
import RechargePostgres
import RechargeRuns
import RechargeStore

/// The batch named on the command line, or a data error naming what was not found or what the name could mean.
func requireBatch(_ text: String, in database: RechargeDatabase, path: String) throws -> BatchRecord {
    let reference = BatchReference(text)
    switch try database.lookUpBatch(reference) {
    case .found(let batch):
        return batch
    case .missing:
        throw RechargeFailure(
            exitCode: RechargeExit.dataError,
            message: "no batch '\(reference)' in \(path.terminalSafe) (recharge status lists the batches)")
    case .ambiguous(let batches):
        let list = batches.map { "id:\($0.id) ('\($0.name.terminalSafe)', imported \($0.importedAt))" }.joined(separator: ", ")
        throw RechargeFailure(
            exitCode: RechargeExit.dataError,
            message: "'\(reference)' could mean \(batches.count) batches: \(list); say which with id:N")
    }
}

/// Who is acting, for the event log: the operating-system account of the process's real user id.
func operatorName() -> String {
    AuditActor.operatingSystemUser()
}

/// `recharge cancel BATCH`: cancels the lines not yet sent.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel every line of a batch that has not been sent (PENDING → CANCELLED).",
        discussion: "Lines already sent, in flight or settled are never touched. Each cancelled line is recorded in the event log."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("A batch id or name.", valueName: "batch")) var batch: String
    @Option(help: "A note for the event log.") var note: String?

    func run() async throws {
        if let location = try self.global.postgresLocation() {
            let (batch, count) = try await self.global.withPostgres(location) { store in
                let batch = try await SharedStoreCommands.requireBatch(self.batch, in: store)
                return (batch, try await store.cancelPending(batchID: batch.id, actor: operatorName(), note: self.note))
            }
            Output.out("batch \(batch.id) '\(batch.name)': \(counted(count, "line")) cancelled")
            return
        }
        let database = try self.global.openDatabase(mustExist: true)
        let batch = try requireBatch(self.batch, in: database, path: self.global.db)
        let count = try database.cancelPending(batchID: batch.id, actor: operatorName(), note: self.note)
        Output.out("batch \(batch.id) '\(batch.name)': \(counted(count, "line")) cancelled")
    }
}

/// `recharge retry BATCH --failed`: sends failed lines again under a new key generation.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Send the FAILED lines of a batch again (FAILED → PENDING, new key generation).",
        discussion: "The next `recharge run` sends them under new idempotency keys; the failed attempts stay in the event log."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("A batch id or name.", valueName: "batch")) var batch: String
    @Flag(help: "Retry the lines that failed (required: it says what is retried).") var failed = false
    @Option(help: "A note for the event log.") var note: String?

    func validate() throws {
        guard self.failed else { throw ValidationError("say what to retry: recharge retry BATCH --failed") }
    }

    func run() async throws {
        if let location = try self.global.postgresLocation() {
            let (batch, count) = try await self.global.withPostgres(location) { store in
                let batch = try await SharedStoreCommands.requireBatch(self.batch, in: store)
                return (batch, try await store.retryFailed(batchID: batch.id, actor: operatorName(), note: self.note))
            }
            Output.out("batch \(batch.id) '\(batch.name)': \(counted(count, "failed line")) back to PENDING under new keys")
            return
        }
        let database = try self.global.openDatabase(mustExist: true)
        let batch = try requireBatch(self.batch, in: database, path: self.global.db)
        let count = try database.retryFailed(batchID: batch.id, actor: operatorName(), note: self.note)
        Output.out("batch \(batch.id) '\(batch.name)': \(counted(count, "failed line")) back to PENDING under new keys")
    }
}

/// `recharge resolve BATCH:LINE --as success|failed --note TEXT`: settles an UNKNOWN line with evidence.
struct ResolveCommand: AsyncParsableCommand {
    enum Resolution: String, ExpressibleByArgument, CaseIterable {
        case success, failed
    }

    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Settle an UNKNOWN line with evidence from the provider (UNKNOWN → SUCCESS or FAILED).",
        discussion: "LINE is BATCH:LINE-NUMBER, for example 3:17. The note (the evidence) is kept in the event log and the report."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The line, as BATCH:LINE-NUMBER.", valueName: "line")) var line: String
    @Option(name: .customLong("as"), help: "What the provider's evidence shows: success or failed.") var resolution: Resolution
    @Option(help: "The evidence: who checked what, where.") var note: String

    func validate() throws {
        guard self.line.split(separator: ":").count == 2, Int(self.line.split(separator: ":")[1]) != nil else {
            throw ValidationError("LINE is BATCH:LINE-NUMBER, for example 3:17")
        }
        guard !self.note.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--note must say what the evidence is")
        }
    }

    func run() async throws {
        let parts = self.line.split(separator: ":").map(String.init)
        let database = try self.global.openDatabase(mustExist: true)
        let batch = try requireBatch(parts[0], in: database, path: self.global.db)
        do {
            let state = try database.resolveUnknown(
                batchID: batch.id, lineNumber: Int(parts[1])!, succeeded: self.resolution == .success, note: self.note,
                actor: operatorName())
            Output.out("batch \(batch.id) line \(parts[1]): \(state.rawValue)")
        } catch let error as StoreError where error.code == .notFound || error.code == .illegalTransition {
            throw RechargeFailure(exitCode: RechargeExit.dataError, message: error.message)
        }
    }
}
