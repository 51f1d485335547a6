import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RechargeSimulator
import Synchronization
import Testing

/// A simulator clock that only moves when a test moves it: wall time for timestamps and token expiry, the
/// monotonic count for rate limits and the 1-second windows.
final class ManualClock: SimulatorClock {
    private let state: Mutex<(now: Date, monotonic: UInt64)>

    init(now: Date = Date(timeIntervalSince1970: 1_750_000_000)) {
        self.state = Mutex((now, 1_000_000_000_000))
    }

    func now() -> Date { self.state.withLock { $0.now } }

    func monotonicNanoseconds() -> UInt64 { self.state.withLock { $0.monotonic } }

    /// Moves both clocks forward.
    func advance(seconds: Double) {
        self.state.withLock { state in
            state.now += seconds
            state.monotonic += UInt64(seconds * 1e9)
        }
    }
}

/// One HTTP answer, read completely.
struct WireResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: self.body, as: UTF8.self) }

    func header(_ name: String) -> String? { self.headers.first(name: name) }

    /// The body as a JSON object.
    func json(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(self.body))
        return try #require(value as? [String: Any], "not a JSON object: \(self.text)", sourceLocation: sourceLocation)
    }
}

/// A running simulator, the test's HTTP client and the clock the simulator reads.
struct SimulatorSession {
    let simulator: Simulator
    let port: Int
    let client: HTTPClient
    let clock: ManualClock

    /// Sends one request to the simulator on loopback; `timeout` bounds the whole exchange.
    func send(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: String? = nil,
        timeout: TimeAmount = .seconds(5)
    ) async throws -> WireResponse {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(self.port)\(path)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            if !request.headers.contains(name: "content-type") { request.headers.add(name: "content-type", value: "application/json") }
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await self.client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return WireResponse(status: Int(response.status.code), headers: response.headers, body: Array(bytes.readableBytesView))
    }

    func post(
        _ path: String, headers: [(String, String)] = [], body: String, timeout: TimeAmount = .seconds(5)
    ) async throws -> WireResponse {
        try await self.send(.POST, path, headers: headers, body: body, timeout: timeout)
    }

    func put(_ path: String, headers: [(String, String)] = [], body: String, timeout: TimeAmount = .seconds(5)) async throws -> WireResponse
    {
        try await self.send(.PUT, path, headers: headers, body: body, timeout: timeout)
    }

    func get(_ path: String, headers: [(String, String)] = [], timeout: TimeAmount = .seconds(5)) async throws -> WireResponse {
        try await self.send(.GET, path, headers: headers, timeout: timeout)
    }

    // MARK: The admin API

    private struct LedgerPage: Decodable { let entries: [LedgerEntry] }
    private struct CardsPage: Decodable { let cards: [SimulatorConfiguration.Card] }

    /// `GET /_sim/ledger`.
    func ledger() async throws -> [LedgerEntry] {
        let response = try await self.get("/_sim/ledger")
        try #require(response.status == 200)
        return try JSONDecoder().decode(LedgerPage.self, from: Data(response.body)).entries
    }

    /// `GET /_sim/cards`.
    func cards() async throws -> [SimulatorConfiguration.Card] {
        let response = try await self.get("/_sim/cards")
        try #require(response.status == 200)
        return try JSONDecoder().decode(CardsPage.self, from: Data(response.body)).cards
    }

    /// A card's balance as `GET /_sim/cards` shows it; `nil` when there is no such card.
    func balance(_ provider: String, _ cardID: String) async throws -> String? {
        try await self.cards().first { $0.provider == provider && $0.id == cardID }?.balance
    }

    /// `GET /_sim/stats`.
    func stats() async throws -> [String: ProviderStats] {
        let response = try await self.get("/_sim/stats")
        try #require(response.status == 200)
        return try JSONDecoder().decode([String: ProviderStats].self, from: Data(response.body))
    }

    /// `POST /_sim/faults` with a JSON object of provider → faults.
    func setFaults(_ json: String) async throws {
        let response = try await self.post("/_sim/faults", body: json)
        try #require(response.status == 200, "\(response.text)")
    }

    /// `POST /_sim/limits` with a JSON object of provider → limit (or null).
    func setLimits(_ json: String) async throws {
        let response = try await self.post("/_sim/limits", body: json)
        try #require(response.status == 200, "\(response.text)")
    }
}

/// Runs a simulator on 127.0.0.1 (a free port) with a manual clock for the duration of `body`, with one
/// HTTP client that is shut down before the server.
func withSimulator<Result>(
    _ configuration: SimulatorConfiguration = SimulatorConfiguration(), clock: ManualClock = ManualClock(),
    _ body: (SimulatorSession) async throws -> Result
) async throws -> Result {
    let simulator = Simulator(configuration: configuration, clock: clock)
    var logger = Logger(label: "recharge-sim-tests")
    logger.logLevel = .warning
    return try await simulator.withRunning(logger: logger) { port in
        try await HTTPClient.withHTTPClient { client in
            try await body(SimulatorSession(simulator: simulator, port: port, client: client, clock: clock))
        }
    }
}

extension SimulatorConfiguration {
    /// The demo configuration with these cards and merchant balances.
    static func with(
        cards: [SimulatorConfiguration.Card], merchantBalances: [String: [String: String]] = [:], seed: UInt64 = 1
    ) -> SimulatorConfiguration {
        var configuration = SimulatorConfiguration()
        configuration.cards = cards
        configuration.merchantBalances = merchantBalances
        configuration.seed = seed
        return configuration
    }
}

extension SimulatorConfiguration.Card {
    static func usd(_ provider: String, _ id: String, balance: String = "0.00", status: String = "active") -> Self {
        Self(provider: provider, id: id, currency: "USD", balance: balance, status: status)
    }
}
