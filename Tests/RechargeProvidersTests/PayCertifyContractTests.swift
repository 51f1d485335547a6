import AsyncHTTPClient
import Foundation
import RechargeCore
import RechargeSimulator
import Testing

@testable import RechargeProviders

/// The PayCertify adapter against the in-process simulator, one test per outcome class.
@Suite struct PayCertifyContractTests {
    static func adapter(
        _ fixture: SimulatorFixture, timeoutMilliseconds: Int = 5_000,
        credentials: [String: Secret] = SimulatorFixture.credentials(.paycertify)
    ) throws -> PayCertifyClient {
        try PayCertifyClient(
            account: fixture.account(.paycertify, timeoutMilliseconds: timeoutMilliseconds), credentials: credentials,
            client: fixture.client)
    }

    static func faults(_ configure: (inout SimulatorConfiguration.Faults) -> Void) -> SimulatorConfiguration.Faults {
        var faults = SimulatorConfiguration.Faults()
        configure(&faults)
        return faults
    }

    @Test(.timeLimit(.minutes(1))) func applied() async throws {
        try await SimulatorFixture.with { fixture in
            let paycertify = try Self.adapter(fixture)
            let request = fixture.request(.paycertify, amount: "100.02")
            let evidence = try #require(await paycertify.evidenceBeforeRecharge(request))
            #expect(!evidence.text.contains("card_number") && !evidence.text.contains("4111"))
            let outcome = await paycertify.recharge(request)
            let ledger = fixture.ledger
            #expect(ledger.count == 1)
            #expect(ledger.first?.amount == "100.02")
            #expect(ledger.first?.cardID == request.cardID)
            #expect(outcome == .applied(ProviderReceipt(providerReference: ledger.first?.providerReference)))
            #expect(!"\(outcome)".contains("4111"))
            // The comparison with the snapshot agrees, naming the same action.
            #expect(
                await paycertify.status(request, evidence: evidence)
                    == .applied(ProviderReceipt(providerReference: ledger.first?.providerReference)))
        }
    }

    @Test(.timeLimit(.minutes(1))) func unknownCardIsRejected() async throws {
        try await SimulatorFixture.with { fixture in
            var request = fixture.request(.paycertify, amount: "5")
            request.cardID = "00000000-0000-4000-8000-000000000000"
            let outcome = await (try Self.adapter(fixture)).recharge(request)
            #expect(outcome == .rejected(code: "http:404", message: "base: Virtual card not found"))
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(1))) func insufficientMerchantBalanceIsRejected() async throws {
        try await SimulatorFixture.with({ $0.merchantBalances = ["paycertify": ["USD": "5.00"]] }) { fixture in
            let outcome = await (try Self.adapter(fixture)).recharge(fixture.request(.paycertify, amount: "10"))
            #expect(outcome == .rejected(code: "http:402", message: "base: Insufficient funds"))
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(1))) func wrongTokenIsRejected() async throws {
        try await SimulatorFixture.with { fixture in
            let paycertify = try Self.adapter(fixture, credentials: ["token": Secret("not-the-token")])
            let outcome = await paycertify.recharge(fixture.request(.paycertify, amount: "10"))
            #expect(outcome == .rejected(code: "http:401", message: "base: Not authenticated"))
            #expect(PayCertifyClient.classification.rule(for: "http:401").reason.contains("configuration"))
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(1))) func throttledIsNotAppliedWithRetryAfter() async throws {
        try await SimulatorFixture.with { fixture in
            fixture.simulator.setFaults(
                Self.faults {
                    $0.throttle = 1.0; $0.retryAfterSeconds = 4
                }, for: "paycertify")
            guard
                case .throttled(let code, _, let retryAfter) = await (try Self.adapter(fixture)).recharge(
                    fixture.request(.paycertify, amount: "10"))
            else {
                Issue.record("not throttled"); return
            }
            #expect(code == "http:429")
            #expect(retryAfter == .seconds(4))
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(1))) func connectionRefusedIsNotApplied() async throws {
        try await SimulatorFixture.with { fixture in
            var account = fixture.account(.paycertify, timeoutMilliseconds: 1_000)
            account.baseURL = "http://127.0.0.1:1/paycertify/api"
            let paycertify = try PayCertifyClient(
                account: account, credentials: SimulatorFixture.credentials(.paycertify), client: fixture.client)
            let request = fixture.request(.paycertify, amount: "10")
            #expect(await paycertify.evidenceBeforeRecharge(request) == nil)
            guard case .notApplied(let code, _, _) = await paycertify.recharge(request) else { Issue.record("not throttled"); return }
            #expect(code == "transport:not-sent")
        }
    }

    @Test(.timeLimit(.minutes(1))) func errorAfterApplyIsInDoubtThenApplied() async throws {
        try await SimulatorFixture.with { fixture in
            let paycertify = try Self.adapter(fixture)
            let request = fixture.request(.paycertify, amount: "0.29")
            let evidence = await paycertify.evidenceBeforeRecharge(request)
            fixture.simulator.setFaults(Self.faults { $0.errorAfterApply = 1.0 }, for: "paycertify")
            #expect(await paycertify.recharge(request) == .inDoubt(code: "http:500", message: "HTTP 500: fatal: Internal server error"))
            fixture.simulator.setFaults(SimulatorConfiguration.Faults(), for: "paycertify")
            #expect(
                await paycertify.status(request, evidence: evidence)
                    == .applied(ProviderReceipt(providerReference: fixture.ledger.first?.providerReference)))
            #expect(fixture.ledger.count == 1)
        }
    }

    /// Applied, then the connection closed without an answer: in doubt, and the status finds it.
    @Test(.timeLimit(.minutes(1))) func dropAfterApplyIsInDoubtThenApplied() async throws {
        try await SimulatorFixture.with { fixture in
            let paycertify = try Self.adapter(fixture)
            let request = fixture.request(.paycertify, amount: "6.66")
            let evidence = await paycertify.evidenceBeforeRecharge(request)
            fixture.simulator.setFaults(Self.faults { $0.dropAfterApply = 1.0 }, for: "paycertify")
            let outcome = await paycertify.recharge(request)
            guard case .inDoubt(let code, _) = outcome else {
                Issue.record("not inDoubt: \(outcome)")
                return
            }
            #expect(code == "transport:failed")
            fixture.simulator.setFaults(SimulatorConfiguration.Faults(), for: "paycertify")
            let status = await paycertify.status(request, evidence: evidence)
            #expect(status == .applied(ProviderReceipt(providerReference: fixture.ledger.first?.providerReference)))
            #expect(fixture.ledger.count == 1)
        }
    }

    @Test(.timeLimit(.minutes(1))) func failBeforeApplyIsInDoubtThenNotApplied() async throws {
        try await SimulatorFixture.with { fixture in
            let paycertify = try Self.adapter(fixture)
            let request = fixture.request(.paycertify, amount: "1.10")
            let evidence = await paycertify.evidenceBeforeRecharge(request)
            fixture.simulator.setFaults(Self.faults { $0.failBeforeApply = 1.0 }, for: "paycertify")
            guard case .inDoubt = await paycertify.recharge(request) else { Issue.record("not inDoubt"); return }
            fixture.simulator.setFaults(SimulatorConfiguration.Faults(), for: "paycertify")
            #expect(await paycertify.status(request, evidence: evidence) == .notApplied)
            #expect(fixture.ledger.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(1))) func slowAfterApplyTimesOutInDoubtThenApplied() async throws {
        try await SimulatorFixture.with { fixture in
            let paycertify = try Self.adapter(fixture, timeoutMilliseconds: 1_000)
            // Reads get a generous time-out: on a loaded machine 1 s can pass before an answer is read.
            let patient = try Self.adapter(fixture, timeoutMilliseconds: 10_000)
            let request = fixture.request(.paycertify, amount: "3")
            let evidence = try #require(await patient.evidenceBeforeRecharge(request))
            fixture.simulator.setFaults(
                Self.faults {
                    $0.slowAfterApply = 1.0; $0.slowMilliseconds = 2_500
                }, for: "paycertify")
            guard case .inDoubt(let code, _) = await paycertify.recharge(request) else { Issue.record("not inDoubt"); return }
            #expect(code == "transport:failed")
            fixture.simulator.setFaults(SimulatorConfiguration.Faults(), for: "paycertify")
            // The client gave up before the answer; the simulator applies the top-up in its own time.
            await fixture.simulator.ledgerReaches(1)
            #expect(
                await patient.status(request, evidence: evidence)
                    == .applied(ProviderReceipt(providerReference: fixture.ledger.first?.providerReference)))
        }
    }

    /// Two reloads between the snapshot and the comparison: the comparison refuses to guess.
    @Test(.timeLimit(.minutes(1))) func concurrentReloadIsAmbiguous() async throws {
        try await SimulatorFixture.with { fixture in
            let paycertify = try Self.adapter(fixture)
            let request = fixture.request(.paycertify, amount: "2")
            let evidence = await paycertify.evidenceBeforeRecharge(request)
            _ = await paycertify.recharge(request)
            _ = await paycertify.recharge(fixture.request(.paycertify, amount: "2", line: 2))
            guard case .cannotTell = await paycertify.status(request, evidence: evidence) else { Issue.record("not cannotTell"); return }
            guard case .cannotTell = await paycertify.status(request, evidence: nil) else { Issue.record("no evidence"); return }
        }
    }
}
