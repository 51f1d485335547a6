import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RechargeCore
import RechargeEngine
import RechargeRuns
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The provider simulator for `recharge demo`: the `recharge-sim` executable beside `recharge`, run as a child
/// process on a free loopback port for as long as the demo needs it.
///
/// `recharge` does not link the simulator: it starts the executable, waits for the one line the simulator prints
/// once it listens (`recharge-sim listening on http://127.0.0.1:PORT`, after it wrote the processor's
/// configuration for itself), and ends it with SIGTERM when the demo is done, whether the demo succeeded, failed
/// or was stopped. The simulator's log goes to a file in the demo's folder.
struct DemoSimulator: Sendable {
    /// The port the simulator listens on.
    let port: Int
    /// The processor's configuration the simulator wrote for itself: one account per provider, its published test
    /// credentials in key files of mode 0600.
    let configurationPath: String

    /// How long the simulator may take to start listening, and to exit after SIGTERM.
    static let startTimeout: Duration = .seconds(60)
    static let stopTimeout: Duration = .seconds(10)

    /// The `recharge-sim` executable in the folder of the running `recharge`.
    /// - Throws: ``RechargeFailure`` (74) saying how to build it when it is not there.
    static func executable() throws -> URL {
        let running =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")).map { URL(fileURLWithPath: $0) }
            ?? Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        let simulator = running.deletingLastPathComponent().appendingPathComponent("recharge-sim")
        guard FileManager.default.isExecutableFile(atPath: simulator.path) else {
            throw RechargeFailure(
                exitCode: .ioError,
                message: "the demo needs the provider simulator, \(simulator.path.terminalSafe), which is not built; "
                    + "build it with `swift build --product recharge-sim` (scripts/setup does)")
        }
        return simulator
    }

    /// Starts the simulator with the configuration file `simulatorConfiguration`, has it write the processor's
    /// configuration into `directory` (accounts with a time-out of `timeoutMilliseconds`), runs `body` while it
    /// listens, and ends it when `body` returns or throws.
    static func withRunning<Result>(
        simulatorConfiguration: String, directory: String, timeoutMilliseconds: Int, _ body: (DemoSimulator) async throws -> Result
    ) async throws -> Result {
        let logPath = directory + "/simulator.log"
        let child = try Child(
            executable: try Self.executable(),
            arguments: [
                "--port", "0", "--quiet", "--config", simulatorConfiguration, "--processor-config", directory,
                "--processor-timeout-ms", String(timeoutMilliseconds),
            ],
            logPath: logPath)
        let port: Int
        do {
            port = try await child.port(within: Self.startTimeout, logPath: logPath)
        } catch {
            await child.stop(within: Self.stopTimeout)
            throw error
        }
        let simulator = DemoSimulator(port: port, configurationPath: directory + "/recharge.json")
        let result: Result
        do {
            result = try await body(simulator)
        } catch {
            await child.stop(within: Self.stopTimeout)
            throw error
        }
        await child.stop(within: Self.stopTimeout)
        return result
    }

    /// How many top-ups the simulator's ledger holds (its admin API, `GET /_sim/ledger`).
    func appliedCount() async throws -> Int {
        try await HTTPClient.withHTTPClient { client in
            let response = try await client.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(self.port)/_sim/ledger"), timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 64 << 20)
            let object = try JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as? [String: Any]
            guard response.status == .ok, let entries = object?["entries"] as? [Any] else {
                throw RechargeFailure(
                    exitCode: .ioError, message: "the simulator's ledger could not be read (HTTP \(response.status.code))")
            }
            return entries.count
        }
    }
}

/// The running `recharge-sim` process: its first line of standard output, and its end.
private final class Child: Sendable {
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

    init(executable: URL, arguments: [String], logPath: String) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
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
    func port(within timeout: Duration, logPath: String) async throws -> Int {
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
    func stop(within timeout: Duration) async {
        guard self.process.isRunning else { return }
        kill(self.process.processIdentifier, SIGTERM)
        if await !Self.wait(for: self.exited, within: timeout), self.process.isRunning {
            kill(self.process.processIdentifier, SIGKILL)
            self.process.waitUntilExit()
        }
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
