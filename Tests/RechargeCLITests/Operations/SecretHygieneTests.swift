import Foundation
import RechargeStore
import TestSupport
import Testing

/// Secrets go to the providers and nowhere else: after batches run against `recharge-sim` with recognisable
/// credentials (from environment variables and key files), with retries, in-doubt answers and refusals, none of
/// them appears in the database (raw bytes, WAL included), the logs (verbose, text and JSON), the reports or the
/// metrics file.
@Suite(.serialized, .ownThread)
struct SecretHygieneTests {
    static let vccKey = "HYGIENE-vcc-api-key-5b1f0e"
    static let uqpayKey = "HYGIENE-uqpay-api-key-7c2d9a"
    static let payCertifyToken = "HYGIENE-paycertify-token-3e8a44"

    @Test(.timeLimit(.minutes(2)))
    func noSecretLeavesForAnythingButTheProvider() throws {
        try withTemporaryDirectory { directory in
            var random = SeededRandom(seed: 3)
            let world = try EndToEndWorld(directory: directory, random: &random)
            let faults: [String: Any] = ["failBeforeApply": 0.1, "errorAfterApply": 0.08, "latencyMilliseconds": 1]
            try world.writeCleanSimulatorConfiguration(overrides: [
                "vcc": ["apiKey": Self.vccKey], "uqpay": ["apiKey": Self.uqpayKey], "paycertify": ["token": Self.payCertifyToken],
                "faults": Dictionary(uniqueKeysWithValues: EndToEndWorld.currencies.keys.map { ($0, faults) }),
            ])
            let (simulator, port) = try world.startSimulatorAndPort()
            defer { simulator.kill() }
            try world.writeConfiguration(port: port)
            let uqpayKeyFile = try self.useCustomCredentials(world: world, directory: directory)
            let environment = [
                "HYGIENE_VCC_API_KEY": Self.vccKey, "HYGIENE_PAYCERTIFY_TOKEN": Self.payCertifyToken,
                // Fast retries and status queries, so in-doubt answers settle within the test.
                "RECHARGE_RETRY_BASEMILLISECONDS": "10", "RECHARGE_RETRY_CAPMILLISECONDS": "50",
                "RECHARGE_STATUSQUERIES_BASEMILLISECONDS": "10", "RECHARGE_STATUSQUERIES_CAPMILLISECONDS": "100",
            ]

            let inbox = directory.appendingPathComponent("inbox")
            let incoming = inbox.appendingPathComponent("incoming")
            try FileManager.default.createDirectory(at: incoming, withIntermediateDirectories: true)
            let metrics = directory.appendingPathComponent("recharge.prom").path
            func pass(_ file: String, _ contents: String, format: String) throws -> CommandResult {
                try contents.write(to: incoming.appendingPathComponent(file), atomically: true, encoding: .utf8)
                return try Recharge.run(
                    [
                        "inbox", inbox.path, "--db", world.database, "--config", world.config, "--settle-ms", "10", "--progress", "log",
                        "--verbose", "--log-format", format, "--metrics-file", metrics,
                    ], environment: environment)
            }
            let first = try pass("side.csv", try String(contentsOf: world.sideBatch, encoding: .utf8), format: "json")
            #expect([0, 10, 11].contains(first.status), "\(first)")
            // Keep a connection open so the next pass's writes stay in the WAL file when it exits.
            let database = try RechargeDatabase(path: world.database, mustExist: true)
            let second = try pass("clean.csv", EndToEndWorld.cleanBatch(linesPerProvider: 3, reference: "CLEAN"), format: "text")
            #expect(second.status == 0, "\(second)")
            #expect(FileManager.default.fileExists(atPath: world.database + "-wal"), "the WAL file should be searched too")
            let report = try Recharge.run(["report", "1", "--db", world.database, "--format", "text"])
            let status = try Recharge.run(["status", "--db", world.database, "--json"])
            _ = database

            var secrets = [Self.vccKey, Self.uqpayKey, Self.payCertifyToken]
            for pem in ["hypercard-merchant-private.pem", "pagsmile-merchant-private.pem"] {
                let text = try String(contentsOf: Recharge.packageRoot.appendingPathComponent("samples/keys/\(pem)"), encoding: .utf8)
                secrets.append(try #require(text.split(separator: "\n").dropFirst().first.map(String.init)))
            }
            // The search finds a secret where one is (the key file): a control for the checks below.
            #expect(try Data(contentsOf: URL(fileURLWithPath: uqpayKeyFile)).range(of: Data(Self.uqpayKey.utf8)) != nil)
            var searched: [String] = []
            for url in try Self.files(under: directory) {
                let name = url.lastPathComponent
                // The simulator's own configuration and output, and the key files, hold secrets by design.
                if url.path.contains("/keys/") || name == "sim.json" || name.hasPrefix("recharge-sim-") || url.path == uqpayKeyFile {
                    continue
                }
                let bytes = try Data(contentsOf: url)
                searched.append(name)
                for secret in secrets {
                    #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(url.path) contains a secret")
                }
            }
            for output in [first.stdout, first.stderr, second.stdout, second.stderr, report.stdout, status.stdout] {
                for secret in secrets { #expect(!output.contains(secret), "a command's output contains a secret") }
            }
            for expected in [
                "recharge.sqlite", "recharge.sqlite-wal", "recharge.prom", "side.batch-1.html", "side.batch-1.csv", "side.batch-1.json",
            ] {
                #expect(searched.contains(expected), "\(expected) was not searched: \(searched)")
            }
        }
    }

    /// VCC's key and PayCertify's token from environment variables, UQPay's key from a 0600 key file.
    private func useCustomCredentials(world: EndToEndWorld, directory: URL) throws -> String {
        let url = URL(fileURLWithPath: world.config)
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var accounts = try #require(object["accounts"] as? [[String: Any]])
        let keyFile = directory.appendingPathComponent("keys/uqpay-hygiene").path
        _ = FileManager.default.createFile(atPath: keyFile, contents: Data(Self.uqpayKey.utf8), attributes: [.posixPermissions: 0o600])
        for index in accounts.indices {
            var credentials = accounts[index]["credentials"] as? [String: Any] ?? [:]
            switch accounts[index]["name"] as? String {
            case "vcc": credentials["apiKey"] = ["env": "HYGIENE_VCC_API_KEY"]
            case "uqpay": credentials["apiKey"] = ["file": keyFile]
            case "paycertify": credentials["token"] = ["env": "HYGIENE_PAYCERTIFY_TOKEN"]
            default: break
            }
            accounts[index]["credentials"] = credentials
        }
        object["accounts"] = accounts
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        return keyFile
    }

    private static func files(under directory: URL) throws -> [URL] {
        let enumerator = try #require(FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]))
        return enumerator.compactMap { $0 as? URL }.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
    }
}
