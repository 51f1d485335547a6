import Foundation
import RechargeCore
import RechargeStore
import Synchronization
import Testing

@testable import RechargeEngine

/// In-flight resolution never moves money by looking: a same-key replay only inside the provider's dedupe window
/// from the first send, every "not before" rule timed from the moment the request left, and 429s waited out.
@Suite struct ResolutionSafetyTests {
    /// UQPay's rules: no reference-free read, a 24 h replay window [DOC integration FAQ].
    static let uqpayRules = ExecutionRules(replayWindow: .seconds(24 * 3600))
    static let sentAt = Date(timeIntervalSince1970: 1_800_000_000)

    /// A line of `fixture` left in flight by an earlier run: claimed and sent at ``sentAt``, its answer in doubt,
    /// with `reference` recorded if an answer carried one.
    static func leaveInFlight(_ fixture: RunnerFixture, card: String, reference: String? = nil) throws {
        let line = try #require(try fixture.line(card))
        let claimed = try #require(try fixture.database.claim([(line.id, nil)], now: Self.sentAt).first)
        try fixture.database.recordOutcome(
            lineID: line.id, attemptNumber: claimed.attemptNumber, event: .inDoubt, outcome: "in-doubt", errorCode: "transport:failed",
            errorMessage: "reset", providerReference: reference, sentAt: Self.sentAt, now: Self.sentAt.addingTimeInterval(1))
    }

    @Test func recoveryPastTheReplayWindowNeverReplays() async throws {
        let fixture = try RunnerFixture(cards: ["lost"])
        defer { fixture.remove() }
        try Self.leaveInFlight(fixture, card: "lost")
        let provider = ScriptedProvider(rules: Self.uqpayRules, database: fixture.database)
        let later = Self.sentAt.addingTimeInterval(25 * 3600)
        _ = try await fixture.runner(provider, now: { later }).run(batchID: 1)

        #expect(provider.calls.filter { $0.kind == "recharge" }.isEmpty, "a replay 25 h after the send would be a new top-up")
        #expect(provider.applied.isEmpty)
        let line = try #require(try fixture.line("lost"))
        #expect(line.state == .unknown)
        #expect(line.lastErrorCode == "replay-window-closed")
        #expect(line.lastErrorMessage?.contains("replay window") == true)
    }

    @Test func recoveryInsideTheWindowReplaysOnceUnderTheSameKey() async throws {
        let fixture = try RunnerFixture(cards: ["lost"])
        defer { fixture.remove() }
        try Self.leaveInFlight(fixture, card: "lost")
        let provider = ScriptedProvider(rules: Self.uqpayRules, database: fixture.database)
        let soon = Self.sentAt.addingTimeInterval(3600)
        _ = try await fixture.runner(provider, now: { soon }).run(batchID: 1)

        let sends = provider.calls.filter { $0.kind == "recharge" }
        #expect(sends.count == 1)
        #expect(sends.first?.key == (try fixture.line("lost"))?.idempotencyKey)
        #expect(try fixture.line("lost")?.state == .success)
    }

    /// Once any answer carried the provider's reference, only the read-only lookup is used, however late.
    @Test func aRecordedReferenceIsLookedUpNotReplayed() async throws {
        let fixture = try RunnerFixture(cards: ["pending"])
        defer { fixture.remove() }
        try Self.leaveInFlight(fixture, card: "pending", reference: "order-77")
        let provider = ScriptedProvider(rules: Self.uqpayRules, database: fixture.database)
        provider.script("pending", statuses: [.applied(ProviderReceipt(providerReference: "order-77"))])
        let later = Self.sentAt.addingTimeInterval(25 * 3600)
        _ = try await fixture.runner(provider, now: { later }).run(batchID: 1)

        #expect(provider.calls.map(\.kind) == ["status"])
        #expect(provider.state.withLock { $0.statusReferences } == ["order-77"])
        #expect(try fixture.line("pending")?.state == .success)
    }

    /// An answer that names the order (UQPay PENDING) is recorded at once and followed by the lookup.
    @Test func anAcceptedAnswerIsFollowedByItsReference() async throws {
        let fixture = try RunnerFixture(cards: ["slow"])
        defer { fixture.remove() }
        let provider = ScriptedProvider(rules: Self.uqpayRules, database: fixture.database)
        provider.script(
            "slow", recharges: [.accepted],
            statuses: [.pending(reference: "order-slow"), .applied(ProviderReceipt(providerReference: "order-slow"))])
        _ = try await fixture.runner(provider).run(batchID: 1)

        #expect(provider.calls.map(\.kind) == ["recharge", "status", "status"])
        #expect(provider.state.withLock { $0.statusReferences } == ["order-slow", "order-slow"])
        let line = try #require(try fixture.line("slow"))
        #expect(line.state == .success)
        #expect(line.providerReference == "order-slow")
    }

    /// The rate limiter (1 request/s) makes the send wait after its claim; the status query still comes no sooner
    /// than the account's time-out after the request actually left.
    @Test(.timeLimit(.minutes(1))) func noStatusQueryBeforeTheTimeOutAfterTheActualSend() async throws {
        let fixture = try RunnerFixture(cards: ["card"])
        defer { fixture.remove() }
        var account = RunnerFixture.account
        account.requestsPerSecond = 1
        account.burst = 1
        let delay = Duration.milliseconds(1_500)
        // A card read before the claim takes the limiter's slot, so the send waits about a second after its claim.
        let rules = ExecutionRules(onePerCard: true, requiresEvidence: true, statusDelayAfterSend: delay)
        let provider = ScriptedProvider(rules: rules, database: fixture.database)
        provider.script("card", recharges: [.inDoubt], statuses: [.applied(ProviderReceipt(providerReference: "R"))])
        _ = try await fixture.runner(provider, account: account).run(batchID: 1)

        let calls = provider.calls
        #expect(calls.map(\.kind) == ["evidence", "recharge", "status"])
        let send = try #require(calls.first { $0.kind == "recharge" }).at
        let status = try #require(calls.first { $0.kind == "status" }).at
        // Timed from the claim, the query would come about 1 s after the send.
        #expect(status - send >= .milliseconds(1_400), "status query \(status - send) after the send")
        #expect(try fixture.line("card")?.state == .success)
        // The attempt records both moments: the claim, and the send about a second later.
        let line = try #require(try fixture.line("card"))
        let attempt = try #require(try fixture.database.attemptTimes(lineID: line.id).last)
        let claimed = try #require(attempt.claimedAt)
        let sent = try #require(attempt.sentAt)
        #expect(sent.timeIntervalSince(claimed) >= 0.5)
    }

    /// A 429 on a status query is waited out for its Retry-After, not the policy's millisecond backoff.
    @Test(.timeLimit(.minutes(1))) func retryAfterIsHonouredWhileSettling() async throws {
        let fixture = try RunnerFixture(cards: ["card"])
        defer { fixture.remove() }
        let provider = ScriptedProvider(database: fixture.database)
        provider.script(
            "card", recharges: [.inDoubt],
            statuses: [.throttled(retryAfter: .seconds(1)), .applied(ProviderReceipt(providerReference: "R"))])
        _ = try await fixture.runner(provider).run(batchID: 1)

        let statuses = provider.calls.filter { $0.kind == "status" }.map(\.at)
        #expect(statuses.count == 2)
        #expect(statuses[1] - statuses[0] >= .milliseconds(900))
        #expect(try fixture.line("card")?.state == .success)
    }
}
