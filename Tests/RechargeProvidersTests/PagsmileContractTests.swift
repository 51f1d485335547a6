import AsyncHTTPClient
import Foundation
import RechargeCore
import RechargeSimulator
import Testing
import _CryptoExtras

@testable import RechargeProviders

/// The Pagsmile adapter against the in-process simulator, one test per outcome class.
@Suite(.timeLimit(.minutes(1))) struct PagsmileContractTests {
    static func client(
        _ fixture: SimulatorFixture, timeoutMilliseconds: Int = 5_000,
        credentials: [String: Secret] = SimulatorFixture.credentials(.pagsmile)
    ) throws -> PagsmileClient {
        try PagsmileClient(
            account: fixture.account(.pagsmile, timeoutMilliseconds: timeoutMilliseconds), credentials: credentials, client: fixture.client)
    }

    static let brl = Currency(code: "BRL")!

    @Test func appliedCreditsTheExactAmount() async throws {
        try await SimulatorFixture.with { fixture in
            let client = try Self.client(fixture)
            let request = fixture.request(.pagsmile, amount: "100.02")
            guard case .applied(let receipt) = await client.recharge(request) else {
                Issue.record("not applied")
                return
            }
            #expect(fixture.ledger.count == 1)
            let entry = try #require(fixture.ledger.first)
            #expect(entry.amount == "100.02")
            #expect(entry.currency == "BRL")
            #expect(entry.orderNo == request.key.hex)
            #expect(receipt.providerReference == entry.providerReference)
            guard case .applied(let queried) = await client.status(request, evidence: nil) else {
                Issue.record("the query must find it")
                return
            }
            #expect(queried.providerReference == receipt.providerReference)
            #expect(queried.credited == Money(minorUnits: 10_002, currency: Self.brl))
            #expect(await client.status(fixture.request(.pagsmile, amount: "1.00", line: 2), evidence: nil) == .notApplied)
        }
    }

    @Test func anUnknownCardIsRejected() async throws {
        try await SimulatorFixture.with { fixture in
            var request = fixture.request(.pagsmile, amount: "10.00")
            request.cardID = "CT999999999999"
            guard case .rejected(let code, _) = try await Self.client(fixture).recharge(request) else {
                Issue.record("an unknown card must be rejected")
                return
            }
            #expect(code == "40002/card-not-exist")
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test func insufficientPartnerBalanceIsRejected() async throws {
        try await SimulatorFixture.with({ $0.merchantBalances = ["pagsmile": ["BRL": "5.00"]] }) { fixture in
            guard case .rejected(let code, _) = try await Self.client(fixture).recharge(fixture.request(.pagsmile, amount: "10.00")) else {
                Issue.record("an insufficient balance must be rejected")
                return
            }
            #expect(code == "30004/insufficient-balance")
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test func aWrongPlatformKeyIsRejectedAsAnInvalidSignature() async throws {
        try await SimulatorFixture.with { fixture in
            var credentials = SimulatorFixture.credentials(.pagsmile)
            credentials["platformPublicKey"] = Secret(try _RSA.Encryption.PrivateKey(keySize: .bits2048).publicKey.pemRepresentation)
            let outcome = try await Self.client(fixture, credentials: credentials).recharge(fixture.request(.pagsmile, amount: "10.00"))
            #expect(outcome == .rejected(code: "40002/invalid-signature", message: "Business Failed: invalid signature"))
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test func theSameKeyTwiceIsInDoubtThenAppliedOnce() async throws {
        try await SimulatorFixture.with { fixture in
            let client = try Self.client(fixture)
            let request = fixture.request(.pagsmile, amount: "25.00")
            guard case .applied(let receipt) = await client.recharge(request) else {
                Issue.record("not applied")
                return
            }
            guard case .inDoubt(let code, _) = await client.recharge(request) else {
                Issue.record("a duplicate must be in doubt")
                return
            }
            #expect(code == "30001/dublicate-order")
            guard case .applied(let queried) = await client.status(request, evidence: nil) else {
                Issue.record("the query must find it")
                return
            }
            #expect(queried.providerReference == receipt.providerReference)
            #expect(fixture.ledger.count == 1)
        }
    }

    @Test func throttlingIsNotAppliedWithRetryAfter() async throws {
        try await SimulatorFixture.with { fixture in
            var faults = SimulatorConfiguration.Faults()
            faults.throttle = 1
            faults.retryAfterSeconds = 7
            fixture.simulator.setFaults(faults, for: "pagsmile")
            let outcome = try await Self.client(fixture).recharge(fixture.request(.pagsmile, amount: "10.00"))
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
            var account = fixture.account(.pagsmile, timeoutMilliseconds: 300)
            account.baseURL = "http://127.0.0.1:1/pagsmile"
            let client = try PagsmileClient(account: account, credentials: SimulatorFixture.credentials(.pagsmile), client: fixture.client)
            guard case .notApplied(let code, _, nil) = await client.recharge(fixture.request(.pagsmile, amount: "10.00")) else {
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
            fixture.simulator.setFaults(faults, for: "pagsmile")
            let client = try Self.client(fixture)
            let request = fixture.request(.pagsmile, amount: "10.00")
            guard case .inDoubt = await client.recharge(request) else {
                Issue.record("a 5xx must be in doubt")
                return
            }
            fixture.simulator.setFaults(SimulatorConfiguration.Faults(), for: "pagsmile")
            guard case .applied = await client.status(request, evidence: nil) else {
                Issue.record("the query must find it")
                return
            }
            #expect(fixture.ledger.count == 1)
        }
    }

    @Test func aFailureBeforeApplyingIsInDoubtAndTheQuerySaysNotApplied() async throws {
        try await SimulatorFixture.with { fixture in
            var faults = SimulatorConfiguration.Faults()
            faults.failBeforeApply = 1
            fixture.simulator.setFaults(faults, for: "pagsmile")
            let client = try Self.client(fixture)
            let request = fixture.request(.pagsmile, amount: "10.00")
            guard case .inDoubt = await client.recharge(request) else {
                Issue.record("a 5xx must be in doubt")
                return
            }
            fixture.simulator.setFaults(SimulatorConfiguration.Faults(), for: "pagsmile")
            #expect(await client.status(request, evidence: nil) == .notApplied)
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test func aTimeOutAfterApplyingIsInDoubtAndTheQuerySaysApplied() async throws {
        try await SimulatorFixture.with { fixture in
            var faults = SimulatorConfiguration.Faults()
            faults.slowAfterApply = 1
            faults.slowMilliseconds = 2_500
            fixture.simulator.setFaults(faults, for: "pagsmile")
            let client = try Self.client(fixture, timeoutMilliseconds: 1_000)
            let request = fixture.request(.pagsmile, amount: "10.00")
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
