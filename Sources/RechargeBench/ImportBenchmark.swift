import ArgumentParser
import Foundation
import RechargeCore
import RechargeStore

/// `recharge-bench import`: generates CSV batches and times `validate` and `import` on them.
struct ImportBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Time validate and import of generated CSV batches (100,000 and 1,000,000 lines by default)."
    )

    @Option(name: .long, parsing: .upToNextOption, help: "The batch sizes to measure, smallest first.")
    var lines: [Int] = [100_000, 1_000_000]

    @Option(name: .long, help: "Where to write the generated files and databases (default: a new temporary folder).")
    var workdir: String?

    @Flag(name: .long, help: "Keep the generated files and databases.")
    var keep = false

    func run() async throws {
        let folder = self.workdir ?? NSTemporaryDirectory() + "recharge-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if !self.keep { try? FileManager.default.removeItem(atPath: folder) } }

        print("import benchmark: validate + import of generated CSV batches (release build recommended)")
        print("size        file      validate lines/s   import lines/s   import s   peak RSS")
        var importSeconds: [Int: Double] = [:]
        for count in self.lines.sorted() {
            let path = "\(folder)/batch-\(count).csv"
            let bytes = try BatchFileGenerator.writeCSV(lines: count, to: path)
            let reader = BatchReader(configuration: .builtInDefault)

            let (validated, validateTime) = try measure { try reader.read(path: path) }
            guard validated.isValid, validated.lineCount == count else {
                throw ValidationError("the generated file did not validate:\n" + validated.diagnostics.render())
            }
            let databasePath = "\(folder)/bench-\(count).sqlite"
            let database = try RechargeDatabase(path: databasePath)
            let (outcome, importTime) = try measure { try database.importBatch(ImportRequest(path: path), reader: reader) }
            guard case .imported(let batch, _) = outcome, batch.lineCount == count else {
                throw ValidationError("the import did not store the batch")
            }
            importSeconds[count] = importTime.seconds
            print(
                String(
                    format: "%-10d  %6.1f MB  %16.0f  %15.0f  %9.2f  ", count, Double(bytes) / 1_000_000,
                    Double(count) / validateTime.seconds, Double(count) / importTime.seconds, importTime.seconds)
                    + ResourceUsage.megabytes(ResourceUsage.peakResidentBytes()))
        }
        let sizes = self.lines.sorted()
        if sizes.count >= 2, let small = importSeconds[sizes[0]], let large = importSeconds[sizes[sizes.count - 1]] {
            print(
                String(
                    format: "scaling: %d lines took %.1f× as long as %d lines (%.0f× the lines)", sizes[sizes.count - 1],
                    large / small, sizes[0], Double(sizes[sizes.count - 1]) / Double(sizes[0])))
        }
        print("peak RSS is the process's high-water mark, measured after each size (sizes run smallest first)")
    }
}
