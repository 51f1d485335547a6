import Foundation
import RechargeConfig
import RechargeCore
import RechargeEngine
import RechargeProviders
import TestSupport
import Testing

@testable import RechargeCLI

/// `timeouts.breakerGiveUpSeconds`: read from the file, overridden by `RECHARGE_TIMEOUTS_BREAKERGIVEUPSECONDS`,
/// checked like every setting, and handed to the runner's policy (0: never give up).
@Suite(.ownThread) struct BreakerGiveUpSettingTests {
    func policy(_ timeouts: String, environment: [String: String] = [:]) throws -> ExecutionPolicy {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recharge-giveup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("recharge.json")
        let json = #"{"accounts": [{"name": "vcc-main", "kind": "vcc"}], "timeouts": "# + timeouts + "}"
        try Data(json.utf8).write(to: file)
        return ExecutionPolicy(configuration: try RechargeConfiguration.load(path: file.path, profiles: .all, environment: environment))
    }

    @Test func theDefaultIsTenMinutes() throws {
        #expect(try self.policy("{}").breakerGiveUp == .seconds(600))
    }

    @Test func theFileAndTheEnvironmentSetItAndZeroMeansNever() throws {
        #expect(try self.policy(#"{"breakerGiveUpSeconds": 90}"#).breakerGiveUp == .seconds(90))
        #expect(try self.policy(#"{"breakerGiveUpSeconds": 0}"#).breakerGiveUp == nil)
        let overridden = try self.policy(
            #"{"breakerGiveUpSeconds": 90}"#, environment: ["RECHARGE_TIMEOUTS_BREAKERGIVEUPSECONDS": "1800"])
        #expect(overridden.breakerGiveUp == .seconds(1_800))
    }

    @Test func aValueOutOfRangeNamesTheKey() throws {
        let error = #expect(throws: ConfigurationError.self) { try self.policy(#"{"breakerGiveUpSeconds": -5}"#) }
        #expect(error?.key == "timeouts.breakerGiveUpSeconds")
        let fromEnvironment = #expect(throws: ConfigurationError.self) {
            try self.policy("{}", environment: ["RECHARGE_TIMEOUTS_BREAKERGIVEUPSECONDS": "soon"])
        }
        #expect(fromEnvironment?.key?.contains("breakerGiveUpSeconds") == true, "\(String(describing: fromEnvironment))")
    }
}
