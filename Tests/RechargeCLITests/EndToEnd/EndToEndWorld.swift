import Foundation
import RechargeCore
import RechargeStore
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
import TestSupport
#endif

/// A simulator configuration with faults, a processor configuration for it, and two generated batches.
struct EndToEndWorld {
    struct Line {
        var provider: String
        var card: String
        var amount: String
        var currency: String
    }

    let directory: URL
    let database: String
    let config: String
    let simulatorConfig: URL
    let mainBatch: URL
    let sideBatch: URL
    /// Cards the simulator knows; a line for any other card is refused (FAILED).
    let knownCards: [(provider: String, card: String, currency: String)]

    static let currencies = ["vcc": "USD", "hypercard": "USD", "pagsmile": "BRL", "uqpay": "SGD", "paycertify": "USD"]

    init(directory: URL, random: inout SeededRandom) throws {
        self.directory = directory
        self.database = directory.appendingPathComponent("recharge.sqlite").path
        self.config = directory.appendingPathComponent("recharge.json").path
        self.simulatorConfig = directory.appendingPathComponent("sim.json")
        self.mainBatch = directory.appendingPathComponent("main.csv")
        self.sideBatch = directory.appendingPathComponent("side.csv")
        var cards: [(String, String, String)] = []
        for (provider, currency) in Self.currencies.sorted(by: { $0.key < $1.key }) {
            for index in 0..<12 { cards.append((provider, Self.card(provider, index), currency)) }
        }
        self.knownCards = cards
        try self.writeBatch(self.mainBatch, linesPerProvider: 36, reference: "MAIN", random: &random)
        try self.writeBatch(self.sideBatch, linesPerProvider: 8, reference: "SIDE", random: &random)
        try self.writeSimulatorConfiguration()
    }

    static func card(_ provider: String, _ index: Int) -> String {
        switch provider {
        case "vcc": String(100_030_200 + index)
        case "hypercard": "000034543234000000\(29_000 + index)"
        case "pagsmile": "CT0000009\(10_000 + index)"
        default: String(format: "0e0d4c1a-0000-4000-8000-%012d", index + (provider == "uqpay" ? 0 : 500))
        }
    }

    /// Lines spread over the known cards (several per card, so per-card serialisation is exercised) and one
    /// line per provider for a card the simulator does not know.
    private func writeBatch(_ url: URL, linesPerProvider: Int, reference: String, random: inout SeededRandom) throws {
        var csv = "provider,card_id,amount,currency,reference,pay_coin,pay_account_num\n"
        var number = 0
        for (provider, currency) in Self.currencies.sorted(by: { $0.key < $1.key }) {
            for index in 0..<linesPerProvider {
                number += 1
                let card = index == 0 ? Self.card(provider, 900) : Self.card(provider, random.next(in: 0...11))
                let amount = "\(random.next(in: 1...400)).\(String(format: "%02d", random.next(in: 0...99)))"
                let payCoin = provider == "hypercard" ? "usdt" : ""
                let payAccount = provider == "pagsmile" ? "PA-7700120045" : ""
                csv += "\(provider),\(card),\(amount),\(currency),\(reference)-\(number),\(payCoin),\(payAccount)\n"
            }
        }
        try csv.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Every fault at a few percent; slow answers outlast the processor's 400 ms time-out.
    private func writeSimulatorConfiguration() throws {
        let faults: [String: Any] = [
            "latencyMilliseconds": 2, "jitterMilliseconds": 20, "failBeforeApply": 0.06, "dropAfterApply": 0.05,
            "errorAfterApply": 0.05, "slowAfterApply": 0.04, "slowMilliseconds": 900, "throttle": 0.04, "retryAfterSeconds": 1,
        ]
        let configuration: [String: Any] = [
            "seed": 4242,
            "cards": self.knownCards.map { ["provider": $0.provider, "id": $0.card, "currency": $0.currency, "balance": "50"] },
            "limits": ["paycertify": NSNull(), "uqpay": NSNull()],
            "faults": Dictionary(uniqueKeysWithValues: Self.currencies.keys.map { ($0, faults) }),
        ]
        try JSONSerialization.data(withJSONObject: configuration).write(to: self.simulatorConfig)
    }

    func startSimulator() throws -> ChildProcess {
        try ChildProcess("recharge-sim", ["--port", "0", "--quiet", "--config", self.simulatorConfig.path], outputs: self.directory)
    }

    /// The processor's configuration for the simulator on `port`, with the published test keys in 0600 files.
    func writeConfiguration(port: String) throws {
        let keys = self.directory.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        func file(_ name: String, _ contents: String) throws -> [String: String] {
            let path = keys.appendingPathComponent(name).path
            _ = FileManager.default.createFile(atPath: path, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o600])
            return ["file": path]
        }
        func sample(_ name: String) throws -> String {
            try String(contentsOf: Recharge.packageRoot.appendingPathComponent("samples/keys/\(name)"), encoding: .utf8)
        }
        let base = "http://127.0.0.1:\(port)"
        func account(_ kind: String, _ path: String, _ credentials: [String: [String: String]]) -> [String: Any] {
            ["name": kind, "kind": kind, "baseURL": base + path, "credentials": credentials, "timeoutMilliseconds": 400, "maxInFlight": 8]
        }
        let accounts: [[String: Any]] = [
            account("vcc", "/vcc/api", ["companyID": ["value": "4101"], "apiKey": try file("vcc", "sim-vcc-api-key")]),
            account(
                "hypercard", "/hypercard",
                [
                    "apiKey": ["value": "sim-hypercard-merchant"],
                    "privateKey": try file("hypercard.pem", try sample("hypercard-merchant-private.pem")),
                ]),
            account(
                "pagsmile", "/pagsmile",
                [
                    "appID": ["value": "sim-pagsmile-app"], "partnerID": ["value": "sim-pagsmile-partner"],
                    "platformPublicKey": try file("platform.pem", try sample("pagsmile-platform-public.pem")),
                    "merchantPrivateKey": try file("merchant.pem", try sample("pagsmile-merchant-private.pem")),
                ]),
            account("uqpay", "/uqpay/api", ["clientID": ["value": "sim-uqpay-client"], "apiKey": try file("uqpay", "sim-uqpay-api-key")]),
            account("paycertify", "/paycertify/api", ["token": try file("paycertify", "sim-paycertify-token")]),
        ]
        try JSONSerialization.data(withJSONObject: ["accounts": accounts]).write(to: URL(fileURLWithPath: self.config))
    }

    /// Every line final; per card, the amounts the simulator applied are exactly the SUCCESS lines' amounts (so
    /// nothing twice, nothing lost, no FAILED or CANCELLED line applied); merchant keys never repeat; sums agree.
    func verifyAgainstLedger(port: String) throws {
        let ledgerData = try Self.get(URL(string: "http://127.0.0.1:\(port)/_sim/ledger")!)
        let ledgerObject = try JSONSerialization.jsonObject(with: ledgerData) as? [String: Any]
        let ledger = try #require(ledgerObject?["entries"] as? [[String: Any]])
        let database = try RechargeDatabase(path: self.database, mustExist: true)
        var lines: [LineRecord] = []
        for batch in try database.batches() { lines += try database.lines(batchID: batch.id) }
        #expect(lines.count == 5 * (36 + 8))
        #expect(lines.allSatisfy { $0.state.isSettled }, "lines left: \(lines.filter { !$0.state.isSettled }.map(\.lineNumber))")
        #expect(lines.contains { $0.state == .failed }, "the unknown cards should have been refused")
        #expect(lines.contains { $0.state == .cancelled }, "cancelling the side batch should have cancelled lines")

        func minor(_ text: String, _ code: String) throws -> Int64 {
            try Money.parse(text, currency: try #require(Currency(code: code))).minorUnits
        }
        var applied: [String: [Int64]] = [:]
        var keys: [String: Int] = [:]
        for entry in ledger {
            let provider = try #require(entry["provider"] as? String)
            let card = try #require(entry["cardID"] as? String)
            let amount = try minor(try #require(entry["amount"] as? String), try #require(entry["currency"] as? String))
            applied["\(provider)/\(card)", default: []].append(amount)
            for field in ["requestID", "mcTradeNo", "orderNo", "idempotencyKey"] {
                if let key = entry[field] as? String { keys["\(provider)/\(field)/\(key)", default: 0] += 1 }
            }
        }
        var succeeded: [String: [Int64]] = [:]
        for line in lines where line.state == .success { succeeded["\(line.account)/\(line.cardID)", default: []].append(line.amountMinor) }
        for card in Set(applied.keys).union(succeeded.keys).sorted() {
            #expect(
                (applied[card] ?? []).sorted() == (succeeded[card] ?? []).sorted(),
                "card \(card): applied \(applied[card] ?? []), SUCCESS lines \(succeeded[card] ?? [])")
        }
        #expect(keys.values.allSatisfy { $0 == 1 }, "a merchant key was applied twice: \(keys.filter { $0.value > 1 })")
        let ledgerTotal = applied.values.joined().reduce(0, +)
        let successTotal = lines.filter { $0.state == .success }.reduce(Int64(0)) { $0 + $1.amountMinor }
        #expect(ledgerTotal == successTotal)
        #expect(ledger.count == lines.filter { $0.state == .success }.count)
    }
}

extension EndToEndWorld {
    /// A blocking GET for the simulator's admin API (the test itself is synchronous).
    static func get(_ url: URL) throws -> Data {
        final class Box: @unchecked Sendable {
            var result: Result<Data, any Error> = .failure(URLError(.timedOut))
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: url) { data, _, error in
            box.result = data.map { .success($0) } ?? .failure(error ?? URLError(.badServerResponse))
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 10)
        return try box.result.get()
    }
}
