import ArgumentParser
import Foundation
import RechargeCore
import RechargeProviders
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
        print("each figure comes from a fresh child process, so peak RSS is that operation's own")
        print("size        file      validate lines/s  validate RSS   import lines/s   import s   import RSS")
        var importSeconds: [Int: Double] = [:]
        for count in self.lines.sorted() {
            let path = "\(folder)/batch-\(count).csv"
            let bytes = try BatchFileGenerator.writeCSV(lines: count, to: path)
            let validated = try ChildMeasurement.run(["validate", "--file", path])
            let imported = try ChildMeasurement.run(["import", "--file", path, "--db", "\(folder)/bench-\(count).sqlite"])
            guard validated.lines == count, imported.lines == count else {
                throw ValidationError("expected \(count) lines, validate saw \(validated.lines), import stored \(imported.lines)")
            }
            importSeconds[count] = imported.seconds
            print(
                String(
                    format: "%-10d  %6.1f MB  %16.0f  %11@  %15.0f  %9.2f  %10@", count, Double(bytes) / 1_000_000,
                    Double(count) / validated.seconds, ResourceUsage.megabytes(validated.peakResidentBytes) as NSString,
                    Double(count) / imported.seconds, imported.seconds, ResourceUsage.megabytes(imported.peakResidentBytes) as NSString))
        }
        let sizes = self.lines.sorted()
        if sizes.count >= 2, let small = importSeconds[sizes[0]], let large = importSeconds[sizes[sizes.count - 1]] {
            print(
                String(
                    format: "scaling: %d lines took %.1f× as long as %d lines (%.0f× the lines)", sizes[sizes.count - 1],
                    large / small, sizes[0], Double(sizes[sizes.count - 1]) / Double(sizes[0])))
        }
    }
}

/// `recharge-bench measure-import`: one validate or import in this process, for the parent to time.
struct MeasureImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure-import", abstract: "Run one validate or import and print its figures (used by `import`).",
        shouldDisplay: false)

    @Argument var operation: String
    @Option var file: String
    @Option var db: String?

    func run() async throws {
        let reader = BatchReader(configuration: .builtInDefault, profiles: .all)
        let lines: Int
        let duration: Duration
        switch self.operation {
        case "validate":
            let (result, time) = try measure { try reader.read(path: self.file) }
            guard result.isValid else { throw ValidationError(result.diagnostics.render()) }
            (lines, duration) = (result.lineCount, time)
        case "import":
            let database = try RechargeDatabase(path: self.db ?? self.file + ".sqlite")
            let (outcome, time) = try measure { try database.importBatch(ImportRequest(path: self.file), reader: reader) }
            guard case .imported(let batch, _) = outcome else { throw ValidationError("the import did not store the batch") }
            (lines, duration) = (batch.lineCount, time)
        default:
            throw ValidationError("unknown operation \(self.operation)")
        }
        print("RESULT lines=\(lines) seconds=\(duration.seconds) peak=\(ResourceUsage.highWaterResidentBytes())")
    }
}

/// Runs `recharge-bench measure-import …` as a child process and reads its figures.
enum ChildMeasurement {
    struct Figures {
        var lines: Int
        var seconds: Double
        var peakResidentBytes: Int
    }

    static func run(_ arguments: [String], command: String = "measure-import") throws -> Figures {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = [command] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0, let line = text.split(separator: "\n").last(where: { $0.hasPrefix("RESULT ") }) else {
            throw ValidationError("\(command) \(arguments.joined(separator: " ")) failed: \(text)")
        }
        var values: [String: String] = [:]
        for pair in line.dropFirst("RESULT ".count).split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        guard let lines = values["lines"].flatMap(Int.init), let seconds = values["seconds"].flatMap(Double.init),
            let peak = values["peak"].flatMap(Int.init)
        else { throw ValidationError("unreadable figures: \(line)") }
        return Figures(lines: lines, seconds: seconds, peakResidentBytes: peak)
    }
}
