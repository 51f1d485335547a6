import ArgumentParser
import Foundation
import RechargeConfig
import RechargeCore
import RechargePostgres
import RechargeProviders
import RechargeRuns
import RechargeStore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("db"),
        help: ArgumentHelp(
            "The SQLite database file, or a PostgreSQL store shared by several runners as postgres://USER@HOST:PORT/DATABASE (password from RECHARGE_PG_PASSWORD or RECHARGE_PG_PASSWORD_FILE). Default: the configuration's paths.database, else ./recharge.sqlite.",
            valueName: "path|url"))
    var databaseOption: String?

    /// The database: `--db`, else `paths.database` of `--config` (environment overrides included), else
    /// `./recharge.sqlite`.
    var db: String {
        if let databaseOption { return databaseOption }
        if self.config != nil, let configuration = try? self.loadConfiguration() {
            if let url = configuration.store.url { return url }
            if let configured = configuration.paths.database { return configured }
        }
        return "./recharge.sqlite"
    }

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The configuration file (provider accounts, limits). Without it, one account per simulated provider: vcc, hypercard, pagsmile, uqpay, paycertify.",
            valueName: "path"))
    var config: String?

    /// The configuration from `--config`, or the built-in default.
    func loadConfiguration() throws -> RechargeConfiguration {
        guard let config else { return .builtInDefault }
        do {
            return try RechargeConfiguration.load(path: config, profiles: .all)
        } catch {
            throw RechargeFailure(exitCode: RechargeExit.configError, message: "configuration: \(error.description)")
        }
    }

    func openDatabase(mustExist: Bool = false) throws -> RechargeDatabase {
        // A configuration that names the database must be valid before its path is trusted.
        if self.databaseOption == nil, self.config != nil { _ = try self.loadConfiguration() }
        if PostgresLocation.isPostgresURL(self.db) {
            throw RechargeFailure(
                exitCode: .usage,
                message: "this command works on a SQLite database file; on a PostgreSQL store: \(SharedStoreCommands.supported)")
        }
        do {
            return try RechargeDatabase(path: self.db, mustExist: mustExist)
        } catch {
            // No database yet is the user's mistake (a wrong --db); a file that cannot be opened is an I/O error.
            let missing = mustExist && !FileManager.default.fileExists(atPath: self.db)
            let code = missing ? RechargeExit.dataError : RechargeExit.ioError
            throw RechargeFailure(exitCode: code, message: error.message)
        }
    }
}

/// Options that say how to read a batch file.
struct BatchFileOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The batch file: .csv, .json, or .ndjson/.jsonl.", valueName: "file"))
    var file: String

    @Option(name: .long, help: "The file format when the extension does not say: csv, json or ndjson.")
    var format: BatchFormat?

    @Option(
        name: .customLong("expect-lines"), help: ArgumentHelp("Control total: the number of lines the file must have.", valueName: "count"))
    var expectedLines: Int?

    @Option(
        name: .customLong("expect-total"),
        help: ArgumentHelp("Control total: the sum the lines in a currency must have, as CUR=AMOUNT (repeatable).", valueName: "CUR=AMOUNT")
    )
    var expectedTotals: [String] = []

    @Option(name: .customLong("max-errors"), help: "How many errors and warnings to list before counting the rest.")
    var maximumDiagnostics: Int = 100

    func reader(configuration: RechargeConfiguration) throws -> BatchReader {
        var control = ControlTotals(lineCount: self.expectedLines)
        for text in self.expectedTotals {
            guard let (currency, amount) = ControlTotals.parseSum(text) else {
                throw ValidationError("--expect-total takes CUR=AMOUNT, such as USD=1234.56; got '\(text)'")
            }
            control.sums[currency] = amount
        }
        return BatchReader(
            configuration: configuration, profiles: .all, control: control, diagnosticLimit: max(1, self.maximumDiagnostics))
    }
}

extension BatchFormat: ExpressibleByArgument {}
