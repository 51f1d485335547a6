import ArgumentParser
import Foundation
import Logging
import RechargeSimulator
import ServiceLifecycle
import UnixSignals

/// `recharge-sim`: the five card providers on one loopback HTTP server.
@main
struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recharge-sim",
        abstract: "Simulate the VCC, HyperCard, Pagsmile, UQPay and PayCertify recharge APIs on one HTTP server.",
        discussion: "Base URLs: http://HOST:PORT/vcc/api, /hypercard, /pagsmile, /uqpay/api, /paycertify/api. Admin API under /_sim/."
    )

    @Option(help: "The address to bind (loopback by default).") var host = "127.0.0.1"
    @Option(help: "The port; 0 picks a free port and prints it.") var port = 8099
    @Option(help: "A JSON configuration file (cards, balances, credentials, limits, faults).") var config: String?
    @Option(help: "The seed of the random fault injection.") var seed: UInt64?
    @Flag(help: "Create unknown cards on their first top-up.") var autoCards = false
    @Flag(help: "Do not log a line per request.") var quiet = false
    @Option(
        name: .customLong("processor-config"),
        help: ArgumentHelp(
            "Once listening, write DIR/recharge.json: a recharge configuration for this simulator (one account per provider, the published test credentials in DIR/keys, mode 0600); then print the listening line.",
            valueName: "dir"))
    var processorConfig: String?
    @Option(name: .customLong("processor-timeout-ms"), help: "The accounts' time-out in that configuration, in milliseconds.")
    var processorTimeout: Int?
    @Option(
        name: .customLong("exit-with-parent"),
        help: ArgumentHelp(
            "Exit when process PID, the one that started this simulator, is gone (even killed with SIGKILL).", valueName: "pid"))
    var exitWithParent: Int32?

    func run() async throws {
        var configuration = try self.config.map { try SimulatorConfiguration.load(path: $0) } ?? SimulatorConfiguration()
        if let seed { configuration.seed = seed }
        if self.autoCards { configuration.autoCards = true }
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let logger = Logger(label: "recharge-sim")
        let simulator = Simulator(configuration: configuration)
        let host = self.host
        let processorConfig = self.processorConfig
        let settings: [String: Int] = self.processorTimeout.map { ["timeoutMilliseconds": $0] } ?? [:]
        let application = simulator.application(host: host, port: self.port, logger: logger, logRequests: !self.quiet) { port in
            if let processorConfig {
                do {
                    _ = try SimulatorAccountsFile.write(port: port, directory: processorConfig, settings: settings)
                } catch {
                    logger.critical("cannot write the processor's configuration into \(processorConfig): \(error)")
                    Foundation.exit(74)
                }
            }
            // The one line on standard output: scripts read the port from it (and know the configuration is written).
            do {
                try FileHandle.standardOutput.write(contentsOf: Data("recharge-sim listening on http://\(host):\(port)\n".utf8))
            } catch {
                // Whoever started the simulator stopped reading (it was killed): nobody can learn the port.
                logger.critical("standard output is closed (\(error)); nobody can learn the port, exiting")
                Foundation.exit(74)
            }
        }
        if let parent = self.exitWithParent { Self.exit(whenGone: parent, logger: logger) }
        let group = ServiceGroup(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }

    /// Polls the parent twice a second and exits once this process is no longer its child: a starter killed with
    /// SIGKILL (no chance to stop its simulator) leaves no simulator holding a port. The simulator keeps nothing on
    /// disk, so exiting at once loses nothing.
    private static func exit(whenGone parent: Int32, logger: Logger) {
        Thread.detachNewThread {
            while getppid() == parent { Thread.sleep(forTimeInterval: 0.5) }
            logger.notice("the process that started the simulator (pid \(parent)) is gone; exiting")
            Foundation.exit(0)
        }
    }
}
