import ArgumentParser
import Foundation

/// `recharge-bench`: performance figures of the processor, printed for `docs/benchmarks.md`.
public struct BenchCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "recharge-bench",
        abstract: "Measure the processor's throughput and memory.",
        subcommands: [
            ImportBenchmark.self, MeasureImport.self, EngineBenchmark.self, MeasureRun.self, EngineOnlyBenchmark.self,
            StoreRateBenchmark.self, ReportBenchmark.self, MeasureReport.self, RunnersBenchmark.self,
        ]
    )

    public init() {}
}
