import Foundation

/// How retries of one kind back off: capped exponential backoff with full jitter and a bounded number of attempts.
public struct RetrySettings: Hashable, Sendable {
    /// Attempts in total, the first included.
    public var maximumAttempts: Int
    /// The ceiling of the first retry's delay; doubles with each further attempt.
    public var baseMilliseconds: Int
    /// No computed delay exceeds this.
    public var capMilliseconds: Int

    public init(maximumAttempts: Int, baseMilliseconds: Int, capMilliseconds: Int) {
        self.maximumAttempts = maximumAttempts
        self.baseMilliseconds = baseMilliseconds
        self.capMilliseconds = capMilliseconds
    }
}

/// Time limits that are not per provider account.
public struct TimeoutSettings: Hashable, Sendable {
    /// After SIGINT/SIGTERM, how long requests in flight may take to come back.
    public var stopGraceSeconds = 20
    /// How long an inbox file's size and time must stay unchanged before it counts as complete.
    public var inboxSettleMilliseconds = 2_000
    /// How long a provider account's circuit breaker may stay open (every probe failing) before the run gives the
    /// account up: its unsent lines stay PENDING, the other accounts finish, and the run exits 12. 0: never.
    public var breakerGiveUpSeconds = 600

    /// The keys of the `timeouts` section.
    static let keys = ["stopGraceSeconds", "inboxSettleMilliseconds", "breakerGiveUpSeconds"]

    public init() {}
}

/// Where things are, so a scheduled command line needs only `--config`. Command-line options win.
public struct PathSettings: Hashable, Sendable {
    /// The SQLite database (`--db`).
    public var database: String?
    /// The inbox folder, holding `incoming/` (`recharge inbox DIR`).
    public var inbox: String?
    /// Where `recharge inbox` writes reports (`--reports`; default `INBOX/reports`).
    public var reports: String?
    /// The Prometheus text file written at the end of `run` and `inbox` (`--metrics-file`).
    public var metricsFile: String?

    public init() {}
}

extension RechargeConfiguration {
    /// The top-level keys of a configuration file.
    static let topLevelKeys: Set<String> = [
        "accounts", "maximumPerLine", "defaultMaximumMajorUnits", "maximumFileBytes", "retry", "statusQueries", "timeouts", "paths",
        "tls",
    ]

    /// Reads `retry`, `statusQueries`, `timeouts` and `paths`, each optional, each key checked: every problem is
    /// recorded in `problems` and the next key read. A problem thrown ends the sections early (it is recorded too).
    static func parseSections(
        _ root: [String: Any], into configuration: inout RechargeConfiguration, path: String, problems: inout ConfigurationProblems
    ) throws(ConfigurationError) {
        configuration.retry = Self.retry(root["retry"], at: "retry", default: configuration.retry, path: path, problems: &problems)
        configuration.statusQueries = Self.retry(
            root["statusQueries"], at: "statusQueries", default: configuration.statusQueries, path: path, problems: &problems)
        if let raw = root["timeouts"],
            let entry = Self.object(raw, at: "timeouts", allowed: Set(TimeoutSettings.keys), path: path, problems: &problems)
        {
            let timeouts = configuration.timeouts
            configuration.timeouts.stopGraceSeconds = problems.value(timeouts.stopGraceSeconds) { () throws(ConfigurationError) in
                try Self.integer(entry, "stopGraceSeconds", in: 0...3_600, default: timeouts.stopGraceSeconds, at: "timeouts", path: path)
            }
            configuration.timeouts.inboxSettleMilliseconds = problems.value(timeouts.inboxSettleMilliseconds) {
                () throws(ConfigurationError) in
                try Self.integer(
                    entry, "inboxSettleMilliseconds", in: 0...600_000, default: timeouts.inboxSettleMilliseconds, at: "timeouts", path: path
                )
            }
            configuration.timeouts.breakerGiveUpSeconds = problems.value(timeouts.breakerGiveUpSeconds) { () throws(ConfigurationError) in
                try Self.integer(
                    entry, "breakerGiveUpSeconds", in: 0...86_400, default: timeouts.breakerGiveUpSeconds, at: "timeouts", path: path)
            }
        }
        if let raw = root["paths"],
            let entry = Self.object(
                raw, at: "paths", allowed: ["database", "inbox", "reports", "metricsFile"], path: path, problems: &problems)
        {
            func read(_ name: String) -> String? {
                problems.value(nil) { () throws(ConfigurationError) in try Self.optionalString(entry, name, at: "paths", path: path) }
            }
            configuration.paths.database = read("database")
            configuration.paths.inbox = read("inbox")
            configuration.paths.reports = read("reports")
            configuration.paths.metricsFile = read("metricsFile")
        }
        if let raw = root["tls"], let entry = Self.object(raw, at: "tls", allowed: ["trustedCAFile"], path: path, problems: &problems),
            let file = problems.value(
                nil, { () throws(ConfigurationError) in try Self.optionalString(entry, "trustedCAFile", at: "tls", path: path) })
        {
            if FileManager.default.isReadableFile(atPath: file),
                let pem = try? String(contentsOfFile: file, encoding: .utf8), pem.contains("-----BEGIN CERTIFICATE-----")
            {
                configuration.trustedCAFile = file
            } else {
                problems.add(
                    ConfigurationError(
                        path: path, key: "tls.trustedCAFile", message: "'\(file)' is not a readable PEM file of CA certificates"))
            }
        }
    }

    private static func retry(
        _ raw: Any?, at key: String, default fallback: RetrySettings, path: String, problems: inout ConfigurationProblems
    ) -> RetrySettings {
        guard let raw,
            let entry = Self.object(
                raw, at: key, allowed: ["maximumAttempts", "baseMilliseconds", "capMilliseconds"], path: path, problems: &problems)
        else { return fallback }
        var settings = fallback
        settings.maximumAttempts = problems.value(fallback.maximumAttempts) { () throws(ConfigurationError) in
            try Self.integer(entry, "maximumAttempts", in: 1...100, default: fallback.maximumAttempts, at: key, path: path)
        }
        settings.baseMilliseconds = problems.value(fallback.baseMilliseconds) { () throws(ConfigurationError) in
            try Self.integer(entry, "baseMilliseconds", in: 1...600_000, default: fallback.baseMilliseconds, at: key, path: path)
        }
        settings.capMilliseconds = problems.value(fallback.capMilliseconds) { () throws(ConfigurationError) in
            try Self.integer(entry, "capMilliseconds", in: 1...3_600_000, default: fallback.capMilliseconds, at: key, path: path)
        }
        guard settings.capMilliseconds >= settings.baseMilliseconds else {
            problems.add(ConfigurationError(path: path, key: key + ".capMilliseconds", message: "must be at least \(key).baseMilliseconds"))
            return fallback
        }
        return settings
    }

    /// The section as an object (its unknown keys recorded), or `nil` when it is not one.
    private static func object(
        _ raw: Any, at key: String, allowed: Set<String>, path: String, problems: inout ConfigurationProblems
    ) -> [String: Any]? {
        guard let entry = raw as? [String: Any] else {
            problems.add(ConfigurationError(path: path, key: key, message: "must be an object"))
            return nil
        }
        Self.reportUnknownKeys(entry, allowed: allowed, at: key + ".", path: path, into: &problems)
        return entry
    }
}
