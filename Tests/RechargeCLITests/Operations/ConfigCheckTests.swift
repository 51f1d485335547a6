import Foundation
import TestSupport
import Testing

/// `recharge config check`: the effective configuration with secrets redacted, and exit 78 naming the key for
/// every kind of problem.
@Suite(.ownThread)
struct ConfigCheckTests {
    static let secret = "s3cr3t-vcc-key-7Q9"

    /// A valid configuration: VCC with its key in an environment variable, PayCertify with its token in a 0600 file.
    static func configuration(in directory: URL, vcc: [String: Any] = [:], root: [String: Any] = [:], keyMode: Int = 0o600) throws -> String
    {
        let key = directory.appendingPathComponent("paycertify.token")
        _ = FileManager.default.createFile(
            atPath: key.path, contents: Data("tok-\(Self.secret)".utf8), attributes: [.posixPermissions: keyMode])
        try FileManager.default.setAttributes([.posixPermissions: keyMode], ofItemAtPath: key.path)
        var account: [String: Any] = [
            "name": "vcc-main", "kind": "vcc", "baseURL": "https://vcc.example.com/api", "maxInFlight": 4, "requestsPerSecond": 5,
            "burst": 5,
            "credentials": ["companyID": ["value": "4101"], "apiKey": ["env": "TEST_VCC_API_KEY"]],
        ]
        for (name, value) in vcc { account[name] = value }
        var object: [String: Any] = [
            "accounts": [account, ["name": "paycertify", "kind": "paycertify", "credentials": ["token": ["file": key.path]]]],
            "retry": ["maximumAttempts": 5], "paths": ["metricsFile": directory.appendingPathComponent("recharge.prom").path],
        ]
        for (name, value) in root { object[name] = value }
        let path = directory.appendingPathComponent("recharge.json").path
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aValidConfigurationIsPrintedWithSecretsRedacted() throws {
        try withTemporaryDirectory { directory in
            let path = try Self.configuration(in: directory)
            let result = try Recharge.run(
                ["config", "check", "--config", path],
                environment: ["TEST_VCC_API_KEY": Self.secret, "RECHARGE_ACCOUNTS_VCC_MAIN_MAXINFLIGHT": "9"])
            #expect(result.status == 0, "\(result)")
            #expect(!result.stdout.contains(Self.secret) && !result.stderr.contains(Self.secret), "\(result)")
            let json = try result.json()
            let accounts = try #require(json["accounts"] as? [[String: Any]])
            #expect(accounts.first?["maxInFlight"] as? Int == 9, "the environment overrides the file")
            let credentials = try #require(accounts.first?["credentials"] as? [String: String])
            #expect(credentials["apiKey"] == "env TEST_VCC_API_KEY (set, redacted)")
            #expect((json["retry"] as? [String: Any])?["maximumAttempts"] as? Int == 5)
            #expect(
                (json["environmentOverrides"] as? [String: String])?["accounts[0].maxInFlight"] == "RECHARGE_ACCOUNTS_VCC_MAIN_MAXINFLIGHT")
        }
    }

    /// Each kind of problem: what to change, and the key the message must name.
    static var problems: [(String, [String: Any], [String: Any], [String: String], Int, String)] {
        [
            ("unknown key", ["maxInFlite": 3], [:], [:], 0o600, "accounts[0].maxInFlite"),
            ("unknown section key", [:], ["retry": ["attempts": 3]], [:], 0o600, "retry.attempts"),
            ("env var unset", [:], [:], ["TEST_VCC_API_KEY": ""], 0o600, "accounts.vcc-main.credentials.apiKey"),
            ("key file too open", [:], [:], [:], 0o644, "accounts.paycertify.credentials.token"),
            ("bad URL", ["baseURL": "ftp://vcc.example.com"], [:], [:], 0o600, "accounts[0].baseURL"),
            ("rate zero", ["requestsPerSecond": 0], [:], [:], 0o600, "accounts[0].requestsPerSecond"),
            ("burst zero", ["burst": 0], [:], [:], 0o600, "accounts[0].burst"),
            ("maxInFlight zero", ["maxInFlight": 0], [:], [:], 0o600, "accounts[0].maxInFlight"),
            ("maxInFlight too high", ["maxInFlight": 1025], [:], [:], 0o600, "accounts[0].maxInFlight"),
            ("timeout too short", ["timeoutMilliseconds": 5], [:], [:], 0o600, "accounts[0].timeoutMilliseconds"),
            (
                "override out of range", [:], [:], ["RECHARGE_ACCOUNTS_VCC_MAIN_MAXINFLIGHT": "2000"], 0o600,
                "RECHARGE_ACCOUNTS_VCC_MAIN_MAXINFLIGHT"
            ),
            (
                "override of no setting", [:], [:], ["RECHARGE_ACCOUNTS_VCC_MAIN_MAXINFLIHGT": "2"], 0o600,
                "RECHARGE_ACCOUNTS_VCC_MAIN_MAXINFLIHGT"
            ),
        ]
    }

    @Test(arguments: 0..<12)
    func everyProblemExits78NamingTheKey(index: Int) throws {
        let (label, vcc, root, environment, mode, key) = Self.problems[index]
        try withTemporaryDirectory { directory in
            let path = try Self.configuration(in: directory, vcc: vcc, root: root, keyMode: mode)
            let result = try Recharge.run(
                ["config", "check", "--config", path], environment: ["TEST_VCC_API_KEY": Self.secret].merging(environment) { $1 })
            #expect(result.status == 78, "\(label): \(result)")
            #expect(result.stderr.contains(key), "\(label): the message should name \(key): \(result.stderr)")
            #expect(!result.stdout.contains(Self.secret) && !result.stderr.contains(Self.secret), "\(label): \(result)")
        }
    }

    @Test func aMissingKeyFileIsNamed() throws {
        try withTemporaryDirectory { directory in
            let path = try Self.configuration(in: directory)
            try FileManager.default.removeItem(at: directory.appendingPathComponent("paycertify.token"))
            let result = try Recharge.run(["config", "check", "--config", path], environment: ["TEST_VCC_API_KEY": Self.secret])
            #expect(result.status == 78, "\(result)")
            #expect(result.stderr.contains("accounts.paycertify.credentials.token") && result.stderr.contains("cannot read"), "\(result)")
            #expect(result.stdout.contains("(MISSING)"), "\(result)")
        }
    }

    /// The production sample loads: its only problems on a machine without /etc/recharge are the key files.
    @Test func theProductionSampleLoads() throws {
        let result = try Recharge.run(
            ["config", "check", "--config", "samples/config/production.json"],
            environment: ["VCC_API_KEY": "a", "UQPAY_API_KEY": "b", "PAYCERTIFY_TOKEN": "c"])
        let accounts = try #require(try result.json()["accounts"] as? [[String: Any]])
        #expect(accounts.count == 5)
        let problems = result.stderr.split(separator: "\n").filter { $0.contains("configuration error") }
        #expect(problems.allSatisfy { $0.contains("/etc/recharge/keys/") }, "\(result)")
    }
}
