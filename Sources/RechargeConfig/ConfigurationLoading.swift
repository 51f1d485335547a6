import Foundation
import RechargeCore

extension RechargeConfiguration {
    /// Loads a JSON configuration file. Unknown keys are errors, so a misspelt setting is not silently ignored.
    ///
    /// ```json
    /// { "accounts": [ { "name": "uqpay-main", "kind": "uqpay", "baseURL": "https://api-sandbox.uqpaytech.com/api" } ],
    ///   "maximumPerLine": { "USD": "50000.00", "JPY": "5000000" },
    ///   "defaultMaximumMajorUnits": 1000000 }
    /// ```
    ///
    /// Environment variables named `RECHARGE_…` override the file's settings (see ``EnvironmentOverrides``).
    /// - Parameter profiles: What each provider kind needs; an account's credentials are checked against its kind's.
    /// - Throws: The first problem ``check(path:profiles:environment:)`` finds; its message says how many more there are.
    public static func load(
        path: String, profiles: ProviderProfiles, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> RechargeConfiguration {
        try Self.usable(Self.check(path: path, profiles: profiles, environment: environment), path: path)
    }

    /// Reads and checks a configuration file completely, collecting every problem rather than stopping at the first.
    ///
    /// The configuration is returned when the file is a JSON object, with every setting that could be read (a bad
    /// setting keeps its default, a bad account is left out); it is usable only when there are no problems.
    public static func check(
        path: String, profiles: ProviderProfiles, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> (configuration: RechargeConfiguration?, problems: [ConfigurationError]) {
        var problems: [ConfigurationError] = []
        if let problem = FilePermissions.othersCanWrite(file: path) {
            problems.append(ConfigurationError(path: path, key: nil, message: problem))
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            problems.append(ConfigurationError(path: path, key: nil, message: "cannot read the file (\(error.localizedDescription))"))
            return (nil, problems)
        }
        return Self.check(data, path: path, profiles: profiles, environment: environment, problems: problems)
    }

    /// A configuration from the text of a file, or its first problem (how many more there are in its message).
    package static func decode(
        _ data: Data, path: String, profiles: ProviderProfiles, environment: [String: String] = [:]
    ) throws(ConfigurationError) -> RechargeConfiguration {
        try Self.usable(Self.check(data, path: path, profiles: profiles, environment: environment, problems: []), path: path)
    }

    private static func usable(
        _ checked: (configuration: RechargeConfiguration?, problems: [ConfigurationError]), path: String
    ) throws(ConfigurationError) -> RechargeConfiguration {
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

    /// Decodes a configuration file's text: the JSON tree first (where it is not JSON, the place it goes wrong), then
    /// the environment overrides applied to it, then every setting, each problem recorded.
    private static func check(
        _ data: Data, path: String, profiles: ProviderProfiles, environment: [String: String], problems: [ConfigurationError]
    ) -> (configuration: RechargeConfiguration?, problems: [ConfigurationError]) {
        var problems = problems
        let tree: ConfigurationJSON
        do {
            tree = try JSONDecoder().decode(ConfigurationJSON.self, from: data)
        } catch {
            problems.append(ConfigurationError(path: path, key: nil, message: JSONSyntaxDiagnosis.problem(in: Array(data))))
            return (nil, problems)
        }
        guard var root = tree.object else {
            problems.append(ConfigurationError(path: path, key: nil, message: "the top level must be a JSON object"))
            return (nil, problems)
        }
        let overridden = EnvironmentOverrides.apply(environment, to: &root, path: path, problems: &problems)
        let context = ConfigurationDecoding(path: path, profiles: profiles, problems: problems)
        var configuration: RechargeConfiguration?
        do {
            let decoder = JSONDecoder()
            decoder.userInfo[ConfigurationDecoding.userInfoKey] = context
            configuration = try decoder.decode(ConfigurationFile.self, from: JSONEncoder().encode(ConfigurationJSON.object(root)))
                .configuration
        } catch {
            context.add(nil, "cannot be read (\(error))")
        }
        configuration?.environmentOverrides = overridden
        let named = context.problems.map { problem in
            guard let key = problem.key, let variable = overridden[key] else { return problem }
            return ConfigurationError(path: path, key: key, message: "\(problem.message) (the value comes from \(variable))")
        }
        return (configuration, named)
    }
}
