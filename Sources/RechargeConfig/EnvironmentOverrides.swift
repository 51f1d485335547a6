import RechargeCore

/// Environment variables that override settings of the configuration file, for the settings an operator changes
/// per host or per night without editing the file.
///
/// The name is `RECHARGE_` and the key path in upper case with `.` as `_` — the convention of swift-configuration's
/// `EnvironmentVariablesProvider`. An account's settings go by its name, upper-cased, with any character other
/// than a letter or digit as `_`:
///
/// ```
/// RECHARGE_ACCOUNTS_UQPAY_MAIN_MAXINFLIGHT=4      accounts[name = "uqpay-main"].maxInFlight
/// RECHARGE_RETRY_MAXIMUMATTEMPTS=5                retry.maximumAttempts
/// RECHARGE_PATHS_METRICSFILE=/var/lib/…/recharge.prom
/// ```
///
/// A variable under one of the sections (`RECHARGE_ACCOUNTS_`, `RECHARGE_RETRY_`, `RECHARGE_STATUSQUERIES_`,
/// `RECHARGE_TIMEOUTS_`, `RECHARGE_PATHS_`) that names no setting is an error, so a misspelt override is not
/// silently ignored — unless a credential names it as its `env` source. Values are validated like the file's.
/// Credentials are not overridable this way: their sources are in the file, their values in the variables those
/// sources name.
package enum EnvironmentOverrides {
    static let accountFields: [String: (key: String, numeric: Bool)] = [
        "BASEURL": ("baseURL", false), "TIMEOUTMILLISECONDS": ("timeoutMilliseconds", true),
        "REQUESTSPERSECOND": ("requestsPerSecond", true), "BURST": ("burst", true), "MAXINFLIGHT": ("maxInFlight", true),
        "DEFAULTPAYCOIN": ("defaultPayCoin", false), "DEFAULTPAYACCOUNTNUMBER": ("defaultPayAccountNumber", false),
    ]

    static let sectionFields: [String: (section: String, key: String, numeric: Bool)] = {
        var fields: [String: (String, String, Bool)] = [:]
        for section in ["retry", "statusQueries"] {
            for key in ["maximumAttempts", "baseMilliseconds", "capMilliseconds"] {
                fields[EnvironmentOverrides.variable(section, key)] = (section, key, true)
            }
        }
        for key in TimeoutSettings.keys {
            fields[EnvironmentOverrides.variable("timeouts", key)] = ("timeouts", key, true)
        }
        for key in ["database", "inbox", "reports", "metricsFile"] {
            fields[EnvironmentOverrides.variable("paths", key)] = ("paths", key, false)
        }
        return fields
    }()

    static let sectionPrefixes = [
        "RECHARGE_ACCOUNTS_", "RECHARGE_RETRY_", "RECHARGE_STATUSQUERIES_", "RECHARGE_TIMEOUTS_", "RECHARGE_PATHS_",
    ]

    /// The variable for a setting: `RECHARGE_` + the key path upper-cased, `.` and other punctuation as `_`.
    package static func variable(_ components: String...) -> String {
        "RECHARGE_" + components.map(Self.normalized).joined(separator: "_")
    }

    static func normalized(_ text: String) -> String {
        String(
            text.uppercased().unicodeScalars.map {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) ? Character($0) : "_"
            })
    }

    /// Applies the overrides to a configuration file's JSON tree.
    /// - Returns: The keys overridden (as ``ConfigurationError`` names them) and the variable each came from.
    /// A variable under a section that matches no setting is recorded in `problems` (and the rest still applied).
    static func apply(
        _ environment: [String: String], to root: inout [String: ConfigurationJSON], path: String, problems: inout [ConfigurationError]
    ) -> [String: String] {
        var overridden: [String: String] = [:]
        var accounts = root["accounts"]?.array ?? []
        var credentialVariables: Set<String> = []
        for account in accounts {
            for source in (account.object?["credentials"]?.object ?? [:]).values {
                if let name = source.object?["env"]?.string { credentialVariables.insert(name) }
            }
        }
        for (variable, text) in environment.sorted(by: { $0.key < $1.key })
        where Self.sectionPrefixes.contains(where: variable.hasPrefix) && !credentialVariables.contains(variable) {
            if let field = Self.sectionFields[variable] {
                var section = root[field.section]?.object ?? [:]
                section[field.key] = Self.value(text, numeric: field.numeric)
                root[field.section] = .object(section)
                overridden["\(field.section).\(field.key)"] = variable
                continue
            }
            guard let (index, field) = Self.accountField(variable, accounts: accounts) else {
                problems.append(
                    ConfigurationError(
                        path: path, key: variable,
                        message: "this environment variable names no setting (see docs/operations.md, \"Environment overrides\")"))
                continue
            }
            guard var account = accounts[index].object else { continue }
            account[field.key] = Self.value(text, numeric: field.numeric)
            accounts[index] = .object(account)
            overridden["accounts[\(index)].\(field.key)"] = variable
        }
        if !accounts.isEmpty { root["accounts"] = .array(accounts) }
        return overridden
    }

    private static func accountField(_ variable: String, accounts: [ConfigurationJSON]) -> (Int, (key: String, numeric: Bool))? {
        for (index, raw) in accounts.enumerated() {
            guard let name = raw.object?["name"]?.string else { continue }
            let prefix = Self.variable("accounts", name) + "_"
            if variable.hasPrefix(prefix), let field = Self.accountFields[String(variable.dropFirst(prefix.count))] {
                return (index, field)
            }
        }
        return nil
    }

    /// A number where the setting is numeric and the text reads as one; otherwise the text (which the
    /// validation then refuses, naming the key and the variable).
    private static func value(_ text: String, numeric: Bool) -> ConfigurationJSON {
        guard numeric else { return .string(text) }
        if let integer = Int(text) { return .integer(integer) }
        if let double = Double(text), double.isFinite { return .number(double) }
        return .string(text)
    }
}
