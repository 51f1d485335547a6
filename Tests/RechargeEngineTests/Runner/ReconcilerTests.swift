import Foundation
import Logging
import RechargeCore
import RechargeStore
import Testing

@testable import RechargeEngine

/// Verification of settled lines against the provider's word.
@Suite struct ReconcilerTests {
    @Test func theProvidersContradictionsAreRecordedOnce() async throws {
        let fixture = try RunnerFixture(cards: ["kept", "reversed", "forgotten", "refused", "applied-anyway", "silent"])
        defer { fixture.remove() }
        let provider = ScriptedProvider(database: fixture.database)
        provider.script("refused", recharges: [.rejected])
        provider.script("applied-anyway", recharges: [.rejected])
        _ = try await fixture.runner(provider).run(batchID: 1)

        provider.script("kept", statuses: [.applied(ProviderReceipt(providerReference: "R"))])
        provider.script("reversed", statuses: [.rejected(code: "status:4", message: "refunded")])
        provider.script("forgotten", statuses: [.notApplied])
        provider.script("refused", statuses: [.rejected(code: "card_frozen", message: "frozen")])
        provider.script("applied-anyway", statuses: [.applied(ProviderReceipt(providerReference: "R2"))])
        provider.script("silent", statuses: [.cannotTell(reason: "query failed")])
        let sendsBefore = provider.calls.filter { $0.kind == "recharge" }.count
        let lane = LookupLane(account: RunnerFixture.account, lookup: provider.lookup, clock: ContinuousClock())
        let reconciler = Reconciler(
            store: SQLiteEngineStore(fixture.database), lanes: [lane], clock: ContinuousClock(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let result = try await reconciler.verify(batchID: 1)
        // Verification only looks: not one send.
        #expect(provider.calls.filter { $0.kind == "recharge" }.count == sendsBefore)

        #expect(result.checked == 6)
        #expect(result.agreed == 2)
        #expect(result.unverifiable == 1)
        #expect(result.mismatched.map(\.kind).sorted() == ["failed-but-applied", "success-reversed", "success-unknown"])

        // A second verification finds the same and records nothing new.
        provider.script("reversed", statuses: [.rejected(code: "status:4", message: "refunded")])
        provider.script("forgotten", statuses: [.notApplied])
        provider.script("applied-anyway", statuses: [.applied(ProviderReceipt(providerReference: "R2"))])
        _ = try await reconciler.verify(batchID: 1)
        #expect(try fixture.database.recordedMismatches(batchID: 1).count == 3)
    }

    /// A 429 on a reconcile query is waited out (its Retry-After), then asked again: the line is verified, not
    /// written off as unverifiable, and never replayed.
    @Test func aThrottledQueryIsAskedAgainAfterRetryAfter() async throws {
        let fixture = try RunnerFixture(cards: ["slow"])
        defer { fixture.remove() }
        let provider = ScriptedProvider(database: fixture.database)
        _ = try await fixture.runner(provider).run(batchID: 1)
        provider.script(
            "slow", statuses: [.throttled(retryAfter: .milliseconds(20)), .applied(ProviderReceipt(providerReference: "R"))])
        let lane = LookupLane(account: RunnerFixture.account, lookup: provider.lookup, clock: ContinuousClock())
        let result = try await Reconciler(
            store: SQLiteEngineStore(fixture.database), lanes: [lane], clock: ContinuousClock(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        ).verify(batchID: 1)
        #expect(result.agreed == 1)
        #expect(provider.calls.map(\.kind) == ["recharge", "status", "status"])
    }

    @Test(arguments: [
        (LineState.success, StatusOutcome.applied(ProviderReceipt(providerReference: nil)), "agrees"),
        (.failed, .notApplied, "agrees"), (.failed, .rejected(code: "x", message: "y"), "agrees"),
        (.success, .pending(reference: nil), "unverifiable"), (.failed, .cannotTell(reason: "z"), "unverifiable"),
        (.failed, .applied(ProviderReceipt(providerReference: "R")), "failed-but-applied"),
        (.cancelled, .notApplied, "agrees"), (.cancelled, .applied(ProviderReceipt(providerReference: "R")), "cancelled-but-applied"),
        (.success, .throttled(retryAfter: nil), "unverifiable"),
    ])
    func aSettledLineAgainstTheProvidersWord(state: LineState, status: StatusOutcome, expected: String) {
        let finding = Reconciler<ContinuousClock>.compare(state, with: status)
        switch finding {
        case .agrees: #expect(expected == "agrees")
        case .unverifiable: #expect(expected == "unverifiable")
        case .contradicts(let kind, _): #expect(kind == expected)
        }
    }
}
