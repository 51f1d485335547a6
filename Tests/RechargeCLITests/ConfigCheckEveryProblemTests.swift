import Foundation
import TestSupport
import Testing

/// `recharge config check` lists every problem of a configuration in one run, and says where a file that is not
/// JSON goes wrong; the other commands name the first problem and how many more there are.
@Suite(.ownThread)
struct ConfigCheckEveryProblemTests {
    /// Problems of every structural kind at once: unknown keys at three levels, an account that cannot be used,
    /// values out of range in an account and in three sections.
    static let configuration = """
        {
          "accounts": [
            {"name": "vcc-main", "kind": "vcc", "timeoutMilliseconds": 5, "colour": "red"},
            {"name": "second", "kind": "nope"}
          ],
          "retry": {"maximumAttempts": 0, "attempts": 3},
          "timeouts": {"stopGraceSeconds": -1},
          "maximumFileBytes": 0,
          "typo": 1
        }
        """

    static let expectedKeys = [
        "typo", "accounts[0].colour", "accounts[0].timeoutMilliseconds", "accounts[1].kind", "maximumFileBytes", "retry.attempts",
        "retry.maximumAttempts", "timeouts.stopGraceSeconds",
    ]

    static func write(_ text: String, in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("recharge.json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return path
    }

    @Test func everyProblemIsListedInOneRun() throws {
        try withTemporaryDirectory { directory in
            let path = try Self.write(Self.configuration, in: directory)
            let result = try Recharge.run(["config", "check", "--config", path])
            #expect(result.status == 78, "\(result)")
            let problems = result.stderr.split(separator: "\n").filter { $0.hasPrefix("recharge: configuration error: ") }
            #expect(problems.count == Self.expectedKeys.count, "\(result)")
            for key in Self.expectedKeys {
                #expect(problems.contains { $0.contains("\(path): \(key): ") }, "\(key) is not listed: \(result.stderr)")
            }
            #expect(result.stderr.contains("\(Self.expectedKeys.count) problems in \(path)"), "\(result)")
            #expect(result.stdout.isEmpty, "no effective configuration is printed for a file with problems: \(result)")
        }
    }

    @Test func anotherCommandNamesTheFirstProblemAndCountsTheRest() throws {
        try withTemporaryDirectory { directory in
            let path = try Self.write(Self.configuration, in: directory)
            let result = try Recharge.run(["validate", "--config", path, Recharge.sample("monthly-2026-11.csv")])
            #expect(result.status == 78, "\(result)")
            #expect(
                result.stderr.contains("(and \(Self.expectedKeys.count - 1) more problems: recharge config check lists them all)"),
                "\(result)")
        }
    }

    @Test(arguments: [
        (
            "{\"accounts\": [\n  {\"name\": \"a\" \"kind\": \"vcc\"}\n]}\n",
            "line 2, character 16: expected ',' or '}' in an object, found '\"'"
        ),
        ("{\"accounts\": [1 2]}", "line 1, character 17: expected ',' or ']' in an array, found '2'"),
        ("{\"accounts\": [\n", "line 2, character 1: the file ends where a value was expected"),
        ("accounts = [vcc]\n", "line 1, character 1: expected a value, found 'a'"),
    ])
    func invalidJSONIsReportedWithLineAndCharacter(text: String, location: String) throws {
        try withTemporaryDirectory { directory in
            let path = try Self.write(text, in: directory)
            let result = try Recharge.run(["config", "check", "--config", path])
            #expect(result.status == 78, "\(result)")
            #expect(result.stderr.contains("\(path): not valid JSON: \(location)"), "\(result)")
        }
    }

    @Test func aValidConfigurationIsStillOK() throws {
        try withTemporaryDirectory { directory in
            let account =
                #"{"name": "vcc", "kind": "vcc", "credentials": {"companyID": {"value": "4101"}, "apiKey": {"env": "TEST_VCC_KEY"}}}"#
            let path = try Self.write(#"{"accounts": [\#(account)], "maximumFileBytes": 1048576}"#, in: directory)
            let result = try Recharge.run(["config", "check", "--config", path], environment: ["TEST_VCC_KEY": "k"])
            #expect(result.status == 0, "\(result)")
            #expect(try result.json()["maximumFileBytes"] as? Int == 1_048_576, "\(result)")
            #expect(result.stderr.contains("configuration OK (1 account)"), "\(result)")
        }
    }
}
