import ArgumentParser
import Foundation
import Logging
import RechargeCore
import RechargePostgres
import RechargeProviders
import RechargeRuns
import RechargeSimulator
import RechargeStore

/// `recharge-bench runners`: the same batch run by one `recharge run` process on SQLite, then by 1, 2 and 3 processes
/// sharing one PostgreSQL store, each against a fresh simulator process, each checked card by card for exactly-once.
/// The SQLite figure, measured in the same invocation, is the ceiling the PostgreSQL figures are read against.
struct RunnersBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runners",
        abstract: "Throughput of 1, 2 and 3 runner processes on one PostgreSQL store, beside one runner on SQLite.",
        discussion: """
            Needs the release (or debug) build of recharge beside recharge-bench, and a PostgreSQL server: --postgres URL \
            or RECHARGE_BENCH_POSTGRES_URL (`eval "$(bash scripts/postgres-test-server)"` starts one; its \
            RECHARGE_TEST_POSTGRES_URL is used too). Scenario a: no faults and no limits (the engine and the store are \
            the bottleneck); c: the provider limits (the budget is).
            """)

    @OptionGroup var options: EngineOptions
    @Option(help: "Which scenario: a (no limits) or c (provider limits).")
    var scenario: EngineScenario = .a
    @Option(help: "The PostgreSQL server (a database is created per measurement).")
    var postgres: String?
    @Option(parsing: .upToNextOption, help: "How many runner processes on PostgreSQL, in turn.")
    var runners: [Int] = [1, 2, 3]

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let server = self.postgres ?? environment["RECHARGE_BENCH_POSTGRES_URL"] ?? environment["RECHARGE_TEST_POSTGRES_URL"]
        else {
            throw ValidationError("no PostgreSQL server: pass --postgres URL (eval \"$(bash scripts/postgres-test-server)\" starts one)")
        }
        let folder = NSTemporaryDirectory() + "recharge-bench-runners-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let csv = folder + "/batch.csv"
        try EngineBatch.writeCSV(
            lines: self.options.lines, linesPerCard: self.options.linesPerCard, cycle: self.options.cycle, seed: self.options.seed, to: csv)
        print(
            "recharge-bench runners: \(self.options.lines) lines, scenario \(self.scenario.rawValue), \(ProcessInfo.processInfo.activeProcessorCount) cores"
        )
        var ceiling: Double?
        var plan: [(label: String, runners: Int, postgres: Bool)] = [("sqlite", 1, false)]
        for count in self.runners { plan.append(("postgres", count, true)) }
        for (index, step) in plan.enumerated() {
            let db: String
            if step.postgres {
                db = try await Self.freshDatabase(on: server, name: "bench_\(getpid())_\(index)")
            } else {
                db = folder + "/bench-\(index).sqlite"
            }
            let figures = try await self.measure(db: db, runners: step.runners, csv: csv, folder: folder + "/\(index)")
            if !step.postgres { ceiling = figures.linesPerSecond }
            let ratio = ceiling.map { String(format: "%3.0f %%", 100 * figures.linesPerSecond / $0) } ?? "  –  "
            print(
                String(
                    format: "  %-8@ %d runner%@  %6.1f s  %7.0f lines/s  %@ of SQLite×1  runner CPU %.3f ms/line  %@",
                    step.label, step.runners, step.runners == 1 ? " " : "s", figures.seconds, figures.linesPerSecond, ratio,
                    figures.cpuMillisecondsPerLine, figures.exact))
        }
    }

    struct Figures {
        var seconds: Double
        var linesPerSecond: Double
        var cpuMillisecondsPerLine: Double
        var exact: String
    }

    /// Imports the batch into `db`, runs `runners` processes against a fresh simulator until all have exited, and
    /// checks the simulator's ledger against the lines.
    func measure(db: String, runners: Int, csv: String, folder: String) async throws -> Figures {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let recharge = try Self.rechargeExecutable()
        var simulatorConfiguration = self.scenario.simulator(self.options)
        let reader = BatchReader(configuration: .builtInDefault, profiles: .all)
        var seen: Set<String> = []
        _ = try reader.read(path: csv, displayName: nil, format: nil) { line in
            if seen.insert(line.account + "/" + line.cardID).inserted {
                simulatorConfiguration.cards.append(
                    .init(provider: line.account, id: line.cardID, currency: line.amount.currency.code, balance: "100"))
            }
        }
        let settings = self.scenario.account(self.options)
        return try await SimulatorServer.withRunning(simulatorConfiguration, folder: folder, name: "simulator") { simulator in
            _ = try EngineConfiguration.write(port: simulator.port, settings: settings, directory: folder)
            let config = folder + "/recharge.json"
            if PostgresLocation.isPostgresURL(db) { try Self.runToEnd(recharge, ["migrate", "--db", db]) }
            try Self.runToEnd(recharge, ["import", csv, "--db", db, "--config", config])
            let cpuBefore = Self.childrenCPUSeconds()
            let start = ContinuousClock.now
            let processes = try (0..<runners).map { _ in
                try Self.start(recharge, ["run", "--db", db, "--config", config, "--progress", "none"])
            }
            for process in processes { process.waitUntilExit() }
            let elapsed = (ContinuousClock.now - start).seconds
            let cpu = Self.childrenCPUSeconds() - cpuBefore
            let lines = try await Self.lines(db: db)
            let check = LedgerCheck(
                ledger: try await simulator.ledger(), lines: lines,
                kinds: Dictionary(ProviderKind.allCases.map { ($0.rawValue, $0.rawValue) }, uniquingKeysWith: { first, _ in first }))
            let settled = lines.filter { $0.state.isSettled }.count
            let exact =
                check.isExact && settled == lines.count
                ? "exactly once" : "NOT EXACT: \(check.extra) extra, \(check.missing) missing, \(lines.count - settled) unsettled"
            return Figures(
                seconds: elapsed, linesPerSecond: Double(lines.count) / elapsed, cpuMillisecondsPerLine: 1000 * cpu / Double(lines.count),
                exact: exact)
        }
    }

    static func freshDatabase(on server: String, name: String) async throws -> String {
        let location = try PostgresLocation(url: server)
        try await PostgresStore.withStore(location, logger: Logger(label: "recharge-bench"), migrate: false, requireSchema: false) {
            try await $0.execute("CREATE DATABASE \(name)")
        }
        var url = server
        if let slash = url.range(of: "/", options: .backwards), slash.lowerBound > url.index(url.startIndex, offsetBy: 12) {
            url = String(url[..<slash.lowerBound])
        }
        return url + "/" + name
    }

    static func lines(db: String) async throws -> [LineRecord] {
        if PostgresLocation.isPostgresURL(db) {
            return try await PostgresStore.withStore(try PostgresLocation(url: db), logger: Logger(label: "recharge-bench")) { store in
                var all: [LineRecord] = []
                for batch in try await store.batches() { all += try await store.lines(batchID: batch.id) }
                return all
            }
        }
        let database = try RechargeDatabase(path: db, mustExist: true)
        return try database.batches().flatMap { try database.lines(batchID: $0.id) }
    }

    static func rechargeExecutable() throws -> URL {
        let simulator = try SimulatorProcess.executable(for: "recharge-bench runners")
        let recharge = simulator.deletingLastPathComponent().appendingPathComponent("recharge")
        guard FileManager.default.isExecutableFile(atPath: recharge.path) else {
            throw ValidationError("\(recharge.path) is not built: swift build -c release --product recharge")
        }
        return recharge
    }

    static func start(_ executable: URL, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func runToEnd(_ executable: URL, _ arguments: [String]) throws {
        let process = try Self.start(executable, arguments)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("recharge \(arguments.first ?? "") exited \(process.terminationStatus)")
        }
    }

    /// User + system CPU of the children that have ended (the runners, once waited for).
    static func childrenCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
