import Foundation
import RechargeCore
import RechargeEngine
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A running `recharge-sim` process: its first line of standard output (the address it listens on), its CPU time,
/// and its end. `recharge demo` and `recharge-bench` start the simulator this way, so that it runs in a process of
/// its own and its work is not charged to theirs.
package final class SimulatorProcess: Sendable {
    private struct Output {
        var bytes: [UInt8] = []
        var line: String?
        var ended = false
    }

    private let process: Process
    private let output = Mutex(Output())
    /// Raised when the first line arrived or standard output ended.
    private let lineArrived = StopSignal()
    private let exited = StopSignal()

    /// The `recharge-sim` executable in the folder of the running program.
    /// - Parameter purpose: what needs it, for the error ("the demo", "the benchmark").
    /// - Throws: ``RechargeFailure`` (74) saying how to build it when it is not there.
    package static func executable(for purpose: String) throws -> URL {
        let running =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")).map { URL(fileURLWithPath: $0) }
            ?? Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        let simulator = running.deletingLastPathComponent().appendingPathComponent("recharge-sim")
        guard FileManager.default.isExecutableFile(atPath: simulator.path) else {
            throw RechargeFailure(
                exitCode: .ioError,
                message: "\(purpose) needs the provider simulator, \(simulator.path.terminalSafe), which is not built; "
                    + "build it with `swift build --product recharge-sim` (add `-c release` for a release build)")
        }
        return simulator
    }

    /// Starts `executable` with `arguments`, its standard error going to the file `logPath`.
    package init(executable: URL, arguments: [String], logPath: String) throws {
        let process = Process()
        process.executableURL = executable
        // The simulator ends itself if this process is killed outright (SIGKILL leaves no time to stop it).
        process.arguments = arguments + ["--exit-with-parent", String(getpid())]
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
            throw RechargeFailure(exitCode: .ioError, message: "cannot create \(logPath.terminalSafe)")
        }
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        self.process = process
        let exited = self.exited
        process.terminationHandler = { _ in exited.trigger() }
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            self?.received(data)
        }
        do {
            try process.run()
        } catch {
            throw RechargeFailure(exitCode: .ioError, message: "cannot start \(executable.path.terminalSafe): \(error)")
        }
    }

    private func received(_ data: Data) {
        let arrived = self.output.withLock { output -> Bool in
            guard output.line == nil, !output.ended else { return false }
            if data.isEmpty {
                output.ended = true
                return true
            }
            output.bytes += data
            guard let end = output.bytes.firstIndex(of: UInt8(ascii: "\n")) else { return false }
            output.line = String(decoding: output.bytes[..<end], as: UTF8.self)
            return true
        }
        if arrived { self.lineArrived.trigger() }
    }

    /// The port of the line `recharge-sim listening on http://HOST:PORT`, once the simulator printed it.
    package func port(within timeout: Duration, logPath: String) async throws -> Int {
        let arrived = await Self.wait(for: self.lineArrived, within: timeout)
        let line = self.output.withLock { $0.line }
        if let line, line.hasPrefix("recharge-sim listening on "), let text = line.split(separator: ":").last, let port = Int(text) {
            return port
        }
        let why =
            if let line { "printed '\(line.terminalSafe)' instead of the address it listens on" } else if arrived {
                "exited before it listened"
            } else {
                "did not start listening within \(timeout)"
            }
        throw RechargeFailure(exitCode: .ioError, message: "the provider simulator \(why); see \(logPath.terminalSafe)")
    }

    /// Sends SIGTERM and waits for the simulator to exit; after `timeout`, or at once when the task is cancelled,
    /// kills it.
    package func stop(within timeout: Duration) async {
        guard self.process.isRunning else { return }
        kill(self.process.processIdentifier, SIGTERM)
        if await !Self.wait(for: self.exited, within: timeout), self.process.isRunning {
            kill(self.process.processIdentifier, SIGKILL)
            self.process.waitUntilExit()
        }
    }

    /// The CPU time (user + system) the simulator has used so far, in seconds, from `/proc/PID/stat`; `nil` once it
    /// has exited or where that file is not there.
    package func cpuSeconds() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(self.process.processIdentifier)/stat", encoding: .utf8),
            let end = text.lastIndex(of: ")")
        else { return nil }
        // After the command name in parentheses: state is field 3, utime field 14 and stime field 15.
        let fields = text[text.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Whether `signal` was raised within `timeout` (`false` as well when the task is cancelled first).
    private static func wait(for signal: StopSignal, within timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await signal.wait()
                return signal.isTriggered
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first || signal.isTriggered
        }
    }
}
