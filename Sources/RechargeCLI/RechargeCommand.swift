import ArgumentParser
import Foundation
import RechargeRuns

/// The `recharge` command: batch top-ups of prepaid cards through the card providers' APIs.
package struct RechargeCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "recharge",
        abstract: "Validate, import and execute batch card top-ups, exactly once.",
        discussion: """
            Exit codes: 0 done; 10 a run left FAILED lines; 11 a run left UNKNOWN lines; 12 a run stopped before \
            every line was final; 13 reconcile found mismatches; 64 usage error; 65 data error (invalid file, duplicate import, unknown batch); \
            66 input file not found; 74 I/O error; 75 another runner holds the database; 78 configuration error.
            """,
        subcommands: [
            ValidateCommand.self, ImportCommand.self, RunCommand.self, InboxCommand.self, DemoCommand.self, StatusCommand.self,
            ReportCommand.self,
            ReconcileCommand.self,
            ApproveCommand.self, RejectCommand.self, CancelCommand.self, RetryCommand.self,
            ResolveCommand.self, ConfigCommand.self, ServeCommand.self, UserCommand.self, MigrateCommand.self,
        ]
    )

    package init() {}

    /// Runs the command line, turning failures into messages on standard error and documented exit codes.
    package static func main() async {
        do {
            var command = try Self.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as RechargeFailure {
            Output.err("recharge: error: \(failure.message)")
            Self.exit(withError: ExitCode(failure.exitCode))
        } catch {
            // Argument Parser would print the message as it is; a value quoted in it (a file name, a --name) may
            // hold control characters, so it goes through Output, which escapes them.
            let code = Self.exitCode(for: error)
            let message = Self.fullMessage(for: error)
            if !message.isEmpty {
                if code == .success { Output.out(message) } else { Output.err(message) }
            }
            Self.exit(withError: ExitCode(code.rawValue))
        }
    }
}
