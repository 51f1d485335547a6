import RechargeCore
import RechargeProviders
import Testing

@testable import RechargeConfig

/// The operation sections (`retry`, `statusQueries`, `timeouts`, `paths`) and the `RECHARGE_*` environment overrides.
@Suite struct ConfigurationOverrideTests {
    static let file = """
        {
          "accounts": [{"name": "uqpay-main", "kind": "uqpay", "maxInFlight": 8}],
          "retry": {"maximumAttempts": 5, "baseMilliseconds": 200, "capMilliseconds": 10000},
          "timeouts": {"stopGraceSeconds": 40},
          "paths": {"database": "/var/lib/recharge/recharge.sqlite", "inbox": "/var/lib/recharge/inbox"}
        }
        """

    func load(_ environment: [String: String], json: String = Self.file) throws -> RechargeConfiguration {
        let file = try TemporaryFile(named: "recharge.json", text: json)
        return try RechargeConfiguration.load(path: file.path, profiles: .all, environment: environment)
    }

    @Test func sectionsAreRead() throws {
        let configuration = try self.load([:])
        #expect(configuration.retry == RetrySettings(maximumAttempts: 5, baseMilliseconds: 200, capMilliseconds: 10_000))
        #expect(configuration.statusQueries.maximumAttempts == 8)
        #expect(configuration.timeouts.stopGraceSeconds == 40)
        #expect(configuration.timeouts.inboxSettleMilliseconds == 2_000)
        #expect(configuration.paths.database == "/var/lib/recharge/recharge.sqlite")
        #expect(configuration.paths.metricsFile == nil)
    }

    @Test func environmentVariablesOverrideTheFile() throws {
        let configuration = try self.load([
            "RECHARGE_ACCOUNTS_UQPAY_MAIN_MAXINFLIGHT": "3", "RECHARGE_ACCOUNTS_UQPAY_MAIN_REQUESTSPERSECOND": "2.5",
            "RECHARGE_RETRY_MAXIMUMATTEMPTS": "2", "RECHARGE_PATHS_METRICSFILE": "/tmp/recharge.prom", "RECHARGE_UNRELATED": "x",
        ])
        #expect(configuration.accounts[0].maxInFlight == 3)
        #expect(configuration.accounts[0].requestsPerSecond == 2.5)
        #expect(configuration.retry.maximumAttempts == 2)
        #expect(configuration.paths.metricsFile == "/tmp/recharge.prom")
        #expect(configuration.environmentOverrides["accounts[0].maxInFlight"] == "RECHARGE_ACCOUNTS_UQPAY_MAIN_MAXINFLIGHT")
    }

    @Test(arguments: [
        ("RECHARGE_ACCOUNTS_UQPAY_MAIN_MAXINFLIGHT", "0", "accounts[0].maxInFlight"),
        ("RECHARGE_ACCOUNTS_UQPAY_MAIN_MAXINFLIGHT", "many", "accounts[0].maxInFlight"),
        ("RECHARGE_RETRY_CAPMILLISECONDS", "100", "retry.capMilliseconds"),
        ("RECHARGE_ACCOUNTS_OTHER_MAXINFLIGHT", "3", "RECHARGE_ACCOUNTS_OTHER_MAXINFLIGHT"),
        ("RECHARGE_PATHS_DB", "/x", "RECHARGE_PATHS_DB"),
    ])
    func badOverridesNameTheKeyAndTheVariable(variable: String, value: String, key: String) {
        #expect {
            _ = try self.load([variable: value])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.key == key && (error.key == variable || error.message.contains(variable))
        }
    }

    @Test func aCredentialVariableUnderASectionPrefixIsNotAnOverride() throws {
        let json = """
            {"accounts": [{"name": "pc", "kind": "paycertify", "credentials": {"token": {"env": "RECHARGE_ACCOUNTS_PC_TOKEN"}}}]}
            """
        let configuration = try self.load(["RECHARGE_ACCOUNTS_PC_TOKEN": "secret"], json: json)
        #expect(configuration.environmentOverrides.isEmpty)
    }

    @Test func unknownSectionKeysAreErrors() {
        #expect(throws: ConfigurationError.self) {
            try self.load([:], json: #"{"accounts": [{"name": "a", "kind": "vcc"}], "paths": {"db": "x"}}"#)
        }
    }
}
