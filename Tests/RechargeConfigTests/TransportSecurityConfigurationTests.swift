import Foundation
import RechargeCore
import RechargeProviders
import Testing

@testable import RechargeConfig

/// What the configuration allows on the wire: TLS to providers, plain HTTP only to this machine, and a private CA
/// only as an addition to the trusted roots.
@Suite struct TransportSecurityConfigurationTests {
    func load(_ json: String) throws -> RechargeConfiguration {
        let file = try TemporaryFile(named: "recharge.json", text: json)
        return try RechargeConfiguration.load(path: file.path, profiles: .all, environment: [:])
    }

    @Test(arguments: ["http://api.uqpay.com/api", "http://10.0.0.5:8080/api", "http://sandbox.vcc.top/api"])
    func plainHTTPToAnotherHostIsRefused(url: String) throws {
        let json = #"{"accounts": [{"name": "u", "kind": "uqpay", "baseURL": "\#(url)"}]}"#
        #expect {
            _ = try self.load(json)
        } throws: { error in
            let error = try #require(error as? ConfigurationError)
            return error.key == "accounts[0].baseURL" && error.message.contains("use https")
        }
    }

    @Test(arguments: ["http://127.0.0.1:8099/uqpay/api", "http://localhost:8099/uqpay/api", "https://api.uqpay.com/api"])
    func httpsAnywhereAndPlainHTTPToThisMachineAreAccepted(url: String) throws {
        let configuration = try self.load(#"{"accounts": [{"name": "u", "kind": "uqpay", "baseURL": "\#(url)"}]}"#)
        #expect(configuration.accounts.first?.baseURL == url)
    }

    @Test func aTrustedCAFileMustBeAReadablePEM() throws {
        let missing = #"{"accounts": [{"name": "u", "kind": "uqpay"}], "tls": {"trustedCAFile": "/nonexistent/ca.pem"}}"#
        #expect {
            _ = try self.load(missing)
        } throws: { error in (error as? ConfigurationError)?.key == "tls.trustedCAFile" }

        let pem = try TemporaryFile(
            named: "ca.pem", text: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
        let configuration = try self.load(
            #"{"accounts": [{"name": "u", "kind": "uqpay"}], "tls": {"trustedCAFile": "\#(pem.path)"}}"#)
        #expect(configuration.trustedCAFile == pem.path)
    }

    @Test func thereIsNoSettingThatTurnsVerificationOff() throws {
        for key in ["verify", "insecure", "skipVerification", "certificateVerification"] {
            let json = #"{"accounts": [{"name": "u", "kind": "uqpay"}], "tls": {"\#(key)": false}}"#
            #expect(throws: ConfigurationError.self) { _ = try self.load(json) }
        }
    }
}
