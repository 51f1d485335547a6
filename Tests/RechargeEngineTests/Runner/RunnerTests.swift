import Foundation
import RechargeCore
import RechargeStore
import Synchronization
import Testing

@testable import RechargeEngine

/// The runner against a scripted provider: what is sent, under which key, after what was recorded, and where
/// each line ends.
@Suite struct RunnerTests {
    @Test func everyLineIsSentOnceAfterItsClaimIsDurable() async throws {
        let fixture = try RunnerFixture(cards: (1...40).map { "card-\($0)" })
        defer { fixture.remove() }
        let provider = ScriptedProvider(database: fixture.database)
        let result = try await fixture.runner(provider).run(batchID: nil)

        #expect(result.ending == .completed)
        #expect(try fixture.states().values.allSatisfy { $0 == .success })
        #expect(provider.calls.filter { $0.kind == "recharge" }.count == 40)
        let recorded = provider.state.withLock { $0.recordedAtSend }
        // When each request left, its line was already PROCESSING under the key it was sent with.
        #expect(recorded.allSatisfy { $0.state == "PROCESSING" && $0.key != nil })
        let keys = provider.calls.map(\.key)
        #expect(Set(keys).count == 40)
        #expect(result.progress.accounts.first?.succeeded == 40)
    }

    @Test func aRefusalFailsTheLineWithTheProvidersCode() async throws {
        let fixture = try RunnerFixture(cards: ["frozen", "fine"])
        defer { fixture.remove() }
        let provider = ScriptedProvider(database: fixture.database)
        provider.script("frozen", recharges: [.rejected])
        _ = try await fixture.runner(provider).run(batchID: 1)

        let frozen = try #require(try fixture.line("frozen"))
        #expect(frozen.state == .failed)
        #expect(frozen.lastErrorCode == "card_frozen")
        #expect(try fixture.line("fine")?.state == .success)
    }

    @Test func aRetryableFailureIsSentAgainUnderTheSameKey() async throws {
        let fixture = try RunnerFixture(cards: ["flaky"])
        defer { fixture.remove() }
        let provider = ScriptedProvider(database: fixture.database)
        provider.script("flaky", recharges: [.notApplied, .throttled, .applied])
        _ = try await fixture.runner(provider).run(batchID: 1)

        let sends = provider.calls.filter { $0.kind == "recharge" }
        #expect(sends.count == 3)
        #expect(Set(sends.map(\.key)).count == 1, "a retry of a request that provably did not apply keeps its key")
        let line = try #require(try fixture.line("flaky"))
        #expect(line.state == .success)
        #expect(line.attempts == 3)
    }

    @Test func attemptsAreBoundedAndNothingAppliedEndsFailed() async throws {
        let fixture = try RunnerFixture(cards: ["down"])
        defer { fixture.remove() }
        let provider = ScriptedProvider(database: fixture.database)
        provider.script("down", recharges: Array(repeating: .notApplied, count: 10))
        _ = try await fixture.runner(provider).run(batchID: 1)

        #expect(provider.calls.filter { $0.kind == "recharge" }.count == RunnerFixture.fastPolicy.retry.maximumAttempts)
        let line = try #require(try fixture.line("down"))
        #expect(line.state == .failed)
        #expect(line.lastErrorMessage?.contains("not applied after 4 attempts") == true)
    }

    @Test func anInDoubtSendIsResolvedByStatusAndNeverSentAgain() async throws {
        let fixture = try RunnerFixture(cards: ["lost-answer"])
        defer { fixture.remove() }
        let provider = ScriptedProvider(database: fixture.database)
        provider.script(
            "lost-answer", recharges: [.inDoubt],
            statuses: [.cannotTell(reason: "query timed out"), .applied(ProviderReceipt(providerReference: "R-1"))])
        _ = try await fixture.runner(provider).run(batchID: 1)

        #expect(provider.calls.map(\.kind) == ["recharge", "status", "status"])
        #expect(provider.applied == ["lost-answer"])
        let line = try #require(try fixture.line("lost-answer"))
        #expect(line.state == .success)
        #expect(line.providerReference == "R-1")
    }

    @Test func aSendTheProviderNeverRecordedIsSentAgainUnderItsKey() async throws {
        let fixture = try RunnerFixture(cards: ["not-there"])
        defer { fixture.remove() }
        let provider = ScriptedProvider(database: fixture.database)
        provider.script("not-there", recharges: [.inDoubt, .applied], statuses: [.notApplied])
        _ = try await fixture.runner(provider).run(batchID: 1)

        #expect(provider.calls.map(\.kind) == ["recharge", "status", "recharge"])
        #expect(Set(provider.calls.map(\.key)).count == 1)
        #expect(try fixture.line("not-there")?.state == .success)
    }

    @Test func aLineNoStatusQueryCanAccountForEndsUnknownWithTheReason() async throws {
        let fixture = try RunnerFixture(cards: ["mystery"])
        defer { fixture.remove() }
        let provider = ScriptedProvider(database: fixture.database)
        provider.script("mystery", recharges: [.inDoubt], statuses: Array(repeating: .cannotTell(reason: "card query failed"), count: 5))
        _ = try await fixture.runner(provider).run(batchID: 1)

        #expect(provider.calls.filter { $0.kind == "status" }.count == RunnerFixture.fastPolicy.statusQueries.maximumAttempts)
        #expect(provider.calls.filter { $0.kind == "recharge" }.count == 1)
        let line = try #require(try fixture.line("mystery"))
        #expect(line.state == .unknown)
        #expect(line.lastErrorMessage?.contains("card query failed") == true)
    }

    @Test func recoveryResolvesLinesLeftInFlightBeforeSendingAnything() async throws {
        let fixture = try RunnerFixture(cards: ["crashed", "next"])
        defer { fixture.remove() }
        // A previous runner claimed the first line and died without an answer.
        let due = try fixture.database.dueLines(account: "acme", limit: 1, onePerCard: false, now: Date())
        let claimed = try fixture.database.claim(due.map { ($0.id, nil) }, now: Date())
        let provider = ScriptedProvider(database: fixture.database)
        provider.script("crashed", statuses: [.applied(ProviderReceipt(providerReference: "R-9"))])
        _ = try await fixture.runner(provider).run(batchID: 1)

        #expect(provider.calls.first == .init(kind: "status", cardID: "crashed", key: claimed[0].key.hex))
        #expect(provider.calls.filter { $0.cardID == "crashed" && $0.kind == "recharge" }.isEmpty)
        #expect(try fixture.states() == ["crashed": .success, "next": .success])
    }

    @Test func onePerCardProvidersNeverHaveTwoTopUpsOfACardInFlight() async throws {
        let cards = (0..<30).map { "card-\($0 % 3)" }
        let fixture = try RunnerFixture(cards: cards)
        defer { fixture.remove() }
        let provider = ScriptedProvider(
            rules: ExecutionRules(onePerCard: true, requiresEvidence: true), database: fixture.database, latency: .milliseconds(2))
        _ = try await fixture.runner(provider).run(batchID: 1)

        #expect(provider.state.withLock { $0.mostInFlightPerCard } == 1)
        #expect(provider.calls.filter { $0.kind == "evidence" }.count == 30, "each top-up is preceded by its snapshot")
        #expect(try fixture.database.lines(batchID: 1).allSatisfy { $0.state == .success })
    }

    /// The adapter is prepared (UQPay logs in) once per account and run, before the account's first request.
    @Test func theAdapterIsPreparedOnceBeforeTheFirstRequest() async throws {
        let fixture = try RunnerFixture(cards: (0..<20).map { "card-\($0)" })
        defer { fixture.remove() }
        let provider = ScriptedProvider(database: fixture.database)
        _ = try await fixture.runner(provider).run(batchID: 1)

        #expect(provider.state.withLock { $0.prepared } == 1)
        #expect(provider.state.withLock { $0.sentBeforePrepared } == false)
        #expect(provider.calls.count == 20)
    }

    /// A card read answered 429 is the provider asking to wait: the line waits, and a 429 does not count toward sending
    /// without a snapshot until as many in a row as a send may take (`retry.maximumAttempts`), so a lost answer can still
    /// be resolved by comparing the card with it. With or without `Retry-After`.
    @Test func throttledCardReadsDoNotCostTheLineItsSnapshot() async throws {
        let fixture = try RunnerFixture(cards: ["busy"])
        defer { fixture.remove() }
        let provider = Self.cardReader(fixture)
        let policy = Self.cardReadPolicy
        // The most 429s in a row that still never send without a snapshot.
        let most = policy.retry.maximumAttempts + policy.evidenceAttempts - 2
        let throttled = (0..<most).map { EvidenceRead.throttled(retryAfter: $0 % 2 == 0 ? .milliseconds(2) : nil) }
        provider.scriptCardReads("busy", throttled)
        provider.script("busy", recharges: [.inDoubt], statuses: [.applied(ProviderReceipt(providerReference: "R-1"))])
        _ = try await fixture.runner(provider, policy: policy).run(batchID: 1)

        #expect(provider.calls.map(\.kind) == Array(repeating: "evidence", count: most + 1) + ["recharge", "status"])
        #expect(provider.state.withLock { $0.statusEvidence } == [ResolutionEvidence(text: "{\"card\":\"busy\"}")])
        #expect(try fixture.line("busy")?.state == .success)
    }

    /// A provider that answers every card read with 429 cannot hold a line back for ever: past the patience above, the
    /// line is sent without a snapshot, as after failed reads.
    @Test func endlessThrottledCardReadsEndInASendWithoutASnapshot() async throws {
        let fixture = try RunnerFixture(cards: ["always-busy"])
        defer { fixture.remove() }
        let provider = Self.cardReader(fixture)
        let policy = Self.cardReadPolicy
        let reads = policy.retry.maximumAttempts + policy.evidenceAttempts - 1
        provider.scriptCardReads("always-busy", Array(repeating: .throttled(retryAfter: nil), count: reads + 10))
        _ = try await fixture.runner(provider, policy: policy).run(batchID: 1)

        #expect(provider.calls.map(\.kind) == Array(repeating: "evidence", count: reads) + ["recharge"])
        #expect(try fixture.line("always-busy")?.state == .success)
    }

    /// A provider that reads the card before every top-up and needs the snapshot (VCC, PayCertify).
    static func cardReader(_ fixture: RunnerFixture) -> ScriptedProvider {
        ScriptedProvider(rules: ExecutionRules(onePerCard: true, requiresEvidence: true), database: fixture.database)
    }

    /// Card reads retried a few milliseconds apart, a 429 without `Retry-After` waited for as long.
    static var cardReadPolicy: ExecutionPolicy {
        var policy = RunnerFixture.fastPolicy
        policy.evidenceRetryDelay = .milliseconds(2)
        policy.throttlePause = .milliseconds(2)
        return policy
    }

    /// A card that cannot be read (not a 429) `evidenceAttempts` times running is sent without a snapshot, as
    /// documented: the line is not held back for ever, and a lost answer would end UNKNOWN.
    @Test func aCardThatCannotBeReadIsSentWithoutASnapshotAfterTheAttempts() async throws {
        let fixture = try RunnerFixture(cards: ["unreadable"])
        defer { fixture.remove() }
        let provider = Self.cardReader(fixture)
        let policy = Self.cardReadPolicy
        let failed = EvidenceRead.unavailable(reason: "http:503")
        provider.scriptCardReads("unreadable", Array(repeating: failed, count: policy.evidenceAttempts))
        _ = try await fixture.runner(provider, policy: policy).run(batchID: 1)

        #expect(provider.calls.map(\.kind) == Array(repeating: "evidence", count: policy.evidenceAttempts) + ["recharge"])
        #expect(try fixture.line("unreadable")?.state == .success)
    }

    /// Failed card reads count in a row: a line whose card was read, sent and not applied starts its next attempt
    /// with the full count of tries again, rather than being sent without a snapshot after one more failed read.
    @Test func cardReadMissesCountOnlyInARow() async throws {
        let fixture = try RunnerFixture(cards: ["flaky-read"])
        defer { fixture.remove() }
        let provider = Self.cardReader(fixture)
        let policy = Self.cardReadPolicy
        let failed = EvidenceRead.unavailable(reason: "http:503")
        let snapshot = EvidenceRead.recorded(ResolutionEvidence(text: "{\"card\":\"flaky-read\"}"))
        let misses = policy.evidenceAttempts - 1
        provider.scriptCardReads("flaky-read", Array(repeating: failed, count: misses) + [snapshot, failed])
        provider.script("flaky-read", recharges: [.notApplied, .applied])
        _ = try await fixture.runner(provider, policy: policy).run(batchID: 1)

        let reads = { (count: Int) in Array(repeating: "evidence", count: count) }
        #expect(provider.calls.map(\.kind) == reads(misses + 1) + ["recharge"] + reads(2) + ["recharge"])
        #expect(try fixture.line("flaky-read")?.state == .success)
    }

    /// An account that does not read the card (`readCardBeforeSend: false`) sends one request per line, still one
    /// top-up per card at a time, and records no evidence.
    @Test func anAccountWithoutTheCardReadSendsOneRequestPerLineStillOnePerCard() async throws {
        let cards = (0..<30).map { "card-\($0 % 3)" }
        let fixture = try RunnerFixture(cards: cards)
        defer { fixture.remove() }
        let provider = ScriptedProvider(
            rules: ExecutionRules(onePerCard: true, requiresEvidence: false, readsCardBeforeSend: false), database: fixture.database,
            latency: .milliseconds(2))
        _ = try await fixture.runner(provider).run(batchID: 1)

        #expect(provider.state.withLock { $0.mostInFlightPerCard } == 1)
        #expect(provider.calls.map(\.kind) == Array(repeating: "recharge", count: 30))
        #expect(try fixture.database.lines(batchID: 1).allSatisfy { $0.state == .success })
        #expect(try fixture.database.inFlightLines().isEmpty)
    }

    @Test func theInFlightLimitOfAnAccountHolds() async throws {
        let fixture = try RunnerFixture(cards: (0..<60).map { "card-\($0)" })
        defer { fixture.remove() }
        var account = RunnerFixture.account
        account.maxInFlight = 3
        let provider = ScriptedProvider(database: fixture.database, latency: .milliseconds(2))
        let counter = InFlightCounter()
        let runner = fixture.runner(CountingProvider(inner: provider, counter: counter).provider, account: account)
        _ = try await runner.run(batchID: 1)
        #expect(counter.most <= 3)
        #expect(counter.most >= 2, "the account's requests should overlap up to its limit")
    }

    @Test func aSecondRunnerIsRefusedWhileTheFirstHoldsTheLease() async throws {
        let fixture = try RunnerFixture(cards: ["a"])
        defer { fixture.remove() }
        _ = try fixture.database.acquireLease(holder: "other", host: "elsewhere", pid: 42, ttl: 60, now: Date())
        let provider = ScriptedProvider(database: fixture.database)
        await #expect(throws: RunError.self) { try await fixture.runner(provider).run(batchID: 1) }
        #expect(provider.calls.isEmpty)
        #expect(try fixture.line("a")?.state == .pending)
    }

    @Test func aStopLeavesUnsentLinesPendingAndRecordsTheRequestsInFlight() async throws {
        let fixture = try RunnerFixture(cards: (0..<200).map { "card-\($0)" })
        defer { fixture.remove() }
        let provider = ScriptedProvider(database: fixture.database, latency: .milliseconds(5))
        let runner = fixture.runner(provider)
        async let result = runner.run(batchID: 1)
        while provider.calls.count < 10 { await Task.yield() }
        runner.stop.trigger()
        let ending = try await result.ending

        #expect(ending == .interrupted)
        let lines = try fixture.database.lines(batchID: 1)
        // Nothing is left in flight: every request that left has its answer recorded.
        #expect(lines.allSatisfy { $0.state == .success || $0.state == .pending })
        #expect(lines.filter { $0.state == .success }.count == provider.applied.count)
        #expect(lines.contains { $0.state == .pending })
        #expect(try fixture.database.currentLease() == nil, "the lease is released at exit")
    }

    /// Lines are claimed ahead of a free send slot; the slots still cap the requests in flight, and a stop sends
    /// none of the lines waiting: each goes back to PENDING under its key with a "not sent" record.
    @Test func linesClaimedAheadOfASlotAreNeverSentAfterAStop() async throws {
        let fixture = try RunnerFixture(cards: (0..<200).map { "card-\($0)" })
        defer { fixture.remove() }
        var account = RunnerFixture.account
        account.maxInFlight = 4
        let provider = ScriptedProvider(database: fixture.database, latency: .milliseconds(20))
        let counter = InFlightCounter()
        let runner = fixture.runner(CountingProvider(inner: provider, counter: counter).provider, account: account)
        async let result = runner.run(batchID: 1)
        while provider.calls.count < 8 { await Task.yield() }
        runner.stop.trigger()
        #expect(try await result.ending == .interrupted)

        #expect(counter.most <= 4)
        let lines = try fixture.database.lines(batchID: 1)
        #expect(lines.allSatisfy { $0.state == .success || $0.state == .pending })
        let called = Set(provider.calls.map(\.cardID))
        let claimedUnsent = lines.filter { $0.state == .pending && $0.attempts > 0 }
        #expect(!claimedUnsent.isEmpty, "lines are claimed ahead of the send slots")
        #expect(claimedUnsent.allSatisfy { !called.contains($0.cardID) })
        for line in claimedUnsent.prefix(3) {
            let last = try #require(try fixture.database.events(lineID: line.id).last)
            #expect(last.toState == LineState.pending.rawValue)
            #expect(last.detail?.contains("not-sent") == true, "\(last)")
        }
    }
}
