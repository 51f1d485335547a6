import Foundation

/// The processor's configuration for a simulator on loopback, as `recharge demo` and the benchmarks use it: one
/// account per provider, named after its kind, with the simulator's published test credentials, the secrets in
/// key files of mode 0600 under `directory/keys`.
package enum SimulatorAccountsFile {
    /// Writes the key files and `directory/recharge.json`; returns the configuration file's path.
    /// - Parameter settings: added to every account (time-out, limits).
    package static func write(port: Int, directory: String, settings: [String: Any]) throws -> String {
        let keys = directory + "/keys"
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
        func keyFile(_ name: String, _ contents: String) throws -> [String: String] {
            let path = keys + "/" + name
            try? FileManager.default.removeItem(atPath: path)
            guard FileManager.default.createFile(atPath: path, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            return ["file": path]
        }
        let sim = SimulatorConfiguration()
        let base = "http://127.0.0.1:\(port)"
        func account(_ kind: String, _ path: String, _ credentials: [String: [String: String]]) -> [String: Any] {
            let entry: [String: Any] = ["name": kind, "kind": kind, "baseURL": base + path, "credentials": credentials]
            return entry.merging(settings) { _, setting in setting }
        }
        let accounts: [[String: Any]] = [
            account("vcc", "/vcc/api", ["companyID": ["value": sim.vcc.companyID], "apiKey": try keyFile("vcc-api-key", sim.vcc.apiKey)]),
            account(
                "hypercard", "/hypercard",
                [
                    "apiKey": ["value": sim.hypercard.apiKey],
                    "privateKey": try keyFile("hypercard-merchant-private.pem", SimulatorKeys.hyperCardMerchantPrivate),
                ]),
            account(
                "pagsmile", "/pagsmile",
                [
                    "appID": ["value": sim.pagsmile.appID], "partnerID": ["value": sim.pagsmile.partnerID],
                    "platformPublicKey": try keyFile("pagsmile-platform-public.pem", SimulatorKeys.pagsmilePlatformPublic),
                    "merchantPrivateKey": try keyFile("pagsmile-merchant-private.pem", SimulatorKeys.pagsmileMerchantPrivate),
                ]),
            account(
                "uqpay", "/uqpay/api",
                ["clientID": ["value": sim.uqpay.clientID], "apiKey": try keyFile("uqpay-api-key", sim.uqpay.apiKey)]),
            account("paycertify", "/paycertify/api", ["token": try keyFile("paycertify-token", sim.paycertify.token)]),
        ]
        let path = directory + "/recharge.json"
        let data = try JSONSerialization.data(withJSONObject: ["accounts": accounts], options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }
}
