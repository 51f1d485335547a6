import AsyncHTTPClient
import Foundation
import NIOHTTP1
import RechargeCore
import RechargeSimulator
import Testing

@testable import RechargeProviders

/// The UQPay adapter against the simulator: every outcome class, token handling and same-key replay.
@Suite struct UQPayContractTests {
    func client(_ fixture: SimulatorFixture, timeoutMilliseconds: Int = 5_000, credentials: [String: Secret]? = nil) throws -> UQPayClient {
        var account = fixture.account(.uqpay)
        account.timeoutMilliseconds = timeoutMilliseconds
        return try UQPayClient(account: account, credentials: credentials ?? SimulatorFixture.credentials(.uqpay), client: fixture.client)
    }

    @Test(.timeLimit(.minutes(1))) func aTopUpIsAppliedOnceUnderItsKey() async throws {
        try await SimulatorFixture.with { fixture in
            let request = fixture.request(.uqpay, amount: "100.02")
            let outcome = try await self.client(fixture).recharge(request)
            guard case .applied(let receipt) = outcome else { Issue.record("\(outcome)"); return }
            #expect(fixture.ledger.count == 1)
            #expect(fixture.ledger.first?.amount == "100.02")
            #expect(fixture.ledger.first?.idempotencyKey == request.key.uuidV4)
            #expect(receipt.providerReference == fixture.ledger.first?.providerReference)
        }
    }

    /// `prepare()` logs in before the first top-up, which then goes out alone; a second `prepare()` reuses the token.
    @Test(.timeLimit(.minutes(1))) func prepareLogsInBeforeTheFirstTopUp() async throws {
        try await SimulatorFixture.with { fixture in
            let client = try self.client(fixture)
            await client.prepare()
            #expect(fixture.simulator.stats["uqpay"]?.requests == 1, "the token request")
            #expect(fixture.simulator.stats["uqpay"]?.topUpRequests ?? 0 == 0)
            await client.prepare()
            _ = await client.recharge(fixture.request(.uqpay, amount: "10.00"))
            #expect(fixture.simulator.stats["uqpay"]?.requests == 2, "no second login")
            #expect(fixture.ledger.count == 1)
        }
    }

    @Test(.timeLimit(.minutes(1))) func aReplayUnderTheSameKeyAppliesNothing() async throws {
        try await SimulatorFixture.with { fixture in
            let client = try self.client(fixture)
            let request = fixture.request(.uqpay, amount: "25.00")
            let first = await client.recharge(request)
            let second = await client.recharge(request)
            #expect(first == second)
            #expect(fixture.ledger.count == 1)
        }
    }

    @Test(.timeLimit(.minutes(1))) func refusalsAreFinal() async throws {
        try await SimulatorFixture.with({ $0.merchantBalances = ["uqpay": ["USD": "10.00"]] }) { fixture in
            let client = try self.client(fixture)
            var unknown = fixture.request(.uqpay, amount: "1.00")
            unknown.cardID = "00000000-0000-4000-8000-000000000000"
            #expect(
                await client.recharge(unknown) == .rejected(code: "card_error/card_not_found", message: "card not found or deactivated"))
            let tooMuch = await client.recharge(fixture.request(.uqpay, amount: "10.01", line: 2))
            #expect(tooMuch == .rejected(code: "account_error/insufficient_balance", message: "insufficient balance"))
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(1))) func aWrongAPIKeyIsRefusedAndNothingIsSent() async throws {
        try await SimulatorFixture.with { fixture in
            let client = try self.client(fixture, credentials: ["clientID": Secret("sim-uqpay-client"), "apiKey": Secret("wrong")])
            let outcome = await client.recharge(fixture.request(.uqpay, amount: "5.00"))
            guard case .rejected(let code, _) = outcome else { Issue.record("\(outcome)"); return }
            #expect(code == "login/unauthorized")
            #expect(fixture.ledger.isEmpty)
        }
    }

    /// A new token invalidates older ones: the adapter's next call gets a 401, logs in once more, and goes through.
    @Test(.timeLimit(.minutes(1))) func aSupersededTokenLeadsToOneFreshLogin() async throws {
        try await SimulatorFixture.with { fixture in
            let client = try self.client(fixture)
            guard case .applied = await client.recharge(fixture.request(.uqpay, amount: "1.00", line: 1)) else {
                Issue.record("first top-up failed")
                return
            }
            // Someone else logs in with the same credentials.
            _ = await HTTPTransport(client: fixture.client).send(
                .POST, fixture.baseURL(.uqpay) + "/v1/connect/token",
                headers: [("x-client-id", "sim-uqpay-client"), ("x-api-key", "sim-uqpay-api-key")], body: nil, timeout: .seconds(5))
            guard case .applied = await client.recharge(fixture.request(.uqpay, amount: "2.00", line: 2)) else {
                Issue.record("the top-up after the token was superseded failed")
                return
            }
            #expect(fixture.ledger.count == 2)
            #expect(fixture.simulator.stats["uqpay"]?.rejections["invalid_token"] == 1)
        }
    }

    @Test(.timeLimit(.minutes(1))) func throttlingIsNotAppliedWithRetryAfter() async throws {
        try await SimulatorFixture.with { fixture in
            var faults = SimulatorConfiguration.Faults()
            faults.throttle = 1
            faults.retryAfterSeconds = 3
            fixture.simulator.setFaults(faults, for: "uqpay")
            let outcome = try await self.client(fixture).recharge(fixture.request(.uqpay, amount: "1.00"))
            guard case .throttled(let code, _, let retry) = outcome else { Issue.record("\(outcome)"); return }
            #expect(code == "http:429")
            #expect(retry == .seconds(3))
        }
    }

    @Test(.timeLimit(.minutes(1))) func aRefusedConnectionIsNotApplied() async throws {
        try await SimulatorFixture.with { fixture in
            var account = fixture.account(.uqpay, timeoutMilliseconds: 300)
            account.baseURL = "http://127.0.0.1:1/uqpay/api"
            let client = try UQPayClient(account: account, credentials: SimulatorFixture.credentials(.uqpay), client: fixture.client)
            guard case .notApplied = await client.recharge(fixture.request(.uqpay, amount: "1.00")) else {
                Issue.record("a refused connection was not classified as not applied")
                return
            }
        }
    }

    enum Fault: String, CaseIterable, Sendable {
        case errorAfterApply, failBeforeApply, slowAfterApply, dropAfterApply
    }

    /// Whatever went wrong, the read-only lookup cannot tell without a `card_order_id`; the same-key replay (a send,
    /// within UQPay's 24 h) settles it with the order id, the lookup then confirms it by the order query, and the
    /// ledger has exactly one top-up.
    @Test(.timeLimit(.minutes(1)), arguments: Fault.allCases)
    func anInDoubtTopUpIsResolvedBySameKeyReplay(_ fault: Fault) async throws {
        try await SimulatorFixture.with { fixture in
            var faults = SimulatorConfiguration.Faults()
            switch fault {
            case .errorAfterApply: faults.errorAfterApply = 1
            case .failBeforeApply: faults.failBeforeApply = 1
            case .slowAfterApply:
                faults.slowAfterApply = 1
                faults.slowMilliseconds = 2_500
            case .dropAfterApply: faults.dropAfterApply = 1
            }
            let client = try self.client(fixture, timeoutMilliseconds: 1_000)
            // Logged in before the fault, so the fault strikes the top-up itself (a few tries: on a loaded machine the
            // first login can outlast the 1 s time-out).
            var warmUp = RechargeOutcome.notApplied(code: "", message: "not tried", retryAfter: nil)
            for line in 90..<95 {
                warmUp = await client.recharge(fixture.request(.uqpay, amount: "1.00", line: line))
                if case .applied = warmUp { break }
            }
            guard case .applied = warmUp else {
                Issue.record("warm-up failed: \(warmUp)")
                return
            }
            fixture.simulator.setFaults(faults, for: "uqpay")
            let request = fixture.request(.uqpay, amount: "42.42")
            let outcome = await client.recharge(request)
            guard case .inDoubt = outcome else { Issue.record("\(fault): \(outcome)"); return }
            fixture.simulator.setFaults(SimulatorConfiguration.Faults(), for: "uqpay")
            // The resolution gets a generous time-out: on a loaded machine 1 s can pass before an answer is read.
            let patient = try self.client(fixture, timeoutMilliseconds: 10_000)
            guard case .cannotTell = await patient.status(request, evidence: nil) else {
                Issue.record("\(fault): a lookup without an order id must not tell")
                return
            }
            let replayed = await patient.recharge(request)
            guard case .applied(let receipt) = replayed, let orderID = receipt.providerReference else {
                Issue.record("\(fault): \(replayed)")
                return
            }
            let status = await patient.status(request, evidence: nil, reference: orderID)
            guard case .applied = status else { Issue.record("\(fault): \(status)"); return }
            let applied = fixture.ledger.filter { $0.idempotencyKey == request.key.uuidV4 }
            #expect(applied.count == 1)
            #expect(applied.first?.amount == "42.42")
        }
    }
}
