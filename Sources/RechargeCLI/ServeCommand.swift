import ArgumentParser
import Foundation
import RechargeConsole
import RechargeCore
import RechargeRuns
import RechargeStore

/// `recharge serve`: the web console, with the runner in the same process.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the web console: upload, approve (four eyes), watch and download reports in a browser.",
        discussion: """
            Listens on --listen, else the configuration's console.listen, else 127.0.0.1:8080. Plain HTTP only on a \
            loopback address; anywhere else needs console.tlsCertificate and console.tlsPrivateKey (the session \
            cookie is then Secure). The runner works inside this process and executes every batch allowed to run; \
            a recharge run elsewhere on the same database also works, and the console shows its progress. \
            SIGINT or SIGTERM stops the server and the runner gracefully. See docs/console.md.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Where to listen, HOST:PORT (port 0 picks a free one).", valueName: "host:port")) var listen: String?
    @Flag(name: .customLong("no-runner"), help: "Serve the console only; batches run with recharge run elsewhere.") var noRunner = false
    @OptionGroup var execution: RunOptions

    func run() async throws {
        let configuration = try self.global.loadConfiguration()
        let text = self.listen ?? configuration.console.listen
        guard let (host, port) = ConsoleListener.parse(text) else {
            throw ValidationError("--listen takes HOST:PORT, such as 127.0.0.1:8080; got '\(text.terminalSafe)'")
        }
        let listener = ConsoleListener(
            host: host, port: port, certificateFile: configuration.console.tlsCertificate,
            privateKeyFile: configuration.console.tlsPrivateKey)
        if let problem = listener.problem { throw RechargeFailure(exitCode: .configError, message: "console: \(problem)") }
        let database = try self.global.openDatabase()
        let logger = self.execution.logger()
        let runner =
            self.noRunner
            ? nil
            : ConsoleRunner(context: self.execution.context(database: database, configuration: configuration, logger: logger))
        if try database.consoleUsers().isEmpty {
            Output.err("no console users yet: add them with recharge user add NAME --role operator|approver|admin|viewer --password-stdin")
        }
        let settings = ConsoleSettings(
            database: database, configuration: configuration, secureCookies: listener.usesTLS,
            maxUploadBytes: configuration.console.maxUploadBytes, bcryptCost: UserAddCommand.cost, onWork: { runner?.wake() })
        do {
            try await ConsoleServer.run(settings: settings, listener: listener, runner: runner, logger: logger) { url in
                Output.err("recharge console at \(url)")
            }
        } catch let failure as RechargeFailure {
            throw failure
        } catch {
            throw RechargeFailure(exitCode: .ioError, message: "console: \(error)")
        }
    }
}
