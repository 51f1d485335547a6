import ArgumentParser
import Foundation
import RechargeConsole
import RechargeCore
import RechargeRuns
import RechargeStore

/// `recharge user add|list|disable`: the console's users.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add, list and disable the console's users (recharge serve).",
        discussion: """
            Roles: operator (uploads, cancels, retries, resolves), approver (approves and rejects others' uploads), \
            admin (both), viewer (reads). Passwords are kept only as bcrypt hashes. Who added or disabled a user is \
            recorded in the console's audit log as the operating-system user running the command.
            """,
        subcommands: [UserAddCommand.self, UserListCommand.self, UserDisableCommand.self]
    )
}

extension ConsoleUser.Role: ExpressibleByArgument {}

struct UserAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a console user; the password is read from standard input (one line).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The user's sign-in name: 1 to 64 letters, digits, '.', '_' or '-'.") var name: String
    @Option(help: "operator, approver, admin or viewer.") var role: ConsoleUser.Role
    @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input (required: never on the command line).")
    var passwordFromStandardInput = false

    func validate() throws {
        guard self.passwordFromStandardInput else {
            throw ValidationError("give --password-stdin and the password on standard input: a password on the command line shows in ps")
        }
    }

    func run() async throws {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw RechargeFailure(exitCode: .usage, message: "no password on standard input; nothing was stored")
        }
        if let problem = Passwords.problem(line) {
            throw RechargeFailure(exitCode: .usage, message: "\(problem); nothing was stored")
        }
        let database = try self.global.openDatabase()
        do {
            let user = try database.addConsoleUser(
                name: self.name, role: self.role, passwordHash: Passwords.hash(line, cost: Self.cost), actor: operatorName())
            Output.err("added console user \(user.name) as \(user.role.rawValue)")
        } catch let error as StoreError where error.code == .duplicate || error.code == .invalidName {
            throw RechargeFailure(exitCode: .dataError, message: "\(error.message); nothing was stored")
        }
    }

    /// bcrypt's cost; `RECHARGE_BCRYPT_COST` lowers it for test suites only (4 is bcrypt's minimum).
    static var cost: UInt8 {
        guard let text = ProcessInfo.processInfo.environment["RECHARGE_BCRYPT_COST"], let cost = UInt8(text), (4...31).contains(cost)
        else { return Passwords.defaultCost }
        return cost
    }
}

struct UserListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the console's users and their roles.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let database = try self.global.openDatabase(mustExist: true)
        let users = try database.consoleUsers()
        if users.isEmpty { Output.err("no console users: add one with recharge user add NAME --role ROLE --password-stdin") }
        for user in users {
            Output.out("\(user.name)\t\(user.role.rawValue)\t\(user.disabled ? "disabled" : "active")\tadded \(user.createdAt)")
        }
    }
}

struct UserDisableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: "Disable a console user: they cannot sign in, and their sessions end at once.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The user's name.") var name: String

    func run() async throws {
        let database = try self.global.openDatabase(mustExist: true)
        do {
            try database.disableConsoleUser(name: self.name, actor: operatorName())
        } catch let error as StoreError where error.code == .notFound {
            throw RechargeFailure(exitCode: .dataError, message: error.message)
        }
        Output.err("disabled console user \(self.name.terminalSafe); their sessions are ended")
    }
}
