import Foundation
import RechargeCore
import RechargeProviders
import Testing

@testable import RechargeConfig

@Suite struct CredentialsTests {
    func configuration(_ json: String) throws -> RechargeConfiguration {
        try RechargeConfiguration.decode(Data(json.utf8), path: "test.json", profiles: .all)
    }

    func error(_ json: String) -> ConfigurationError? {
        do {
            _ = try self.configuration(json)
            return nil
        } catch let error as ConfigurationError {
            return error
        } catch {
            return nil
        }
    }

    @Test func credentialsComeFromTheEnvironmentAndKeyFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let keyPath = folder.appendingPathComponent("hc.pem").path
        #expect(
            FileManager.default.createFile(
                atPath: keyPath, contents: Data("-----BEGIN KEY-----\nabc\n-----END KEY-----\n".utf8),
                attributes: [.posixPermissions: 0o600]))

        let config = try self.configuration(
            """
            {"accounts": [
              {"name": "u", "kind": "uqpay", "credentials": {"clientID": {"value": "client-1"}, "apiKey": {"env": "TEST_UQ_KEY"}}},
              {"name": "h", "kind": "hypercard", "credentials": {"apiKey": {"value": "m-1"}, "privateKey": {"file": "\(keyPath)"}}}
            ]}
            """)
        let uqpay = try config.account(named: "u")!.resolveCredentials(profiles: .all, environment: ["TEST_UQ_KEY": "s3cr3t-value"])
        #expect(uqpay["apiKey"]?.value == "s3cr3t-value")
        #expect(uqpay["clientID"]?.value == "client-1")
        // A secret never shows itself.
        #expect("\(uqpay)".contains("s3cr3t-value") == false)
        let hypercard = try config.account(named: "h")!.resolveCredentials(profiles: .all, environment: [:])
        #expect(hypercard["privateKey"]?.value == "-----BEGIN KEY-----\nabc\n-----END KEY-----")
    }

    @Test func aKeyFileReadableByOthersIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("open-\(UUID().uuidString).pem").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("key".utf8), attributes: [.posixPermissions: 0o644]))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try self.configuration(
            #"{"accounts": [{"name": "p", "kind": "paycertify", "credentials": {"token": {"file": "\#(path)"}}}]}"#)
        #expect(throws: ConfigurationError.self) { try config.account(named: "p")!.resolveCredentials(profiles: .all, environment: [:]) }
        do {
            _ = try config.account(named: "p")!.resolveCredentials(profiles: .all, environment: [:])
        } catch {
            #expect(error.key == "accounts.p.credentials.token")
            #expect(error.message.contains("chmod 600"))
        }
    }

    @Test func aMissingOrUnsetCredentialNamesTheKey() throws {
        let config = try self.configuration(
            #"{"accounts": [{"name": "v", "kind": "vcc", "credentials": {"companyID": {"value": "4101"}, "apiKey": {"env": "UNSET_VAR_FOR_TEST"}}}]}"#
        )
        do {
            _ = try config.account(named: "v")!.resolveCredentials(profiles: .all, environment: [:])
            Issue.record("an unset variable was accepted")
        } catch {
            #expect(error.key == "accounts.v.credentials.apiKey")
            #expect(error.message.contains("UNSET_VAR_FOR_TEST"))
        }
        let missing = try self.configuration(#"{"accounts": [{"name": "v", "kind": "vcc"}]}"#)
        do {
            _ = try missing.account(named: "v")!.resolveCredentials(profiles: .all, environment: [:])
            Issue.record("a missing credential was accepted")
        } catch {
            #expect(error.key == "accounts.v.credentials.companyID")
        }
    }

    @Test(arguments: [
        (
            #"{"accounts": [{"name": "p", "kind": "paycertify", "credentials": {"token": {"value": "abc"}}}]}"#,
            "accounts[0].credentials.token"
        ),
        (
            #"{"accounts": [{"name": "p", "kind": "paycertify", "credentials": {"password": {"env": "X"}}}]}"#,
            "accounts[0].credentials.password"
        ),
        (
            #"{"accounts": [{"name": "p", "kind": "paycertify", "credentials": {"token": {"vault": "X"}}}]}"#,
            "accounts[0].credentials.token.vault"
        ),
        (#"{"accounts": [{"name": "p", "kind": "paycertify", "baseURL": "ftp://x"}]}"#, "accounts[0].baseURL"),
        (#"{"accounts": [{"name": "p", "kind": "paycertify", "timeoutMilliseconds": 5}]}"#, "accounts[0].timeoutMilliseconds"),
        (#"{"accounts": [{"name": "p", "kind": "paycertify", "maxInFlight": 0}]}"#, "accounts[0].maxInFlight"),
        (#"{"accounts": [{"name": "p", "kind": "paycertify", "requestsPerSecond": -1}]}"#, "accounts[0].requestsPerSecond"),
    ])
    func aBadAccountSettingNamesTheKey(json: String, key: String) {
        #expect(self.error(json)?.key == key)
    }

    @Test func limitsAndTimeoutsAreRead() throws {
        let config = try self.configuration(
            #"{"accounts": [{"name": "p", "kind": "paycertify", "baseURL": "https://vcard-api.paycertify.com/api", "timeoutMilliseconds": 8000, "requestsPerSecond": 1, "burst": 60, "maxInFlight": 4}]}"#
        )
        let account = try #require(config.account(named: "p"))
        #expect(account.timeoutMilliseconds == 8000)
        #expect(account.requestsPerSecond == 1)
        #expect(account.burst == 60)
        #expect(account.maxInFlight == 4)
    }
}
