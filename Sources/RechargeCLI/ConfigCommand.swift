import ArgumentParser
import Foundation
import RechargeConfig
import RechargeCore
import RechargeProviders
import RechargeRuns

/// `recharge config check`: the effective configuration, secrets redacted, and every problem with its key.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Inspect the configuration.",
        subcommands: [ConfigCheckCommand.self]
    )
}

struct ConfigCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Print the effective configuration (file + RECHARGE_* environment overrides), secrets redacted; exit 78 on any problem.",
        discussion: """
            Checks what a run would check before sending anything: unknown keys, values out of range, URLs, and every \
            credential (the environment variable is set, the key file exists, is readable and is not readable by group \
            or others). Secret values are never printed: a credential shows its source and whether it resolves. Each \
            problem names its key; the exit code is 78 if there is any.
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let path = self.global.config ?? "(built-in default)"
        let environment = ProcessInfo.processInfo.environment
        // Every problem in one pass: the file's, then the credentials of every account that could be read.
        let (checked, fileProblems) =
            self.global.config.map { RechargeConfiguration.check(path: $0, profiles: .all, environment: environment) } ?? (
                .builtInDefault, []
            )
        var problems = fileProblems
        for account in checked?.accounts ?? [] {
            problems += account.credentialProblems(path: path, profiles: .all, environment: environment)
        }
        if let configuration = checked, fileProblems.isEmpty {
            // The effective configuration only when there is one: with problems in the file, there is not.
            try Output.json(ConfigurationSummary(configuration, path: path, databasePath: self.global.db, environment: environment))
        }
        guard let configuration = checked, problems.isEmpty else {
            for problem in problems { Output.err("recharge: configuration error: \(problem.description)") }
            throw RechargeFailure(exitCode: RechargeExit.configError, message: "\(counted(problems.count, "problem")) in \(path)")
        }
        Output.err("\(path): configuration OK (\(counted(configuration.accounts.count, "account")))")
    }
}

/// The effective configuration as `config check` prints it: every setting, and each credential's source and
/// whether it resolves — never a secret's value.
struct ConfigurationSummary: Encodable {
    struct Account: Encodable {
        var name: String
        var kind: String
        var baseURL: String?
        var timeoutMilliseconds: Int
        var requestsPerSecond: Double?
        var burst: Int?
        var maxInFlight: Int
        /// Shown when the configuration sets it (VCC and PayCertify read the card unless told not to).
        var readCardBeforeSend: Bool?
        var credentials: [String: String]
    }

    struct Retry: Encodable {
        var maximumAttempts: Int
        var baseMilliseconds: Int
        var capMilliseconds: Int

        init(_ settings: RetrySettings) {
            self.maximumAttempts = settings.maximumAttempts
            self.baseMilliseconds = settings.baseMilliseconds
            self.capMilliseconds = settings.capMilliseconds
        }
    }

    var file: String
    var environmentOverrides: [String: String]
    var accounts: [Account]
    var maximumFileBytes: Int
    var retry: Retry
    var statusQueries: Retry
    var timeouts: [String: Int]
    var paths: [String: String]
    /// Which batches need approval, in words ("none" without an `approval` section).
    var approval: String

    init(_ configuration: RechargeConfiguration, path: String, databasePath: String, environment: [String: String]) {
        self.file = path
        self.environmentOverrides = configuration.environmentOverrides
        self.accounts = configuration.accounts.map { account in
            var credentials: [String: String] = [:]
            let secrets = Set((ProviderProfiles.all[account.kind]?.credentialRequirements ?? []).filter(\.isSecret).map(\.name))
            for (name, source) in account.credentials {
                credentials[name] = Self.describe(source, isSecret: secrets.contains(name), environment: environment)
            }
            return Account(
                name: account.name, kind: account.kind.rawValue, baseURL: account.baseURL, timeoutMilliseconds: account.timeoutMilliseconds,
                requestsPerSecond: account.requestsPerSecond, burst: account.burst, maxInFlight: account.maxInFlight,
                readCardBeforeSend: account.readCardBeforeSend, credentials: credentials)
        }
        self.maximumFileBytes = configuration.maximumFileBytes
        self.retry = Retry(configuration.retry)
        self.statusQueries = Retry(configuration.statusQueries)
        self.timeouts = [
            "stopGraceSeconds": configuration.timeouts.stopGraceSeconds,
            "inboxSettleMilliseconds": configuration.timeouts.inboxSettleMilliseconds,
        ]
        var paths = ["database": databasePath]
        paths["inbox"] = configuration.paths.inbox
        paths["reports"] = configuration.paths.reports
        paths["metricsFile"] = configuration.paths.metricsFile
        self.paths = paths
        self.approval = Self.describe(configuration.approval)
    }

    /// `every batch, 1 approval`, `above USD 10000.00 (other currencies always), 2 above USD 100000.00`, or `none`.
    static func describe(_ policy: ApprovalPolicy?) -> String {
        guard let policy else { return "none" }
        func amounts(_ limits: [String: Money]) -> String {
            limits.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.decimalString)" }.joined(separator: ", ")
        }
        var parts: [String] = []
        if policy.required {
            parts.append("every batch: 1 approval")
        } else if let above = policy.above {
            parts.append("1 approval above \(amounts(above)) (currencies not listed: always)")
        }
        if !policy.twoApproversAbove.isEmpty { parts.append("2 approvals above \(amounts(policy.twoApproversAbove))") }
        return parts.joined(separator: "; ") + "; never by the uploader"
    }

    /// `env VCC_API_KEY (set, redacted)`, `file /etc/recharge/vcc.key (mode 600, redacted)`, `value 4101`.
    static func describe(_ source: CredentialSource, isSecret: Bool, environment: [String: String]) -> String {
        switch source {
        case .environment(let name):
            let isSet = !(environment[name] ?? "").isEmpty
            return "env \(name) (\(isSet ? "set, redacted" : "NOT SET"))"
        case .file(let path):
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue
            else { return "file \(path) (MISSING)" }
            return "file \(path) (mode \(String(mode, radix: 8)), redacted)"
        case .value(let value):
            // The loader refuses a literal secret; a literal is an identifier such as a company id.
            return isSecret ? "value (refused: a secret)" : "value \(value)"
        }
    }
}
