import AsyncHTTPClient
import Foundation
import RechargeCore
import RechargeSimulator
import Testing

@testable import RechargeProviders

/// The VCC adapter against the in-process simulator, one test per outcome class.
@Suite struct VCCContractTests {
    static func adapter(
        _ fixture: SimulatorFixture, timeoutMilliseconds: Int = 5_000, credentials: [String: Secret] = SimulatorFixture.credentials(.vcc)
    ) throws -> VCCClient {
        try VCCClient(
            account: fixture.account(.vcc, timeoutMilliseconds: timeoutMilliseconds), credentials: credentials, client: fixture.client)
    }

    static func faults(_ configure: (inout SimulatorConfiguration.Faults) -> Void) -> SimulatorConfiguration.Faults {
        var faults = SimulatorConfiguration.Faults()
        configure(&faults)
        return faults
    }

    @Test(.timeLimit(.minutes(1))) func applied() async throws {
        try await SimulatorFixture.with { fixture in
            let vcc = try Self.adapter(fixture)
            let request = fixture.request(.vcc, amount: "12.34")
            let outcome = await vcc.recharge(request)
            let ledger = fixture.ledger
            #expect(ledger.count == 1)
            #expect(ledger.first?.amount == "12.34")
            #expect(ledger.first?.requestID == request.key.hex)
            #expect(ledger.first?.cardID == request.cardID)
            #expect(outcome == .applied(ProviderReceipt(providerReference: ledger.first?.providerReference)))
            // The status query agrees, with the same reference.
            #expect(
                await vcc.status(request, evidence: nil) == .applied(ProviderReceipt(providerReference: ledger.first?.providerReference)))
        }
    }

    @Test(.timeLimit(.minutes(1))) func unknownCardIsRejected() async throws {
        try await SimulatorFixture.with { fixture in
            let vcc = try Self.adapter(fixture)
            var request = fixture.request(.vcc, amount: "5")
            request.cardID = "999999999"
            guard case .rejected(let code, _) = await vcc.recharge(request) else { Issue.record("not rejected"); return }
            #expect(code == "1003")
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(1))) func insufficientMerchantBalanceIsRejected() async throws {
        try await SimulatorFixture.with({ $0.merchantBalances = ["vcc": ["USD": "5.00"]] }) { fixture in
            let vcc = try Self.adapter(fixture)
            guard case .rejected(let code, _) = await vcc.recharge(fixture.request(.vcc, amount: "10")) else {
                Issue.record("not rejected"); return
            }
            #expect(code == "1005")
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(1))) func wrongApiKeyIsRejected() async throws {
        try await SimulatorFixture.with { fixture in
            let vcc = try Self.adapter(fixture, credentials: ["companyID": Secret("4101"), "apiKey": Secret("not-the-key")])
            guard case .rejected(let code, _) = await vcc.recharge(fixture.request(.vcc, amount: "10")) else {
                Issue.record("not rejected"); return
            }
            #expect(code == "1001")
            #expect(VCCClient.classification.rule(for: code).reason.contains("configuration"))
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(1))) func wrongCompanyIsRejected() async throws {
        try await SimulatorFixture.with { fixture in
            let vcc = try Self.adapter(fixture, credentials: ["companyID": Secret("9999"), "apiKey": Secret("sim-vcc-api-key")])
            guard case .rejected(let code, _) = await vcc.recharge(fixture.request(.vcc, amount: "10")) else {
                Issue.record("not rejected"); return
            }
            #expect(code == "1007")
        }
    }

    @Test(.timeLimit(.minutes(1))) func throttledIsNotAppliedWithRetryAfter() async throws {
        try await SimulatorFixture.with { fixture in
            fixture.simulator.setFaults(
                Self.faults {
                    $0.throttle = 1.0; $0.retryAfterSeconds = 3
                }, for: "vcc")
            let vcc = try Self.adapter(fixture)
            guard case .throttled(let code, _, let retryAfter) = await vcc.recharge(fixture.request(.vcc, amount: "10")) else {
                Issue.record("not throttled"); return
            }
            #expect(code == "http:429")
            #expect(retryAfter == .seconds(3))
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(1))) func connectionRefusedIsNotApplied() async throws {
        try await SimulatorFixture.with { fixture in
            var account = fixture.account(.vcc, timeoutMilliseconds: 1_000)
            account.baseURL = "http://127.0.0.1:1/vcc/api"
            let vcc = try VCCClient(account: account, credentials: SimulatorFixture.credentials(.vcc), client: fixture.client)
            let outcome = await vcc.recharge(fixture.request(.vcc, amount: "10"))
            guard case .notApplied(let code, _, _) = outcome else {
                Issue.record("not notApplied: \(outcome)"); return
            }
            #expect(code == "transport:not-sent")
            // Neither the operation query nor the card query can answer.
            guard case .cannotTell = await vcc.status(fixture.request(.vcc, amount: "10"), evidence: nil) else {
                Issue.record("status"); return
            }
        }
    }

    @Test(.timeLimit(.minutes(1))) func errorAfterApplyIsInDoubtThenApplied() async throws {
        try await SimulatorFixture.with { fixture in
            let vcc = try Self.adapter(fixture)
            let request = fixture.request(.vcc, amount: "7.50")
            let evidence = await vcc.evidenceBeforeRecharge(request)
            #expect(evidence != nil)
            fixture.simulator.setFaults(Self.faults { $0.errorAfterApply = 1.0 }, for: "vcc")
            guard case .inDoubt(let code, _) = await vcc.recharge(request) else { Issue.record("not inDoubt"); return }
            #expect(code == "http:503")
            fixture.simulator.setFaults(SimulatorConfiguration.Faults(), for: "vcc")
            #expect(
                await vcc.status(request, evidence: evidence)
                    == .applied(ProviderReceipt(providerReference: fixture.ledger.first?.providerReference)))
            #expect(fixture.ledger.count == 1)
        }
    }

    /// Applied, then the connection closed without an answer: in doubt, and the status finds it.
    @Test(.timeLimit(.minutes(1))) func dropAfterApplyIsInDoubtThenApplied() async throws {
        try await SimulatorFixture.with { fixture in
            let vcc = try Self.adapter(fixture)
            let request = fixture.request(.vcc, amount: "6.66")
            let evidence = await vcc.evidenceBeforeRecharge(request)
            fixture.simulator.setFaults(Self.faults { $0.dropAfterApply = 1.0 }, for: "vcc")
            let outcome = await vcc.recharge(request)
            guard case .inDoubt(let code, _) = outcome else {
                Issue.record("not inDoubt: \(outcome)")
                return
            }
            #expect(code == "transport:failed")
            fixture.simulator.setFaults(SimulatorConfiguration.Faults(), for: "vcc")
            let status = await vcc.status(request, evidence: evidence)
            #expect(status == .applied(ProviderReceipt(providerReference: fixture.ledger.first?.providerReference)))
            #expect(fixture.ledger.count == 1)
        }
    }

    @Test(.timeLimit(.minutes(1))) func failBeforeApplyIsInDoubtThenNotApplied() async throws {
        try await SimulatorFixture.with { fixture in
            let vcc = try Self.adapter(fixture)
            let request = fixture.request(.vcc, amount: "7.50")
            fixture.simulator.setFaults(Self.faults { $0.failBeforeApply = 1.0 }, for: "vcc")
            guard case .inDoubt = await vcc.recharge(request) else { Issue.record("not inDoubt"); return }
            fixture.simulator.setFaults(SimulatorConfiguration.Faults(), for: "vcc")
            #expect(await vcc.status(request, evidence: nil) == .notApplied)
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(1))) func slowAfterApplyTimesOutInDoubtThenApplied() async throws {
        try await SimulatorFixture.with { fixture in
            let vcc = try Self.adapter(fixture, timeoutMilliseconds: 1_000)
            let request = fixture.request(.vcc, amount: "3")
            fixture.simulator.setFaults(
                Self.faults {
                    $0.slowAfterApply = 1.0; $0.slowMilliseconds = 2_500
                }, for: "vcc")
            guard case .inDoubt(let code, _) = await vcc.recharge(request) else { Issue.record("not inDoubt"); return }
            #expect(code == "transport:failed")
            fixture.simulator.setFaults(SimulatorConfiguration.Faults(), for: "vcc")
            // The client gave up before the answer; the simulator applies the top-up in its own time.
            await fixture.simulator.ledgerReaches(1)
            // The query gets a generous time-out: on a loaded machine 1 s can pass before the answer is read.
            let patient = try Self.adapter(fixture, timeoutMilliseconds: 10_000)
            #expect(
                await patient.status(request, evidence: nil)
                    == .applied(ProviderReceipt(providerReference: fixture.ledger.first?.providerReference)))
        }
    }

    /// VCC does not deduplicate: the same request_id sent twice applies twice; the status is still applied.
    @Test(.timeLimit(.minutes(1))) func duplicateIsStillApplied() async throws {
        try await SimulatorFixture.with { fixture in
            let vcc = try Self.adapter(fixture)
            let request = fixture.request(.vcc, amount: "1")
            _ = await vcc.recharge(request)
            _ = await vcc.recharge(request)
            #expect(fixture.ledger.count == 2)
            #expect(
                await vcc.status(request, evidence: nil)
                    == .applied(ProviderReceipt(providerReference: fixture.ledger.first?.providerReference)))
        }
    }

    /// When the operation query cannot answer, the balance snapshot decides (driven directly: the simulator
    /// cannot fail the operation query without failing the card query too).
    @Test(.timeLimit(.minutes(1))) func balanceFallback() async throws {
        try await SimulatorFixture.with { fixture in
            let vcc = try Self.adapter(fixture)
            let request = fixture.request(.vcc, amount: "4.25")
            let evidence = try #require(await vcc.evidenceBeforeRecharge(request))
            #expect(VCCWire.snapshot(evidence)?.balance == "0.00")
            #expect(await vcc.reads.balanceFallback(request, evidence: evidence, because: "test") == .notApplied)
            #expect(await vcc.recharge(request) != .notApplied(code: "", message: "", retryAfter: nil))
            #expect(
                await vcc.reads.balanceFallback(request, evidence: evidence, because: "test")
                    == .applied(ProviderReceipt(providerReference: nil))
            )
            _ = await vcc.recharge(request)
            guard case .cannotTell = await vcc.reads.balanceFallback(request, evidence: evidence, because: "test") else {
                Issue.record("two charges"); return
            }
            guard case .cannotTell = await vcc.reads.balanceFallback(request, evidence: nil, because: "test") else {
                Issue.record("no evidence"); return
            }
        }
    }
}
