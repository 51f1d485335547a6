import ArgumentParser
import Foundation

/// `recharge-bench run`: the execution engine end to end, each run in a fresh child process.
struct EngineBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Execute a generated batch against the provider simulator (its own process) and measure the engine.",
        discussion: """
            Scenarios: (a) no latency and no limits; (b) 50 ms latency and 100 requests/s per provider on both sides; \
            (c) faults of every kind, checked for exactly-once against the simulator's ledger. Each run is a fresh \
            child process (its peak RSS is the run's own); with --runs N the medians follow. Exits non-zero when a run \
            fails its checks.
            """
    )

    enum Choice: String, ExpressibleByArgument, CaseIterable {
        case a, b, c, all
    }

    @Option(help: "Which scenario: a, b, c or all.")
    var scenario = Choice.all

    @Option(help: "Runs of each scenario; the report ends with the medians.")
    var runs = 1

    @OptionGroup var options: EngineOptions

    func run() async throws {
        let scenarios = self.scenario == .all ? EngineScenario.allCases : [EngineScenario(rawValue: self.scenario.rawValue)!]
        var results: [EngineScenario: [[String: String]]] = [:]
        var failed = false
        for scenario in scenarios {
            for run in 1...max(1, self.runs) {
                print("== scenario \(scenario.rawValue), run \(run) of \(max(1, self.runs))")
                let (status, figures) = try Self.child(["measure-run", "--scenario", scenario.rawValue] + self.options.arguments)
                if let figures { results[scenario, default: []].append(figures) }
                if status != 0 || figures?["passed"] != "1" { failed = true }
                print("")
            }
        }
        if self.runs > 1 { print(Self.medians(results, order: scenarios)) }
        if failed { throw ExitCode(1) }
    }

    /// Runs `recharge-bench arguments…`, echoes its output, and returns its exit status and `RESULT` figures.
    static func child(_ arguments: [String]) throws -> (Int32, [String: String]?) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("RESULT ") }) else {
            return (process.terminationStatus, nil)
        }
        var figures: [String: String] = [:]
        for pair in line.dropFirst("RESULT ".count).split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { figures[String(parts[0])] = String(parts[1]) }
        }
        return (process.terminationStatus, figures)
    }

    /// Per scenario: the median run (by seconds) and every run's figures.
    static func medians(_ results: [EngineScenario: [[String: String]]], order: [EngineScenario]) -> String {
        var out = ["medians (each scenario's runs, sorted by time; the middle one is the median)"]
        for scenario in order {
            func seconds(_ run: [String: String]) -> Double { Double(run["seconds"] ?? "") ?? 0 }
            let runs = (results[scenario] ?? []).sorted { seconds($0) < seconds($1) }
            guard !runs.isEmpty else { continue }
            func describe(_ run: [String: String]) -> String {
                let lines = Double(run["lines"] ?? "") ?? 0
                let seconds = Double(run["seconds"] ?? "") ?? 0
                let requests = Double(run["requests"] ?? "") ?? 0
                let peak = Int(run["peak"] ?? "") ?? 0
                let cpu = (Double(run["cpuPerLine"] ?? "") ?? 0) * 1000
                var text = String(
                    format: "%.2f s, %.0f lines/s, %.0f requests/s, %@ 429s, %@ RSS, %.3f ms CPU/line", seconds, lines / seconds,
                    requests / seconds, (run["throttled"] ?? "?") as NSString, ResourceUsage.megabytes(peak) as NSString, cpu)
                if let ceiling = Double(run["ceiling"] ?? ""), ceiling > 0 {
                    let ceilingCPU = (Double(run["ceilingCPUPerLine"] ?? "") ?? 0) * 1000
                    text += String(
                        format: "; ceiling %.0f lines/s (%.0f %%), %.3f ms CPU/line", ceiling, 100 * lines / seconds / ceiling, ceilingCPU)
                }
                return text
            }
            out.append("(\(scenario.rawValue)) median: \(describe(runs[runs.count / 2]))")
            for run in runs { out.append("      run: \(describe(run))") }
            // Each run's engine and ceiling share one invocation; the machine's speed can change between invocations,
            // so the ratio is taken run by run and its median given apart from the median run's.
            let ratios = runs.compactMap { run -> Double? in
                guard let ceiling = Double(run["ceiling"] ?? ""), ceiling > 0, let lines = Double(run["lines"] ?? ""),
                    let seconds = Double(run["seconds"] ?? ""), seconds > 0
                else { return nil }
                return 100 * lines / seconds / ceiling
            }.sorted()
            let cpus = runs.compactMap { Double($0["cpuPerLine"] ?? "") }.map { $0 * 1000 }.sorted()
            if !ratios.isEmpty {
                out.append(
                    String(
                        format: "(%@) engine / ceiling, run by run: %@; median %.0f %%; runner CPU per line median %.3f ms",
                        scenario.rawValue as NSString, ratios.map { String(format: "%.0f %%", $0) }.joined(separator: ", ") as NSString,
                        ratios[ratios.count / 2], cpus[cpus.count / 2]))
            }
        }
        return out.joined(separator: "\n")
    }
}

/// `recharge-bench measure-run`: one execution benchmark run in this process (used by `run`).
struct MeasureRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure-run", abstract: "Run one execution benchmark scenario and print its figures (used by `run`).",
        shouldDisplay: false)

    @Option var scenario: EngineScenario
    @OptionGroup var options: EngineOptions

    @Flag(help: "Keep the batch, database, configuration and key files.")
    var keep = false

    func run() async throws {
        let folder = NSTemporaryDirectory() + "recharge-bench-run-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if !self.keep { try? FileManager.default.removeItem(atPath: folder) } }
        let figures = try await EngineWorkbench(scenario: self.scenario, options: self.options, folder: folder).run()
        print(figures.report())
        if self.keep { print("files kept in \(folder)") }
        if !figures.passed { throw ExitCode(1) }
    }
}
