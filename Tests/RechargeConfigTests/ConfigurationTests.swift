import RechargeCore
import RechargeProviders
import Testing

@testable import RechargeConfig

@Suite struct ConfigurationTests {
    func load(_ json: String) throws -> RechargeConfiguration {
        let file = try TemporaryFile(named: "recharge.json", text: json)
        return try RechargeConfiguration.load(path: file.path, profiles: .all)
    }

    /// The error loading `json` gives, with the temporary path taken out.
    func loadError(_ json: String) throws -> ConfigurationError? {
        let file = try TemporaryFile(named: "recharge.json", text: json)
        do {
            _ = try RechargeConfiguration.load(path: file.path, profiles: .all)
            return nil
        } catch {
            #expect(error.path == file.path)
            return ConfigurationError(path: "", key: error.key, message: error.message)
        }
    }

    @Test func loadsAValidFile() throws {
        let configuration = try self.load(
            """
            {
              "accounts": [
                {"name": "uqpay-main", "kind": "uqpay", "baseURL": "https://api.uqpay.com/api"},
                {"name": "hc", "kind": "hypercard", "defaultPayCoin": "usdt"},
                {"name": "pg_br.1", "kind": "pagsmile", "defaultPayAccountNumber": "PA-7700120045"}
              ],
              "maximumPerLine": {"USD": "50000.00", "JPY": "5000000", "BHD": "12.5"},
              "defaultMaximumMajorUnits": 2000
            }
            """)
        #expect(
            configuration.accounts == [
                ProviderAccount(name: "uqpay-main", kind: .uqpay, baseURL: "https://api.uqpay.com/api"),
                ProviderAccount(name: "hc", kind: .hypercard, defaultPayCoin: "usdt"),
                ProviderAccount(name: "pg_br.1", kind: .pagsmile, defaultPayAccountNumber: "PA-7700120045"),
            ])
        #expect(configuration.account(named: "hc")?.kind == .hypercard)
        #expect(configuration.account(named: "HC") == nil)
        #expect(configuration.defaultMaximumMajorUnits == 2000)
        #expect(
            try configuration.maximumPerLine == [
                "USD": money(5_000_000, "USD"), "JPY": money(5_000_000, "JPY"), "BHD": money(12_500, "BHD"),
            ])
        #expect(try configuration.maximumMinorUnits(for: currency("USD")) == 5_000_000)
        #expect(try configuration.maximumMinorUnits(for: currency("BHD")) == 12_500)
        #expect(try configuration.maximumMinorUnits(for: currency("EUR")) == 200_000)
        #expect(try configuration.maximumMinorUnits(for: currency("KWD")) == 2_000_000)
        #expect(try configuration.maximumMinorUnits(for: currency("KRW")) == 2_000)
    }

    @Test func defaultsWhenOnlyAccountsAreGiven() throws {
        let configuration = try self.load(#"{"accounts": [{"name": "vcc", "kind": "vcc"}]}"#)
        #expect(configuration.maximumPerLine.isEmpty)
        #expect(configuration.defaultMaximumMajorUnits == 1_000_000)
        #expect(try configuration.maximumMinorUnits(for: currency("CLF")) == 10_000_000_000)
    }

    @Test func aHugeDefaultMaximumDoesNotOverflow() throws {
        let configuration = RechargeConfiguration(accounts: [], defaultMaximumMajorUnits: .max / 10)
        #expect(try configuration.maximumMinorUnits(for: currency("USD")) == .max)
        #expect(try configuration.maximumMinorUnits(for: currency("JPY")) == .max / 10)
    }

    @Test func builtInDefaultHasOneAccountPerKind() {
        let accounts = RechargeConfiguration.builtInDefault.accounts
        #expect(accounts.map(\.name) == ["vcc", "hypercard", "pagsmile", "uqpay", "paycertify"])
        #expect(accounts.allSatisfy { $0.kind.rawValue == $0.name })
    }

    static let account = #"{"name": "a", "kind": "vcc"}"#

    /// VCC and PayCertify read the card before each top-up unless an account says otherwise; PayCertify then no longer
    /// requires the snapshot (it has none to wait for).
    @Test func theCardReadIsAnAccountsChoice() throws {
        let configuration = try self.load(
            #"{"accounts": [{"name": "v", "kind": "vcc", "readCardBeforeSend": false}, {"name": "p", "kind": "paycertify", "readCardBeforeSend": false}, {"name": "d", "kind": "vcc"}]}"#
        )
        let rules = configuration.accounts.map { ProviderProfiles.all[$0.kind]!.executionRules(for: $0) }
        #expect(configuration.accounts.map(\.readCardBeforeSend) == [false, false, nil])
        #expect(rules.map(\.readsCardBeforeSend) == [false, false, true])
        #expect(rules.map(\.requiresEvidence) == [false, false, false])
        #expect(rules.allSatisfy { $0.onePerCard })
        let paycertify = try self.load(#"{"accounts": [{"name": "p", "kind": "paycertify"}]}"#).accounts[0]
        #expect(ProviderProfiles.all[.paycertify]!.executionRules(for: paycertify).requiresEvidence)
    }

    @Test func approvalIsReadExactlyAndAbsentMeansNone() throws {
        #expect(try self.load(#"{"accounts": [\#(Self.account)]}"#).approval == nil)
        let policy = try #require(
            try self.load(
                #"{"accounts": [\#(Self.account)], "approval": {"above": {"USD": "10000.00"}, "twoApproversAbove": {"USD": "100000.00"}}}"#
            ).approval)
        #expect(policy.required == false)
        #expect(policy.above?["USD"]?.minorUnits == 1_000_000)
        #expect(policy.twoApproversAbove["USD"]?.minorUnits == 10_000_000)
        #expect(policy.approvalsRequired(totals: ["USD": 1_000_000]) == 0)
        #expect(policy.approvalsRequired(totals: ["USD": 1_000_001]) == 1)
        #expect(policy.approvalsRequired(totals: ["USD": 10_000_001]) == 2)
        #expect(try self.load(#"{"accounts": [\#(Self.account)], "approval": {"required": true}}"#).approval?.required == true)
    }

    /// (file, key named in the error, the message or its beginning)
    @Test(arguments: [
        (
            #"{"accounts": [\#(account)], "colour": "blue"}"#, "colour",
            "unknown key; expected one of: accounts, approval, console, defaultMaximumMajorUnits, maximumFileBytes, maximumPerLine"
        ),
        (
            #"{"accounts": [{"name": "a", "kind": "vcc", "apiKey": "secret"}]}"#, "accounts[0].apiKey",
            "unknown key; expected one of: baseURL, burst, credentials, defaultPayAccountNumber, defaultPayCoin, kind, maxInFlight, name, readCardBeforeSend, requestsPerSecond, timeoutMilliseconds"
        ),
        (#"{"accounts": [\#(account), {"name": "a", "kind": "uqpay"}]}"#, "accounts[1].name", "account 'a' is configured twice"),
        (
            #"{"accounts": [{"name": "u", "kind": "uqpay", "readCardBeforeSend": false}]}"#, "accounts[0].readCardBeforeSend",
            "uqpay reads no card before a top-up; remove this key"
        ),
        (
            #"{"accounts": [{"name": "v", "kind": "vcc", "readCardBeforeSend": "no"}]}"#, "accounts[0].readCardBeforeSend",
            "must be true or false"
        ),
        (
            #"{"accounts": [{"name": "a", "kind": "stripe"}]}"#, "accounts[0].kind",
            "required, one of: vcc, hypercard, pagsmile, uqpay, paycertify"
        ),
        (#"{"accounts": [{"name": "a", "kind": "VCC"}]}"#, "accounts[0].kind", "required, one of:"),
        (#"{"accounts": [{"name": "a"}]}"#, "accounts[0].kind", "required, one of:"),
        (#"{"accounts": [{"name": "uqpay main", "kind": "uqpay"}]}"#, "accounts[0].name", "required: 1 to 64 letters"),
        (#"{"accounts": [{"kind": "uqpay"}]}"#, "accounts[0].name", "required: 1 to 64 letters"),
        (#"{"accounts": [{"name": "a", "kind": "vcc", "baseURL": ""}]}"#, "accounts[0].baseURL", "must be a non-empty string"),
        (#"{"accounts": ["vcc"]}"#, "accounts[0]", "must be an object"),
        (#"{"accounts": []}"#, "accounts", "a non-empty array of provider accounts is required"),
        (#"{"maximumPerLine": {}}"#, "accounts", "a non-empty array of provider accounts is required"),
        (
            #"{"accounts": [\#(account)], "maximumPerLine": {"usd": "100.00"}}"#, "maximumPerLine.usd",
            "'usd' is not an ISO 4217 currency code"
        ),
        (
            #"{"accounts": [\#(account)], "maximumPerLine": {"XYZ": "100.00"}}"#, "maximumPerLine.XYZ",
            "'XYZ' is not an ISO 4217 currency code"
        ),
        (
            #"{"accounts": [\#(account)], "maximumPerLine": {"USD": "1,000.00"}}"#, "maximumPerLine.USD",
            AmountError.thousandsSeparator.description
        ),
        (
            #"{"accounts": [\#(account)], "maximumPerLine": {"JPY": "10.5"}}"#, "maximumPerLine.JPY",
            AmountError.tooManyDecimals(allowed: 0, found: 1).description
        ),
        (#"{"accounts": [\#(account)], "maximumPerLine": {"USD": "0"}}"#, "maximumPerLine.USD", AmountError.notPositive.description),
        (#"{"accounts": [\#(account)], "maximumPerLine": {"USD": 100}}"#, "maximumPerLine.USD", "must be a decimal string"),
        (#"{"accounts": [\#(account)], "maximumPerLine": ["USD"]}"#, "maximumPerLine", "must be an object"),
        (#"{"accounts": [\#(account)], "defaultMaximumMajorUnits": 0}"#, "defaultMaximumMajorUnits", "must be a positive whole number"),
        (#"{"accounts": [\#(account)], "defaultMaximumMajorUnits": 2.5}"#, "defaultMaximumMajorUnits", "must be a positive whole number"),
        (#"{"accounts": [\#(account)], "defaultMaximumMajorUnits": "100"}"#, "defaultMaximumMajorUnits", "must be a positive whole number"),
        (#"{"accounts": [\#(account)], "defaultMaximumMajorUnits": true}"#, "defaultMaximumMajorUnits", "must be a positive whole number"),
        (#"{"accounts": [\#(account)], "approval": {"required": "yes"}}"#, "approval.required", "must be true or false"),
        (#"{"accounts": [\#(account)], "approval": {}}"#, "approval.required", "the approval section names no rule"),
        (#"{"accounts": [\#(account)], "approval": {"above": {"XYZ": "1.00"}}}"#, "approval.above.XYZ", "'XYZ' is not an ISO 4217"),
        (
            #"{"accounts": [\#(account)], "approval": {"twoApproversAbove": {"USD": "1,000.00"}}}"#, "approval.twoApproversAbove.USD",
            AmountError.thousandsSeparator.description
        ),
        (#"{"accounts": [\#(account)], "approval": {"everyone": true}}"#, "approval.everyone", "unknown key; expected one of: above"),
    ])
    func refusesWithTheKeyAtFault(json: String, key: String, message: String) throws {
        let error = try #require(try self.loadError(json))
        #expect(error.key == key)
        #expect(error.message.hasPrefix(message), "\(error.message)")
    }

    @Test(arguments: [
        ("{", "not valid JSON: line 1, character 2: expected a quoted member name, the end of the file"),
        ("", "not valid JSON: line 1, character 1: the file ends where a value was expected"),
        (#"[{"name": "a", "kind": "vcc"}]"#, "the top level must be a JSON object"),
    ])
    func refusesAFileThatIsNotAJSONObject(json: String, message: String) throws {
        let error = try #require(try self.loadError(json))
        #expect(error.key == nil)
        #expect(error.message == message)
    }

    @Test func aMissingFileIsAnError() {
        let error = #expect(throws: ConfigurationError.self) {
            try RechargeConfiguration.load(path: "/nonexistent/recharge.json", profiles: .all)
        }
        #expect(error?.key == nil)
        #expect(error?.message.hasPrefix("cannot read the file") == true)
    }

    @Test func errorDescriptionNamesFileAndKey() {
        let error = ConfigurationError(path: "conf.json", key: "accounts[0].kind", message: "required")
        #expect(error.description == "conf.json: accounts[0].kind: required")
        #expect(ConfigurationError(path: "conf.json", key: nil, message: "not valid JSON").description == "conf.json: not valid JSON")
    }
}
