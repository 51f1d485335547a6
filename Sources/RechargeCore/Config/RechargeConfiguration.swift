/// The processor's configuration: provider accounts and validation limits.
///
/// Read from a JSON file given with `--config`; without one, ``builtInDefault`` has one account per
/// simulated provider, named after its kind.
public struct RechargeConfiguration: Sendable {
    public var accounts: [ProviderAccount]
    /// The largest amount one line may carry, per currency code; `nil` falls back to ``defaultMaximumPerLine``.
    public var maximumPerLine: [String: Money]
    /// The fallback maximum, in major units of any currency.
    public var defaultMaximumMajorUnits: Int64
    /// The most bytes one batch file may have (`maximumFileBytes`); a larger file is refused while it is read.
    public var maximumFileBytes = BatchReader.defaultMaximumFileBytes
    /// Retries of requests that provably did not take effect.
    public var retry = RetrySettings(maximumAttempts: 8, baseMilliseconds: 500, capMilliseconds: 30_000)
    /// Status queries of an in-doubt line, before it goes to UNKNOWN.
    public var statusQueries = RetrySettings(maximumAttempts: 8, baseMilliseconds: 1_000, capMilliseconds: 30_000)
    public var timeouts = TimeoutSettings()
    public var paths = PathSettings()
    /// A PostgreSQL store shared by several runners, instead of the SQLite file (`store`).
    public var store = StoreSettings()
    /// Which batches must be approved by someone other than their uploader before they run (`approval`);
    /// `nil`: none do.
    public var approval: ApprovalPolicy?
    /// A PEM file of CA certificates trusted in addition to the system's (a provider behind a private CA).
    /// Certificate verification itself is never turned off.
    public var trustedCAFile: String?
    /// How `recharge serve` listens and what it accepts (`console`).
    public var console = ConsoleConfiguration()
    /// The settings environment variables overrode when the file was loaded: key → variable.
    public var environmentOverrides: [String: String] = [:]

    public init(accounts: [ProviderAccount], maximumPerLine: [String: Money] = [:], defaultMaximumMajorUnits: Int64 = 1_000_000) {
        self.accounts = accounts
        self.maximumPerLine = maximumPerLine
        self.defaultMaximumMajorUnits = defaultMaximumMajorUnits
    }

    /// One account per provider kind, named after it (`vcc`, `hypercard`, `pagsmile`, `uqpay`, `paycertify`).
    public static let builtInDefault = RechargeConfiguration(
        accounts: ProviderKind.allCases.map { ProviderAccount(name: $0.rawValue, kind: $0) }
    )

    /// The account with this name, if configured.
    public func account(named name: String) -> ProviderAccount? {
        self.accounts.first { $0.name == name }
    }

    /// The largest amount, in minor units, one line in `currency` may carry.
    public func maximumMinorUnits(for currency: Currency) -> Int64 {
        if let configured = self.maximumPerLine[currency.code] { return configured.minorUnits }
        let (value, overflow) = self.defaultMaximumMajorUnits.multipliedReportingOverflow(by: currency.minorUnitsPerMajor)
        return overflow ? .max : value
    }
}

/// A configuration file that cannot be used, naming the key at fault.
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    public let path: String
    public let key: String?
    public let message: String

    public init(path: String, key: String?, message: String) {
        self.path = path
        self.key = key
        self.message = message
    }

    public var description: String {
        if let key { return "\(self.path): \(key): \(self.message)" }
        return "\(self.path): \(self.message)"
    }
}
