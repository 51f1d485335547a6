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
        Polling.until(atMost: seconds) { !self.process.isRunning }
        guard !self.process.isRunning else {
            self.kill()
            return nil
        }
        return self.process.terminationStatus
    }

    /// Waits until standard output has a line starting with `prefix`, at most `seconds`; returns that line.
    func line(startingWith prefix: String, atMost seconds: Double) -> String? {
        self.firstLine(atMost: seconds, in: { self.stdout }, where: { $0.hasPrefix(prefix) })
    }

    /// Waits until standard output or standard error has a line containing `text`, at most `seconds`; returns it.
    func line(containing text: String, atMost seconds: Double) -> String? {
        self.firstLine(atMost: seconds, in: { self.stdout + "\n" + self.stderr }, where: { $0.contains(text) })
    }

    /// The first line of `output` that `matches`, polled until it appears, the process ends, or `seconds` pass.
    private func firstLine(atMost seconds: Double, in output: () -> String, where matches: (Substring) -> Bool) -> String? {
        var found: String?
        Polling.until(atMost: seconds) {
            found = output().split(separator: "\n").first(where: matches).map(String.init)
            return found != nil || !self.process.isRunning
        }
        return found
    }

    deinit {
        if self.process.isRunning { Foundation.kill(self.process.processIdentifier, SIGKILL) }
    }
}

/// Waiting on a condition in the end-to-end tests: polled every 10 ms up to a generous bound the caller names (tens
/// of seconds: the bound is there so a broken run ends, never to pace a healthy one).
enum Polling {
    /// Polls `condition` until it holds (true) or `seconds` pass (false).
    @discardableResult
    static func until(atMost seconds: Double, every interval: useconds_t = 10_000, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(seconds * 1000)))
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            usleep(interval)
        }
        return false
    }
}
