import AsyncHTTPClient
import Foundation
import RechargeCore
import Testing

@testable import RechargeProviders

/// Every adapter against every broken answer: a top-up whose answer cannot be read is in doubt (resolved by a
/// status query), never a success without the provider's evidence and never a refusal; a status query that
/// cannot be read cannot tell. Nothing hangs past the account's time-out and nothing crashes.
@Suite(.serialized) struct HostileProviderTests {
    static let kinds: [ProviderKind] = [.vcc, .hypercard, .pagsmile, .uqpay, .paycertify]

    /// HyperCard documents `{"code":"00000","data":{}}` twice: as the success of a top-up of a card in pre-apply
    /// state (its amount becomes the initial deposit), and, from a status query, as "no such order" (providers.md).
    static func documentedSuccess(_ kind: ProviderKind, _ answer: HostileAnswer) -> Bool {
        kind == .hypercard && answer == .successWithoutReference
    }

    @Test(.timeLimit(.minutes(1)), arguments: HostileAnswer.allCases)
    func aBrokenAnswerIsNeverASuccess(_ answer: HostileAnswer) async throws {
        try await HostileServer.with(answer) { port in
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            for kind in Self.kinds {
                var account = ProviderAccount(name: kind.rawValue, kind: kind, baseURL: "http://127.0.0.1:\(port)/\(kind.rawValue)")
                account.timeoutMilliseconds = 700
                account.defaultPayCoin = kind == .hypercard ? "usdt" : nil
                let adapter = try ProviderClients.make(account: account, credentials: SimulatorFixture.credentials(kind), client: client)
                let card = SimulatorFixture.cards[kind]!
                let request = RechargeRequest(
                    account: account, cardID: card.id, amount: Money(minorUnits: 1_000, currency: Currency(code: card.currency)!),
                    reference: "REF-1", payCoin: kind == .hypercard ? "usdt" : nil, payAccountNumber: kind == .pagsmile ? "PA-1" : nil,
                    key: IdempotencyKey(batchUID: "hostile", lineNumber: 1, generation: 0))

                let started = ContinuousClock.now
                let outcome = await adapter.recharge(request)
                // Generous on purpose (the time-out is 0.7 s): this catches a request that hangs, not a busy machine.
                #expect(ContinuousClock.now - started < .seconds(30), "\(kind): \(answer) held the request past its time-out")
                switch outcome {
                case .inDoubt: break
                case .applied where Self.documentedSuccess(kind, answer): break
                default: Issue.record("\(kind) took \(answer) for \(outcome); it must be in doubt")
                }

                let status = await adapter.status(request, evidence: nil)
                switch status {
                case .cannotTell, .pending: break
                case .notApplied where Self.documentedSuccess(kind, answer): break
                default: Issue.record("\(kind) status query took \(answer) for \(status); it must not tell")
                }
            }
            try await client.shutdown()
        }
    }
}
