import ArgumentParser
import Foundation
import Logging
import RechargeCore
import RechargeEngine
import RechargeProviders
import RechargeStore
import Synchronization

/// `recharge-bench measure-engine`: the runner against providers that answer at once, in memory — no HTTP, no
/// simulator, no cryptography — so what is left is the engine and its store (claims and outcomes in SQLite).
struct EngineOnlyBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure-engine",
        abstract: "Run a generated batch against in-memory providers that apply every top-up at once (the engine and store alone).")

    @OptionGroup var options: EngineOptions

    func run() async throws {
        let folder = NSTemporaryDirectory() + "recharge-bench-engine-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let csv = folder + "/batch.csv"
        try EngineBatch.writeCSV(
            lines: self.options.lines, linesPerCard: self.options.linesPerCard, cycle: self.options.cycle, seed: self.options.seed, to: csv)
        let database = try RechargeDatabase(path: folder + "/bench.sqlite")
        guard
            case .imported(let batch, _) = try database.importBatch(
                ImportRequest(path: csv), reader: BatchReader(configuration: .builtInDefault, profiles: .all))
        else { throw EngineBenchError("the generated batch was not imported") }

        let policy = ExecutionPolicy()
        let before = ResourceUsage.residentBytes()
        var lanes: [AccountLane<ContinuousClock>] = []
        for kind in ProviderKind.allCases {
            var account = ProviderAccount(name: kind.rawValue, kind: kind)
            account.maxInFlight = self.options.maxInFlight ?? 16
            let rules = ProviderProfiles.all[kind]?.executionRules(for: account) ?? ExecutionRules()
            lanes.append(AccountLane(account: account, client: InstantProvider(rules: rules), policy: policy, clock: ContinuousClock()))
        }
        var logger = Logger(label: "recharge-bench")
        logger.logLevel = .warning
        let runner = Runner(
            store: SQLiteEngineStore(database), lanes: lanes, policy: policy, clock: ContinuousClock(), identity: .current(), logger: logger
        )
        let cpuBefore = ResourceUsage.cpuSeconds()
        let (result, elapsed) = try await measureAsync { try await runner.run(batchID: batch.id) }
        let cpu = ResourceUsage.cpuSeconds() - cpuBefore
        let succeeded = try database.status(batchID: batch.id).filter { $0.state == .success }.reduce(0) { $0 + $1.count }
        print(
            String(
                format:
                    "engine alone: %d lines (%d SUCCESS) in %.2f s = %.0f lines/s, CPU %.3f ms per line; run ended %@; RSS %@ before the run, %@ after, peak %@",
                batch.lineCount, succeeded, elapsed.seconds, Double(batch.lineCount) / elapsed.seconds,
                cpu * 1000 / Double(max(1, batch.lineCount)), result.ending.rawValue as NSString,
                ResourceUsage.megabytes(before) as NSString, ResourceUsage.megabytes(ResourceUsage.residentBytes()) as NSString,
                ResourceUsage.megabytes(ResourceUsage.peakResidentBytes()) as NSString))
    }
}

/// A provider that applies every top-up at once, with the execution rules of the real adapter of its kind (from its
/// profile: VCC and PayCertify one line per card at a time, PayCertify a card read before each top-up).
final class InstantProvider: ProviderClient {
    let executionRules: ExecutionRules
    private let references = Atomic<Int>(0)

    init(rules: ExecutionRules) {
        self.executionRules = rules
    }

    var lookup: any ProviderLookup { InstantLookup() }

    func recharge(_ request: RechargeRequest) async -> RechargeOutcome {
        let reference = self.references.add(1, ordering: .relaxed).newValue
        return .applied(ProviderReceipt(providerReference: String(reference)))
    }

}

/// The instant provider's lookup: a card read that always succeeds; status queries are never needed.
struct InstantLookup: ProviderLookup {
    func evidenceBeforeRecharge(_ request: RechargeRequest) async -> EvidenceRead {
        .recorded(ResolutionEvidence(text: "balance=100.00"))
    }

    func status(_ request: RechargeRequest, recorded: RecordedSend) async -> StatusOutcome {
        .cannotTell(reason: "not used")
    }
}

/// Measures the wall-clock duration of a piece of asynchronous work.
func measureAsync<T>(_ work: () async throws -> T) async rethrows -> (T, Duration) {
    let start = ContinuousClock.now
    let result = try await work()
    return (result, ContinuousClock.now - start)
}
