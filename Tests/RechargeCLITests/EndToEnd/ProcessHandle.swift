import Foundation
import Testing

/// A child process of the built products (`recharge`, `recharge-sim`) that a test starts, kills and waits for.
final class ChildProcess {
    let process = Process()
    let stdoutURL: URL
    let stderrURL: URL

    /// Starts `executable` (a product built beside `recharge`) with `arguments` in the package root.
    convenience init(_ executable: String, _ arguments: [String], outputs directory: URL) throws {
        let recharge = try Recharge.checkedExecutable()
        try self.init(
            executableURL: recharge.deletingLastPathComponent().appendingPathComponent(executable), arguments, outputs: directory)
    }

    /// Starts the program at `executableURL` (a product, or a system tool such as chromedriver) in the package root.
    init(executableURL: URL, _ arguments: [String], outputs directory: URL, environment: [String: String] = [:]) throws {
        let name = "\(executableURL.lastPathComponent)-\(UUID().uuidString.prefix(8))"
        self.stdoutURL = directory.appendingPathComponent("\(name).out")
        self.stderrURL = directory.appendingPathComponent("\(name).err")
        _ = FileManager.default.createFile(atPath: self.stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: self.stderrURL.path, contents: nil)
        self.process.executableURL = executableURL
        self.process.arguments = arguments
        self.process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
        self.process.currentDirectoryURL = Recharge.packageRoot
        self.process.standardInput = FileHandle.nullDevice
        self.process.standardOutput = try FileHandle(forWritingTo: self.stdoutURL)
        self.process.standardError = try FileHandle(forWritingTo: self.stderrURL)
        try self.process.run()
    }

    var stdout: String { (try? String(contentsOf: self.stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: self.stderrURL, encoding: .utf8)) ?? "" }

    /// Sends SIGKILL: no handler runs, nothing is flushed; the hardest way for a runner to die.
    func kill() {
        if self.process.isRunning { Foundation.kill(self.process.processIdentifier, SIGKILL) }
        self.process.waitUntilExit()
    }

    func terminate(signal: Int32 = SIGTERM) {
        if self.process.isRunning { Foundation.kill(self.process.processIdentifier, signal) }
    }

    /// Waits for the process to exit, at most `seconds`; kills it if it overstays.
    @discardableResult
    func wait(atMost seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while self.process.isRunning && Date() < deadline { usleep(10_000) }
        guard !self.process.isRunning else {
            self.kill()
            return nil
        }
        return self.process.terminationStatus
    }

    /// Waits until standard output has a line starting with `prefix`, at most `seconds`; returns that line.
    func line(startingWith prefix: String, atMost seconds: Double) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let line = self.stdout.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) { return String(line) }
            if !self.process.isRunning { return nil }
            usleep(10_000)
        }
        return nil
    }

    /// Waits until standard output or standard error has a line containing `text`, at most `seconds`; returns it.
    func line(containing text: String, atMost seconds: Double) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let line = (self.stdout + "\n" + self.stderr).split(separator: "\n").first(where: { $0.contains(text) }) {
                return String(line)
            }
            if !self.process.isRunning { return nil }
            usleep(10_000)
        }
        return nil
    }

    deinit {
        if self.process.isRunning { Foundation.kill(self.process.processIdentifier, SIGKILL) }
    }
}
