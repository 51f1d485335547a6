import Foundation
import TestSupport
import Testing

/// `recharge demo` with the installed binary: it works from any folder (the sample is built in) and its import is
/// an ordinary one, so nothing it reports claims a forced import.
@Suite(.timeLimit(.minutes(2)), .ownThread)
struct DemoCommandTests {
    /// Runs the demo with a working directory that has no `samples/` folder.
    static func runDemo(in directory: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try Recharge.checkedExecutable()
        process.arguments = ["demo", "--dir", "demo", "--clean", "--progress", "none"]
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        let output = directory.appendingPathComponent("output.txt")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, try String(contentsOf: output, encoding: .utf8))
    }

    @Test func runsFromAFolderWithoutTheRepositoryAndDoesNotForceItsImport() throws {
        try withTemporaryDirectory { directory in
            let (status, output) = try Self.runDemo(in: directory)
            #expect(status == 0, "\(output)")
            let demo = directory.appendingPathComponent("demo")
            // The sample it ran is the repository's, byte for byte.
            let written = try Data(contentsOf: demo.appendingPathComponent("monthly-2026-11.csv"))
            let sample = try Data(contentsOf: Recharge.packageRoot.appendingPathComponent("samples/monthly-2026-11.csv"))
            #expect(written == sample)
            #expect(output.contains("imported batch 1 'monthly-2026-11.csv': 50 lines"), "\(output)")

            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: demo.appendingPathComponent("report.json")))
            let batch = try #require((report as? [String: Any])?["batch"] as? [String: Any], "\(report)")
            #expect(batch["forced"] as? Bool == false, "\(batch)")
            let html = try String(contentsOf: demo.appendingPathComponent("report.html"), encoding: .utf8)
            #expect(!html.contains("imported with --force"))
        }
    }
}
