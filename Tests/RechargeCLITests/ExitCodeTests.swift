import Foundation
import TestSupport
import Testing

/// The documented exit codes for missing input (66), bad configuration (78) and usage errors (64).
@Suite(.ownThread)
struct ExitCodeTests {
    @Test(arguments: ["validate", "import"])
    func aMissingInputFileExitsSixtySix(command: String) throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            let missing = directory.appendingPathComponent("no-such-file.csv").path
            let result = try Recharge.run([command, "--db", db, missing])
            #expect(result.status == 66, "\(result)")
            #expect(result.stderr.contains(missing), "\(result)")
            #expect(result.stdout.isEmpty, "\(result)")
            #expect(!FileManager.default.fileExists(atPath: db), "nothing to import, so no database is created")
        }
    }

    struct BadConfig: Sendable, CustomTestStringConvertible {
        let json: String
        let key: String
        var testDescription: String { self.key }
    }

    @Test(arguments: [
        BadConfig(json: #"{"acounts": []}"#, key: "acounts"),
        BadConfig(json: #"{"accounts": []}"#, key: "accounts"),
        BadConfig(json: #"{"accounts": [{"name": "main", "kind": "visa"}]}"#, key: "accounts[0].kind"),
        BadConfig(json: #"{"accounts": [{"name": "main", "kind": "vcc", "baseUrl": "https://x"}]}"#, key: "accounts[0].baseUrl"),
        BadConfig(
            json: #"{"accounts": [{"name": "main", "kind": "vcc"}], "maximumPerLine": {"USD": "12,50"}}"#,
            key: "maximumPerLine.USD"),
    ])
    func aBadConfigurationExitsSeventyEightNamingTheKey(config: BadConfig) throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("recharge.json")
            try Data(config.json.utf8).write(to: path)
            let result = try Recharge.run(["validate", "--config", path.path, Recharge.sample("monthly-2026-11.csv")])
            #expect(result.status == 78, "\(result)")
            #expect(result.stderr.contains("\(path.path): \(config.key): "), "\(result)")
        }
    }

    @Test func anUnreadableConfigurationExitsSeventyEight() throws {
        try withTemporaryDirectory { directory in
            let notJSON = directory.appendingPathComponent("recharge.json")
            try Data("accounts = [vcc]".utf8).write(to: notJSON)
            let garbled = try Recharge.run(["validate", "--config", notJSON.path, Recharge.sample("monthly-2026-11.csv")])
            #expect(garbled.status == 78, "\(garbled)")
            #expect(garbled.stderr.contains("not valid JSON"), "\(garbled)")

            let missing = directory.appendingPathComponent("missing.json").path
            let absent = try Recharge.run(["import", "--config", missing, Recharge.sample("monthly-2026-11.csv")])
            #expect(absent.status == 78, "\(absent)")
        }
    }

    @Test func aGoodConfigurationIsUsed() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("recharge.json")
            let accounts = ["vcc", "hypercard", "pagsmile", "uqpay", "paycertify"].map { #"{"name": "\#($0)", "kind": "\#($0)"}"# }
            try Data(#"{"accounts": [\#(accounts.joined(separator: ", "))], "maximumPerLine": {"USD": "500.00"}}"#.utf8).write(to: path)
            let result = try Recharge.run(["validate", "--json", "--config", path.path, Recharge.sample("monthly-2026-11.csv")])
            // The sample has one USD line of 1000.00: above the configured maximum.
            #expect(result.status == 65, "\(result)")
            let errors = try #require(try result.json()["errors"] as? [[String: Any]])
            #expect(errors.count == 1)
            #expect(errors.first?["line"] as? Int == 41)
            #expect((errors.first?["message"] as? String)?.contains("per-line maximum of 500.00 USD") == true)
        }
    }

    @Test(arguments: [
        ["validate", "--frobnicate", "samples/monthly-2026-11.csv"],
        ["validate"],
        ["frobnicate"],
        ["import", "--expect-total", "USD", "samples/monthly-2026-11.csv"],
        ["status", "--json", "extra", "arguments"],
    ])
    func aUsageErrorExitsSixtyFour(arguments: [String]) throws {
        let result = try Recharge.run(arguments)
        #expect(result.status == 64, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(!result.stderr.isEmpty, "\(result)")
    }
}
