import ArgumentParser
import Foundation
import Logging
import RechargeConfig
import RechargeCore
import RechargeEngine
import RechargeProviders
import RechargeReport
import RechargeRuns
import RechargeStore

/// `recharge demo`: the whole product on one machine, with nothing but the repository.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start the provider simulator, import the sample monthly file into a fresh database and run it.",
        discussion: """
            The simulator is the recharge-sim executable beside recharge (`swift build --product recharge-sim`), \
            started on a free loopback port and stopped when the demo ends. Everything goes to --dir (default \
            ./recharge-demo): the database, the configuration pointing at the simulator, key files (mode 0600) holding \
            the simulator's published test credentials, and the simulator's configuration and log. The simulator \
            injects a few faults (refusals before applying, answers lost after applying, throttling) so the run shows \
            retries and in-doubt resolution. The exit code is the run's (see `recharge run --help`).
            """
    )

    @Option(help: "Where the demo's database, configuration and key files go; the database is recreated.")
    var dir = "recharge-demo"

    @Option(help: "The batch file to run (default: the built-in sample monthly file, written to --dir).")
    var file: String?

    @Option(help: "The simulator's random seed (which requests get a fault).")
    var seed: UInt64 = 7

    @Flag(help: "A simulator without faults or latency.") var clean = false

    @Option(help: "How progress is shown: auto, live, log, none.")
    var progress: ProgressStyle = .automatic

    @Option(name: .customLong("log-format"), help: "Log records on standard error as text (default) or json (one object per line).")
    var logFormat: LogFormat = .text

    func run() async throws {
        // Before anything is set up: without the simulator there is no demo.
        _ = try DemoSimulator.executable()
        if let file, !FileManager.default.fileExists(atPath: file) {
            throw RechargeFailure(exitCode: RechargeExit.noInput, message: "\(file.terminalSafe): no such file")
        }
        let directory = URL(fileURLWithPath: self.dir)
        let databasePath = directory.appendingPathComponent("recharge.sqlite").path
        let database: RechargeDatabase
        let batch: BatchRecord
        do {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("keys"), withIntermediateDirectories: true)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: databasePath + suffix) }
            database = try RechargeDatabase(path: databasePath)
            batch = try self.importSample(into: database, directory: directory)
        } catch let failure as RechargeFailure {
            throw failure
        } catch {
            throw RechargeFailure(exitCode: RechargeExit.ioError, message: "demo set-up failed: \(error)")
        }
        let simulatorConfiguration = directory.appendingPathComponent("simulator.json").path
        do {
            try self.simulatorConfiguration(cardsOf: database.lines(batchID: batch.id)).write(
                to: URL(fileURLWithPath: simulatorConfiguration))
        } catch {
            throw RechargeFailure(exitCode: .ioError, message: "demo set-up failed: \(error)")
        }
        let logger = RechargeLogging.logger(verbose: false, format: self.logFormat)
        let style = self.progress
        let (code, applied) = try await Lifecycle.run(stopNotice: RunOptions.stopNotice, logger: logger) {
            try await DemoSimulator.withRunning(
                simulatorConfiguration: simulatorConfiguration, directory: directory.path, timeoutMilliseconds: 2000
            ) { simulator in
                let configuration = try Self.loadConfiguration(simulator.configurationPath)
                Output.out(
                    "simulator on http://127.0.0.1:\(simulator.port); configuration \(simulator.configurationPath); database \(databasePath)"
                )
                let context = RunContext(
                    database: database, configuration: configuration, logger: logger,
                    watch: { await ProgressDisplay(style: style).show($0) })
                let result = try await RunService(context: context, batchID: batch.id).execute()
                let code = try RunSummary.report(result, database: database, to: .standard)
                return (code, try await simulator.appliedCount())
            }
        }
        Output.out("")
        Output.out("the simulator's ledger holds \(applied) applied top-ups")
        for format in [ReportFormat.html, .csv, .json] {
            let path = directory.appendingPathComponent("report.\(format.rawValue)").path
            try ReportFiles.write(batchID: batch.id, database: database, format: format, path: path)
            Output.out("report (\(format.rawValue)): \(path)")
        }
        Output.out("look closer: recharge status \(batch.id) --db \(databasePath)")
        if code != .success { throw ExitCode(code.rawValue) }
    }

    /// Imports `--file`, or the built-in sample written into the demo's folder, into the fresh database: nothing
    /// is there to be a duplicate of, so the import is an ordinary one, never forced.
    private func importSample(into database: RechargeDatabase, directory: URL) throws -> BatchRecord {
        let path: String
        if let file {
            path = file
        } else {
            path = directory.appendingPathComponent(DemoSample.fileName).path
            try Data(DemoSample.bytes).write(to: URL(fileURLWithPath: path))
        }
        let reader = BatchReader(configuration: .builtInDefault, profiles: .all, control: ControlTotals(), diagnosticLimit: 20)
        switch try database.importBatch(ImportRequest(path: path, format: nil, name: nil, force: false), reader: reader) {
        case .imported(let batch, let result):
            Output.out("imported batch \(batch.id) '\(batch.name.terminalSafe)': \(result.lineCount) lines from \(path.terminalSafe)")
            return batch
        case .rejected(let result):
            Output.err(result.diagnostics.render())
            throw RechargeFailure(
                exitCode: RechargeExit.dataError, message: "\(path.terminalSafe) has errors; nothing was imported")
        case .duplicate(let earlier, _, _):
            throw RechargeFailure(exitCode: RechargeExit.dataError, message: "already imported as batch \(earlier.id)")
        }
    }

    /// The simulator's configuration file (docs/simulator.md): it knows every card of the sample (active, in the
    /// line's currency) and, unless `--clean`, answers with some latency and a few faults of each kind.
    private func simulatorConfiguration(cardsOf lines: [LineRecord]) throws -> Data {
        var cards: [[String: String]] = []
        var seen: Set<String> = []
        for line in lines where seen.insert(line.account + "/" + line.cardID).inserted {
            cards.append(["provider": line.account, "id": line.cardID, "currency": line.currency, "balance": "100"])
        }
        var configuration: [String: Any] = ["seed": self.seed, "cards": cards]
        if !self.clean {
            let faults: [String: Any] = [
                "latencyMilliseconds": 20, "jitterMilliseconds": 60, "failBeforeApply": 0.08, "errorAfterApply": 0.05,
                "dropAfterApply": 0.03, "throttle": 0.03,
            ]
            configuration["faults"] = Dictionary(uniqueKeysWithValues: ProviderKind.allCases.map { ($0.rawValue, faults) })
        }
        return try JSONSerialization.data(withJSONObject: configuration, options: [.prettyPrinted, .sortedKeys])
    }

    /// The processor's configuration the simulator wrote for itself.
    private static func loadConfiguration(_ path: String) throws -> RechargeConfiguration {
        do {
            return try RechargeConfiguration.load(path: path, profiles: .all)
        } catch {
            throw RechargeFailure(exitCode: .configError, message: "demo configuration: \(error.description)")
        }
    }
}
