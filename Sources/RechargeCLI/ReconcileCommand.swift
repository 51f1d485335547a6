import ArgumentParser
import Foundation
import RechargeCore
import RechargeEngine
import RechargeRuns
import RechargeStore

/// `recharge reconcile BATCH`: verifies settled lines against the providers' own records.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Ask each provider about every SUCCESS, FAILED and CANCELLED line of a batch, and record where it disagrees.",
        discussion: """
            Uses each provider's read-only queries only (within the account's rate limit and in-flight limit, waiting \
            out a 429's Retry-After); nothing it does can move money. A FAILED or CANCELLED line the provider applied, \
            a SUCCESS it reversed (a HyperCard refund) or does not know, is recorded as a mismatch, listed first in \
            `recharge report`. Lines a provider cannot answer for by a read (PayCertify keeps no record by key; UQPay \
            without a recorded card_order_id) are counted as unverifiable. Exit codes: 0 no mismatch; 13 mismatches found; 65 unknown batch; 78 \
            configuration error.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("A batch id or name.", valueName: "batch"))
    var batch: String

    func run() async throws {
        let configuration = try self.global.loadConfiguration()
        let database = try self.global.openDatabase(mustExist: true)
        let batch = try requireBatch(self.batch, in: database, path: self.global.db)
        let names = Set(try database.settledSentLines(batchID: batch.id).map(\.line.account))
        let accounts = try ProviderLanes.accounts(named: names, in: configuration)
        let result = try await withHTTPClient(for: accounts, trustedCAFile: configuration.trustedCAFile) { client in
            let lanes = try ProviderLanes.lookupLanes(for: accounts, client: client)
            return try await Reconciler(
                store: SQLiteEngineStore(database), lanes: lanes, clock: ContinuousClock(), logger: RechargeLogging.logger(verbose: false)
            )
            .verify(batchID: batch.id)
        }
        Output.out(
            "batch \(batch.id) '\(batch.name)': \(result.checked) settled lines checked, \(result.agreed) agree, "
                + "\(result.mismatched.count) mismatched, \(result.unverifiable) unverifiable")
        for mismatch in result.mismatched {
            Output.out("  line \(mismatch.line): \(mismatch.kind): \(mismatch.detail)")
        }
        if !result.mismatched.isEmpty { throw ExitCode(RechargeExit.mismatches.rawValue) }
    }
}
