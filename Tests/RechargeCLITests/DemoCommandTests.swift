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

/// `recharge demo` killed with SIGKILL (no handler runs, so it cannot stop its simulator): the simulator notices that
/// its starter is gone and exits, leaving no process holding a port.
@Suite(.timeLimit(.minutes(2)), .ownThread)
struct DemoSimulatorEndsWithTheDemoTests {
    /// The pid of the running `recharge-sim` whose command line names `directory`, if any.
    static func simulatorPID(serving directory: String) -> Int32? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if arguments.first?.hasSuffix("recharge-sim") == true, arguments.contains(directory) { return pid }
        }
        return nil
    }

    /// Whether `pid` has exited: gone, or a zombie waiting for whoever adopted it to reap it.
    static func hasExited(_ pid: Int32) -> Bool {
        // Read as bytes: /proc's files report a size of 0.
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat"), !data.isEmpty else { return true }
        let stat = String(decoding: data, as: UTF8.self)
        // The state follows the command name, which is in parentheses.
        guard let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    @Test func theSimulatorExitsWhenTheDemoIsKilled() throws {
        try withTemporaryDirectory { directory in
            // A batch long enough that the demo is still running when it is killed: the sample, forty times over.
            let sample = try String(
                contentsOf: Recharge.packageRoot.appendingPathComponent("samples/monthly-2026-11.csv"), encoding: .utf8)
            let rows = sample.split(whereSeparator: \.isNewline).dropFirst()
            var csv = "provider,card_id,amount,currency,reference,remark,pay_coin,pay_account_num,on_behalf_of\n"
            for round in 1...40 {
                for row in rows {
                    var fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                    fields[4] += "-\(round)"
                    csv += fields.joined(separator: ",") + "\n"
                }
            }
            let file = directory.appendingPathComponent("long.csv").path
            try Data(csv.utf8).write(to: URL(fileURLWithPath: file))
            let demoDirectory = directory.appendingPathComponent("demo").path
            let demo = try ChildProcess(
                "recharge", ["demo", "--dir", demoDirectory, "--file", file, "--progress", "none"], outputs: directory)
            // Listening, and its port known to the demo: the simulator is up and nothing more goes between the two.
            _ = try #require(
                demo.line(containing: "simulator on http://", atMost: 60), "the demo never started its simulator:\n\(demo.stderr)")
            let pid = try #require(Self.simulatorPID(serving: demoDirectory), "the demo's simulator is not running")
            try #require(demo.process.isRunning, "the demo ended before it could be killed:\n\(demo.stdout)\n\(demo.stderr)")
            demo.kill()
            #expect(Polling.until(atMost: 30) { Self.hasExited(pid) }, "recharge-sim \(pid) outlived the demo killed with SIGKILL")
            // It ended itself, for that reason (not by a crash).
            let log = (try? String(contentsOfFile: demoDirectory + "/simulator.log", encoding: .utf8)) ?? ""
            #expect(log.contains("is gone; exiting"), "\(log)")
        }
    }
}
