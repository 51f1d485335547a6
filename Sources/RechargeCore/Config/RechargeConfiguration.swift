import Foundation

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
    /// A PEM file of CA certificates trusted in addition to the system's (a provider behind a private CA).
    /// Certificate verification itself is never turned off.
    public var trustedCAFile: String?
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

extension RechargeConfiguration {
    /// Loads a JSON configuration file. Unknown keys are errors, so a misspelt setting is not silently ignored.
    ///
    /// ```json
    /// { "accounts": [ { "name": "uqpay-main", "kind": "uqpay", "baseURL": "https://api.uqpay.com/api" } ],
    ///   "maximumPerLine": { "USD": "50000.00", "JPY": "5000000" },
    ///   "defaultMaximumMajorUnits": 1000000 }
    /// ```
    ///
    /// Environment variables named `RECHARGE_…` override the file's settings (see ``EnvironmentOverrides``).
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> RechargeConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError(path: path, key: nil, message: "cannot read the file (\(error.localizedDescription))")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ConfigurationError(path: path, key: nil, message: "not valid JSON")
        }
        guard var root = object as? [String: Any] else {
            throw ConfigurationError(path: path, key: nil, message: "the top level must be a JSON object")
        }
        let overridden = try EnvironmentOverrides.apply(environment, to: &root, path: path)
        do {
            var configuration = try Self.parse(root, path: path)
            configuration.environmentOverrides = overridden
            return configuration
        } catch {
            guard let key = error.key, let variable = overridden[key] else { throw error }
            throw ConfigurationError(path: path, key: key, message: "\(error.message) (the value comes from \(variable))")
        }
    }

    static func parse(_ object: Any, path: String) throws(ConfigurationError) -> RechargeConfiguration {
        guard let root = object as? [String: Any] else {
            throw ConfigurationError(path: path, key: nil, message: "the top level must be a JSON object")
        }
        try Self.rejectUnknownKeys(root, allowed: Self.topLevelKeys, at: "", path: path)
        guard let rawAccounts = root["accounts"] as? [Any], !rawAccounts.isEmpty else {
            throw ConfigurationError(path: path, key: "accounts", message: "a non-empty array of provider accounts is required")
        }
        var accounts: [ProviderAccount] = []
        for (index, raw) in rawAccounts.enumerated() {
            let key = "accounts[\(index)]"
            guard let entry = raw as? [String: Any] else {
                throw ConfigurationError(path: path, key: key, message: "must be an object")
            }
            try Self.rejectUnknownKeys(
                entry,
                allowed: [
                    "name", "kind", "baseURL", "defaultPayCoin", "defaultPayAccountNumber", "credentials", "timeoutMilliseconds",
                    "requestsPerSecond", "burst", "maxInFlight",
                ],
                at: key + ".", path: path)
            guard let name = entry["name"] as? String, Self.isValidAccountName(name) else {
                throw ConfigurationError(
                    path: path, key: key + ".name",
                    message: "required: 1 to 64 letters, digits, '-', '_' or '.'")
            }
            guard accounts.allSatisfy({ $0.name != name }) else {
                throw ConfigurationError(path: path, key: key + ".name", message: "account '\(name)' is configured twice")
            }
            guard let kindText = entry["kind"] as? String, let kind = ProviderKind(rawValue: kindText) else {
                let kinds = ProviderKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigurationError(path: path, key: key + ".kind", message: "required, one of: \(kinds)")
            }
            var account = ProviderAccount(name: name, kind: kind)
            account.baseURL = try Self.optionalString(entry, "baseURL", at: key, path: path)
            account.defaultPayCoin = try Self.optionalString(entry, "defaultPayCoin", at: key, path: path)
            account.defaultPayAccountNumber = try Self.optionalString(entry, "defaultPayAccountNumber", at: key, path: path)
            if let baseURL = account.baseURL {
                guard let url = URL(string: baseURL), url.scheme == "https" || url.scheme == "http", let host = url.host else {
                    throw ConfigurationError(path: path, key: key + ".baseURL", message: "'\(baseURL)' is not an http(s) URL")
                }
                // Plain HTTP only to this machine (the simulator): anything else would send keys and card ids in clear.
                guard url.scheme == "https" || ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased()) else {
                    throw ConfigurationError(
                        path: path, key: key + ".baseURL",
                        message: "'\(baseURL)': plain http is allowed only to 127.0.0.1 or localhost; use https")
                }
            }
            account.timeoutMilliseconds = try Self.integer(
                entry, "timeoutMilliseconds", in: 100...600_000, default: account.timeoutMilliseconds, at: key, path: path)
            account.maxInFlight = try Self.integer(entry, "maxInFlight", in: 1...1_024, default: account.maxInFlight, at: key, path: path)
            if entry["burst"] != nil {
                account.burst = try Self.integer(entry, "burst", in: 1...100_000, default: 1, at: key, path: path)
            }
            if let rate = entry["requestsPerSecond"] {
                guard let number = rate as? NSNumber, !Self.isJSONBoolean(rate), number.doubleValue > 0, number.doubleValue <= 100_000
                else {
                    throw ConfigurationError(
                        path: path, key: key + ".requestsPerSecond", message: "must be a number above 0 and at most 100000")
                }
                account.requestsPerSecond = number.doubleValue
            }
            account.credentials = try Self.credentials(entry["credentials"], at: key + ".credentials", path: path)
            let requirements = CredentialRequirements.of(kind)
            for (name, source) in account.credentials {
                guard let requirement = requirements.first(where: { $0.name == name }) else {
                    throw ConfigurationError(
                        path: path, key: "\(key).credentials.\(name)",
                        message: "\(kind.rawValue) has no such credential; expected: \(requirements.map(\.name).joined(separator: ", "))")
                }
                if requirement.isSecret, case .value = source {
                    throw ConfigurationError(
                        path: path, key: "\(key).credentials.\(name)",
                        message: "a secret is read from the environment or a key file, never written in the configuration")
                }
            }
            accounts.append(account)
        }
        var configuration = RechargeConfiguration(accounts: accounts)
        if let rawDefault = root["defaultMaximumMajorUnits"] {
            // JSON `true` arrives as a boolean NSNumber, which `as? Int` would read as 1.
            guard !Self.isJSONBoolean(rawDefault), let number = rawDefault as? Int, number > 0 else {
                throw ConfigurationError(path: path, key: "defaultMaximumMajorUnits", message: "must be a positive whole number")
            }
            configuration.defaultMaximumMajorUnits = Int64(number)
        }
        if let rawMaximums = root["maximumPerLine"] {
            guard let maximums = rawMaximums as? [String: Any] else {
                throw ConfigurationError(path: path, key: "maximumPerLine", message: "must be an object of currency → amount")
            }
            for (code, value) in maximums {
                let key = "maximumPerLine.\(code)"
                guard let currency = Currency(code: code) else {
                    throw ConfigurationError(path: path, key: key, message: "'\(code)' is not an ISO 4217 currency code")
                }
                guard let text = value as? String else {
                    throw ConfigurationError(path: path, key: key, message: "must be a decimal string such as \"50000.00\"")
                }
                do {
                    configuration.maximumPerLine[code] = try Money.parse(text, currency: currency)
                } catch {
                    throw ConfigurationError(path: path, key: key, message: error.description)
                }
            }
        }
        try Self.parseSections(root, into: &configuration, path: path)
        return configuration
    }

    static func integer(
        _ entry: [String: Any], _ name: String, in range: ClosedRange<Int>, default fallback: Int, at key: String, path: String
    ) throws(ConfigurationError) -> Int {
        guard let value = entry[name] else { return fallback }
        guard !Self.isJSONBoolean(value), let number = value as? Int, range.contains(number) else {
            throw ConfigurationError(
                path: path, key: "\(key).\(name)", message: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// `{"apiKey": {"env": "UQPAY_API_KEY"}, "privateKey": {"file": "/etc/recharge/hc.pem"}, "companyID": {"value": "4101"}}`
    private static func credentials(_ raw: Any?, at key: String, path: String) throws(ConfigurationError) -> [String: CredentialSource] {
        guard let raw else { return [:] }
        guard let object = raw as? [String: Any] else {
            throw ConfigurationError(path: path, key: key, message: "must be an object of credential name → source")
        }
        var sources: [String: CredentialSource] = [:]
        for (name, value) in object {
            guard let source = value as? [String: Any], source.count == 1, let (kind, rawText) = source.first,
                let text = rawText as? String,
                !text.isEmpty
            else {
                throw ConfigurationError(
                    path: path, key: "\(key).\(name)", message: "must be {\"env\": NAME}, {\"file\": PATH} or {\"value\": TEXT}")
            }
            switch kind {
            case "env": sources[name] = .environment(text)
            case "file": sources[name] = .file(text)
            case "value": sources[name] = .value(text)
            default:
                throw ConfigurationError(path: path, key: "\(key).\(name).\(kind)", message: "unknown source; use env, file or value")
            }
        }
        return sources
    }

    /// Whether a JSONSerialization value is `true` or `false`. On Linux `1 is Bool` is also true, so the
    /// check looks at the number's type code instead.
    static func isJSONBoolean(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return value is Bool }
        return String(cString: number.objCType) == "c"
    }

    static func isValidAccountName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0))
            }
    }

    static func optionalString(
        _ entry: [String: Any], _ name: String, at key: String, path: String
    ) throws(ConfigurationError) -> String? {
        guard let value = entry[name] else { return nil }
        guard let text = value as? String, !text.isEmpty else {
            throw ConfigurationError(path: path, key: "\(key).\(name)", message: "must be a non-empty string")
        }
        return text
    }

    static func rejectUnknownKeys(
        _ object: [String: Any], allowed: Set<String>, at prefix: String, path: String
    ) throws(ConfigurationError) {
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ConfigurationError(
                path: path, key: prefix + unknown,
                message: "unknown key; expected one of: \(allowed.sorted().joined(separator: ", "))")
        }
    }
}
