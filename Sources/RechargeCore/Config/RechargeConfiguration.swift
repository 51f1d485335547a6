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
    /// - Throws: The first problem ``check(path:environment:)`` finds; its message says how many more there are.
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> RechargeConfiguration {
        let checked = Self.check(path: path, environment: environment)
        guard let first = checked.problems.first else {
            guard let configuration = checked.configuration else {
                throw ConfigurationError(path: path, key: nil, message: "not usable")
            }
            return configuration
        }
        guard checked.problems.count > 1 else { throw first }
        let more = counted(checked.problems.count - 1, "more problem")
        throw ConfigurationError(
            path: first.path, key: first.key, message: "\(first.message) (and \(more): recharge config check lists them all)")
    }

    /// Reads and checks a configuration file completely, collecting every problem rather than stopping at the first.
    ///
    /// The configuration is returned when the file is a JSON object, with every setting that could be read (a bad
    /// setting keeps its default, a bad account is left out); it is usable only when there are no problems.
    public static func check(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> (configuration: RechargeConfiguration?, problems: [ConfigurationError]) {
        var problems = ConfigurationProblems()
        if let problem = FilePermissions.othersCanWrite(file: path) {
            problems.add(ConfigurationError(path: path, key: nil, message: problem))
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            problems.add(ConfigurationError(path: path, key: nil, message: "cannot read the file (\(error.localizedDescription))"))
            return (nil, problems.all)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            problems.add(ConfigurationError(path: path, key: nil, message: Self.syntaxProblem(in: data)))
            return (nil, problems.all)
        }
        guard var root = object as? [String: Any] else {
            problems.add(ConfigurationError(path: path, key: nil, message: "the top level must be a JSON object"))
            return (nil, problems.all)
        }
        let overridden = EnvironmentOverrides.apply(environment, to: &root, path: path, problems: &problems)
        var configuration = Self.parse(root, path: path, problems: &problems)
        configuration?.environmentOverrides = overridden
        let named = problems.all.map { problem in
            guard let key = problem.key, let variable = overridden[key] else { return problem }
            return ConfigurationError(path: path, key: key, message: "\(problem.message) (the value comes from \(variable))")
        }
        return (configuration, named)
    }

    /// `not valid JSON: line 3, character 17: expected ',' or '}' in an object, found '"'` — where the JSON first goes
    /// wrong, found by the batch reader's parser (Foundation's error does not say).
    static func syntaxProblem(in data: Data) -> String {
        var parser = JSONParser(input: ByteInput(bytes: Array(data)), maximumDepth: 512, maximumStringBytes: Int.max)
        do {
            guard parser.skipByteOrderMark() else { return "not valid JSON: the file is UTF-16 encoded; save it as UTF-8" }
            _ = try parser.parseValue()
            if let next = parser.skipWhitespace() {
                return "not valid JSON: " + parser.syntaxError("text after the end of the JSON value: \(JSONParser.show(next))").located
            }
        } catch {
            return "not valid JSON: " + error.located
        }
        return "not valid JSON"
    }

    /// A configuration from a parsed JSON object, or its first problem.
    static func parse(_ object: Any, path: String) throws(ConfigurationError) -> RechargeConfiguration {
        var problems = ConfigurationProblems()
        let configuration = Self.parse(object, path: path, problems: &problems)
        if let first = problems.all.first { throw first }
        guard let configuration else { throw ConfigurationError(path: path, key: nil, message: "the top level must be a JSON object") }
        return configuration
    }

    /// Reads every setting of a parsed JSON object, recording each problem and going on with the next setting.
    static func parse(_ object: Any, path: String, problems: inout ConfigurationProblems) -> RechargeConfiguration? {
        guard let root = object as? [String: Any] else {
            problems.add(ConfigurationError(path: path, key: nil, message: "the top level must be a JSON object"))
            return nil
        }
        Self.reportUnknownKeys(root, allowed: Self.topLevelKeys, at: "", path: path, into: &problems)
        var accounts: [ProviderAccount] = []
        if let rawAccounts = root["accounts"] as? [Any], !rawAccounts.isEmpty {
            for (index, raw) in rawAccounts.enumerated() {
                if let account = Self.account(raw, at: "accounts[\(index)]", after: accounts, path: path, problems: &problems) {
                    accounts.append(account)
                }
            }
        } else {
            problems.add(ConfigurationError(path: path, key: "accounts", message: "a non-empty array of provider accounts is required"))
        }
        var configuration = RechargeConfiguration(accounts: accounts)
        if let rawDefault = root["defaultMaximumMajorUnits"] {
            // JSON `true` arrives as a boolean NSNumber, which `as? Int` would read as 1.
            if !Self.isJSONBoolean(rawDefault), let number = rawDefault as? Int, number > 0 {
                configuration.defaultMaximumMajorUnits = Int64(number)
            } else {
                problems.add(ConfigurationError(path: path, key: "defaultMaximumMajorUnits", message: "must be a positive whole number"))
            }
        }
        configuration.maximumFileBytes = problems.value(configuration.maximumFileBytes) { () throws(ConfigurationError) in
            try Self.integer(
                root, "maximumFileBytes", in: 1...(1 << 40), default: configuration.maximumFileBytes, at: nil, path: path)
        }
        if let rawMaximums = root["maximumPerLine"] {
            if let maximums = rawMaximums as? [String: Any] {
                for (code, value) in maximums.sorted(by: { $0.key < $1.key }) {
                    let key = "maximumPerLine.\(code)"
                    guard let currency = Currency(code: code) else {
                        problems.add(ConfigurationError(path: path, key: key, message: "'\(code)' is not an ISO 4217 currency code"))
                        continue
                    }
                    guard let text = value as? String else {
                        problems.add(ConfigurationError(path: path, key: key, message: "must be a decimal string such as \"50000.00\""))
                        continue
                    }
                    do {
                        configuration.maximumPerLine[code] = try Money.parse(text, currency: currency)
                    } catch {
                        problems.add(ConfigurationError(path: path, key: key, message: error.description))
                    }
                }
            } else {
                problems.add(ConfigurationError(path: path, key: "maximumPerLine", message: "must be an object of currency → amount"))
            }
        }
        do {
            try Self.parseSections(root, into: &configuration, path: path, problems: &problems)
        } catch {
            problems.add(error)
        }
        return configuration
    }

    /// One entry of `accounts`, or `nil` when it cannot be used (its problems recorded).
    private static func account(
        _ raw: Any, at key: String, after accounts: [ProviderAccount], path: String, problems: inout ConfigurationProblems
    ) -> ProviderAccount? {
        guard let entry = raw as? [String: Any] else {
            problems.add(ConfigurationError(path: path, key: key, message: "must be an object"))
            return nil
        }
        let before = problems.all.count
        Self.reportUnknownKeys(
            entry,
            allowed: [
                "name", "kind", "baseURL", "defaultPayCoin", "defaultPayAccountNumber", "credentials", "timeoutMilliseconds",
                "requestsPerSecond", "burst", "maxInFlight",
            ],
            at: key + ".", path: path, into: &problems)
        var name = entry["name"] as? String ?? ""
        if !Self.isValidAccountName(name) {
            problems.add(ConfigurationError(path: path, key: key + ".name", message: "required: 1 to 64 letters, digits, '-', '_' or '.'"))
            name = ""
        } else if accounts.contains(where: { $0.name == name }) {
            problems.add(ConfigurationError(path: path, key: key + ".name", message: "account '\(name)' is configured twice"))
        }
        guard let kindText = entry["kind"] as? String, let kind = ProviderKind(rawValue: kindText) else {
            let kinds = ProviderKind.allCases.map(\.rawValue).joined(separator: ", ")
            problems.add(ConfigurationError(path: path, key: key + ".kind", message: "required, one of: \(kinds)"))
            return nil
        }
        var account = ProviderAccount(name: name, kind: kind)
        account.baseURL = problems.value(nil) { () throws(ConfigurationError) in
            try Self.optionalString(entry, "baseURL", at: key, path: path)
        }
        account.defaultPayCoin = problems.value(nil) { () throws(ConfigurationError) in
            try Self.optionalString(entry, "defaultPayCoin", at: key, path: path)
        }
        account.defaultPayAccountNumber = problems.value(nil) { () throws(ConfigurationError) in
            try Self.optionalString(entry, "defaultPayAccountNumber", at: key, path: path)
        }
        if let baseURL = account.baseURL {
            if let url = URL(string: baseURL), url.scheme == "https" || url.scheme == "http", let host = url.host {
                // Plain HTTP only to this machine (the simulator): anything else would send keys and card ids in clear.
                if url.scheme != "https" && !["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased()) {
                    problems.add(
                        ConfigurationError(
                            path: path, key: key + ".baseURL",
                            message: "'\(baseURL)': plain http is allowed only to 127.0.0.1 or localhost; use https"))
                }
            } else {
                problems.add(ConfigurationError(path: path, key: key + ".baseURL", message: "'\(baseURL)' is not an http(s) URL"))
            }
        }
        let timeout = account.timeoutMilliseconds
        account.timeoutMilliseconds = problems.value(timeout) { () throws(ConfigurationError) in
            try Self.integer(entry, "timeoutMilliseconds", in: 100...600_000, default: timeout, at: key, path: path)
        }
        let inFlight = account.maxInFlight
        account.maxInFlight = problems.value(inFlight) { () throws(ConfigurationError) in
            try Self.integer(entry, "maxInFlight", in: 1...1_024, default: inFlight, at: key, path: path)
        }
        if entry["burst"] != nil {
            account.burst = problems.value(nil) { () throws(ConfigurationError) in
                try Self.integer(entry, "burst", in: 1...100_000, default: 1, at: key, path: path)
            }
        }
        if let rate = entry["requestsPerSecond"] {
            if let number = rate as? NSNumber, !Self.isJSONBoolean(rate), number.doubleValue > 0, number.doubleValue <= 100_000 {
                account.requestsPerSecond = number.doubleValue
            } else {
                problems.add(
                    ConfigurationError(path: path, key: key + ".requestsPerSecond", message: "must be a number above 0 and at most 100000"))
            }
        }
        account.credentials = Self.credentials(entry["credentials"], at: key + ".credentials", path: path, problems: &problems)
        let requirements = CredentialRequirements.of(kind)
        for (name, source) in account.credentials.sorted(by: { $0.key < $1.key }) {
            guard let requirement = requirements.first(where: { $0.name == name }) else {
                problems.add(
                    ConfigurationError(
                        path: path, key: "\(key).credentials.\(name)",
                        message: "\(kind.rawValue) has no such credential; expected: \(requirements.map(\.name).joined(separator: ", "))"))
                continue
            }
            if requirement.isSecret, case .value = source {
                problems.add(
                    ConfigurationError(
                        path: path, key: "\(key).credentials.\(name)",
                        message: "a secret is read from the environment or a key file, never written in the configuration"))
            }
        }
        return problems.all.count == before ? account : nil
    }

    /// A whole number in `range`; `key` is the section (`nil` at the top level).
    static func integer(
        _ entry: [String: Any], _ name: String, in range: ClosedRange<Int>, default fallback: Int, at key: String?, path: String
    ) throws(ConfigurationError) -> Int {
        guard let value = entry[name] else { return fallback }
        guard !Self.isJSONBoolean(value), let number = value as? Int, range.contains(number) else {
            throw ConfigurationError(
                path: path, key: key.map { "\($0).\(name)" } ?? name,
                message: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// `{"apiKey": {"env": "UQPAY_API_KEY"}, "privateKey": {"file": "/etc/recharge/hc.pem"}, "companyID": {"value": "4101"}}`
    private static func credentials(
        _ raw: Any?, at key: String, path: String, problems: inout ConfigurationProblems
    ) -> [String: CredentialSource] {
        guard let raw else { return [:] }
        guard let object = raw as? [String: Any] else {
            problems.add(ConfigurationError(path: path, key: key, message: "must be an object of credential name → source"))
            return [:]
        }
        var sources: [String: CredentialSource] = [:]
        for (name, value) in object.sorted(by: { $0.key < $1.key }) {
            guard let source = value as? [String: Any], source.count == 1, let (kind, rawText) = source.first,
                let text = rawText as? String,
                !text.isEmpty
            else {
                problems.add(
                    ConfigurationError(
                        path: path, key: "\(key).\(name)", message: "must be {\"env\": NAME}, {\"file\": PATH} or {\"value\": TEXT}"))
                continue
            }
            switch kind {
            case "env": sources[name] = .environment(text)
            case "file": sources[name] = .file(text)
            case "value": sources[name] = .value(text)
            default:
                problems.add(
                    ConfigurationError(path: path, key: "\(key).\(name).\(kind)", message: "unknown source; use env, file or value"))
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

    /// Records every key of `object` that is not in `allowed`.
    static func reportUnknownKeys(
        _ object: [String: Any], allowed: Set<String>, at prefix: String, path: String, into problems: inout ConfigurationProblems
    ) {
        for unknown in object.keys.sorted() where !allowed.contains(unknown) {
            problems.add(
                ConfigurationError(
                    path: path, key: prefix + unknown, message: "unknown key; expected one of: \(allowed.sorted().joined(separator: ", "))")
            )
        }
    }
}

/// The problems found in one pass over a configuration, in the order found.
struct ConfigurationProblems {
    private(set) var all: [ConfigurationError] = []

    mutating func add(_ problem: ConfigurationError) {
        self.all.append(problem)
    }

    /// The value `read` returns, or `fallback` with the problem it throws recorded, so the next setting is still read.
    mutating func value<T>(_ fallback: T, _ read: () throws(ConfigurationError) -> T) -> T {
        do {
            return try read()
        } catch {
            self.all.append(error)
            return fallback
        }
    }
}
