import AsyncHTTPClient
import Foundation
import RechargeCore
import RechargeSimulator
import Testing
import _CryptoExtras

@testable import RechargeProviders

/// The HyperCard adapter against the in-process simulator, one test per outcome class.
@Suite(.timeLimit(.minutes(1))) struct HyperCardContractTests {
    static func client(
        _ fixture: SimulatorFixture, timeoutMilliseconds: Int = 5_000,
        credentials: [String: Secret] = SimulatorFixture.credentials(.hypercard)
    ) throws -> HyperCardClient {
        try HyperCardClient(
            account: fixture.account(.hypercard, timeoutMilliseconds: timeoutMilliseconds), credentials: credentials, client: fixture.client
        )
    }

    static let usd = Currency(code: "USD")!

    @Test func appliedCreditsTheAmountLessTheFee() async throws {
        try await SimulatorFixture.with { fixture in
            let client = try Self.client(fixture)
            let request = fixture.request(.hypercard, amount: "100.00")
            guard case .applied(let receipt) = await client.recharge(request) else {
                Issue.record("not applied")
                return
            }
            #expect(receipt.credited == Money(minorUnits: 9_950, currency: Self.usd))
            #expect(receipt.fee == ChargedAmount(minorUnits: 50_000_000, unit: "USDT"))
            #expect(receipt.exchangeRate == "1")
            #expect(fixture.ledger.count == 1)
            let entry = try #require(fixture.ledger.first)
            #expect(entry.amount == "100.00")
            #expect(entry.credited == "99.50")
            #expect(entry.mcTradeNo == request.key.hyperCardTradeNumber)
            #expect(entry.providerReference == receipt.providerReference)
            #expect(await client.status(request, evidence: nil) == .applied(receipt))
        }
    }

    @Test func aRemarkIsSentAndAnUnsentKeyIsUnknownToTheQuery() async throws {
        try await SimulatorFixture.with { fixture in
            let client = try Self.client(fixture)
            var request = fixture.request(.hypercard, amount: "0.01")
            request.remark = "birthday & more = fun"
            guard case .applied = await client.recharge(request) else {
                Issue.record("not applied")
                return
            }
            #expect(await client.status(fixture.request(.hypercard, amount: "1.00", line: 2), evidence: nil) == .notApplied)
        }
    }

    @Test func anUnknownCardIsRejected() async throws {
        try await SimulatorFixture.with { fixture in
            var request = fixture.request(.hypercard, amount: "10.00")
            request.cardID = "00000000000000000000000"
            let outcome = try await Self.client(fixture).recharge(request)
            #expect(outcome == .rejected(code: "A0004", message: "Card no existed"))
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test func insufficientMerchantBalanceIsRejected() async throws {
        try await SimulatorFixture.with({ $0.merchantBalances = ["hypercard": ["USD": "5.00"]] }) { fixture in
            let outcome = try await Self.client(fixture).recharge(fixture.request(.hypercard, amount: "10.00"))
            #expect(outcome == .rejected(code: "A0006", message: "balance is insufficient"))
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test func aSignatureFromAnotherKeyIsRejected() async throws {
        try await SimulatorFixture.with { fixture in
            var credentials = SimulatorFixture.credentials(.hypercard)
            credentials["privateKey"] = Secret(try _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation)
            let outcome = try await Self.client(fixture, credentials: credentials).recharge(fixture.request(.hypercard, amount: "10.00"))
            #expect(outcome == .rejected(code: "A0001", message: "Signature error"))
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test func theSameKeyTwiceIsInDoubtThenAppliedOnce() async throws {
        try await SimulatorFixture.with { fixture in
            let client = try Self.client(fixture)
            let request = fixture.request(.hypercard, amount: "25.00")
            guard case .applied(let receipt) = await client.recharge(request) else {
                Issue.record("not applied")
                return
            }
            #expect(await client.recharge(request) == .inDoubt(code: "A0005", message: "Duplicated request"))
            #expect(await client.status(request, evidence: nil) == .applied(receipt))
            #expect(fixture.ledger.count == 1)
        }
    }

    @Test func throttlingIsNotAppliedWithRetryAfter() async throws {
        try await SimulatorFixture.with { fixture in
            var faults = SimulatorConfiguration.Faults()
            faults.throttle = 1
            faults.retryAfterSeconds = 7
            fixture.simulator.setFaults(faults, for: "hypercard")
            let outcome = try await Self.client(fixture).recharge(fixture.request(.hypercard, amount: "10.00"))
            guard case .throttled(let code, _, let retryAfter) = outcome else {
                Issue.record("\(outcome)")
                return
            }
            #expect(code == "http:429")
            #expect(retryAfter == .seconds(7))
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test func aClosedPortIsNotApplied() async throws {
        try await SimulatorFixture.with { fixture in
            // AsyncHTTPClient retries a refused connect until the deadline: keep it short.
            var account = fixture.account(.hypercard, timeoutMilliseconds: 300)
            account.baseURL = "http://127.0.0.1:1/hypercard"
            let client = try HyperCardClient(
                account: account, credentials: SimulatorFixture.credentials(.hypercard), client: fixture.client)
            var request = fixture.request(.hypercard, amount: "10.00")
            request.account = account
            guard case .notApplied(let code, _, nil) = await client.recharge(request) else {
                Issue.record("a refused connection must be not applied")
                return
            }
            #expect(code == "transport:not-sent")
        }
    }

    @Test func anErrorAfterApplyingIsInDoubtAndTheQuerySaysApplied() async throws {
        try await SimulatorFixture.with { fixture in
            var faults = SimulatorConfiguration.Faults()
            faults.errorAfterApply = 1
            fixture.simulator.setFaults(faults, for: "hypercard")
            let client = try Self.client(fixture)
            let request = fixture.request(.hypercard, amount: "10.00")
            guard case .inDoubt = await client.recharge(request) else {
                Issue.record("a 5xx must be in doubt")
                return
            }
            fixture.simulator.setFaults(SimulatorConfiguration.Faults(), for: "hypercard")
            guard case .applied(let receipt) = await client.status(request, evidence: nil) else {
                Issue.record("the query must find it")
                return
            }
            #expect(receipt.credited == Money(minorUnits: 995, currency: Self.usd))
            #expect(fixture.ledger.count == 1)
        }
    }

    @Test func aFailureBeforeApplyingIsInDoubtAndTheQuerySaysNotApplied() async throws {
        try await SimulatorFixture.with { fixture in
            var faults = SimulatorConfiguration.Faults()
            faults.failBeforeApply = 1
            fixture.simulator.setFaults(faults, for: "hypercard")
            let client = try Self.client(fixture)
            let request = fixture.request(.hypercard, amount: "10.00")
            guard case .inDoubt = await client.recharge(request) else {
                Issue.record("a 5xx must be in doubt")
                return
            }
            fixture.simulator.setFaults(SimulatorConfiguration.Faults(), for: "hypercard")
            #expect(await client.status(request, evidence: nil) == .notApplied)
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test func aTimeOutAfterApplyingIsInDoubtAndTheQuerySaysApplied() async throws {
        try await SimulatorFixture.with { fixture in
            var faults = SimulatorConfiguration.Faults()
            faults.slowAfterApply = 1
            faults.slowMilliseconds = 2_500
            fixture.simulator.setFaults(faults, for: "hypercard")
            let client = try Self.client(fixture, timeoutMilliseconds: 1_000)
            let request = fixture.request(.hypercard, amount: "10.00")
            guard case .inDoubt(let code, _) = await client.recharge(request) else {
                Issue.record("a time-out must be in doubt")
                return
            }
            #expect(code == "transport:failed")
            // The client gave up before the answer; the simulator applies the top-up in its own time.
            await fixture.simulator.ledgerReaches(1)
            // The query gets a generous time-out: on a loaded machine 1 s can pass before the answer is read.
            let patient = try Self.client(fixture, timeoutMilliseconds: 10_000)
            guard case .applied = await patient.status(request, evidence: nil) else {
                Issue.record("the query must find it")
                return
            }
            #expect(fixture.ledger.count == 1)
        }
    }
}
