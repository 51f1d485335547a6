import Foundation
import RechargeConfig
import RechargeCore
import RechargeProviders
import Testing

/// `store`: a PostgreSQL store several runners share, without a password in the configuration.
@Suite struct StoreConfigurationTests {
    func load(_ json: String) throws -> RechargeConfiguration {
        let file = try TemporaryFile(named: "recharge.json", text: json)
        return try RechargeConfiguration.load(path: file.path, profiles: .all, environment: [:])
    }

    @Test func aURLAndAPasswordFileAreTaken() throws {
        let password = try TemporaryFile(named: "pg-password", text: "secret\n")
        let configuration = try self.load(
            #"{"accounts": [{"name": "u", "kind": "uqpay"}], "store": {"url": "postgres://recharge@db:5432/recharge", "passwordFile": "\#(password.path)"}, "timeouts": {"leaseSeconds": 10}}"#
        )
        #expect(configuration.store.url == "postgres://recharge@db:5432/recharge")
        #expect(configuration.store.passwordFile == password.path)
        #expect(configuration.timeouts.leaseSeconds == 10)
    }

    @Test(arguments: ["postgres://recharge:hunter2@db/recharge", "mysql://db/recharge", "/var/lib/recharge.sqlite"])
    func aURLWithAPasswordOrOfAnotherKindIsRefused(url: String) throws {
        let json = #"{"accounts": [{"name": "u", "kind": "uqpay"}], "store": {"url": "\#(url)"}}"#
        #expect {
            _ = try self.load(json)
        } throws: { error in
            let text = "\(error)"
            // Named by its key, and the password itself is never repeated.
            return text.contains("store.url") && !text.contains("hunter2")
        }
    }
}
