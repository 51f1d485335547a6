import Foundation
import RechargeCore
import RechargeStore
import Synchronization
import TestSupport
import Testing

@testable import RechargeEngine

/// A provider account that stays down: after its breaker has been open for the give-up time, the run stops sending
/// to it, leaves its unsent lines PENDING, settles the request still on the wire, and lets the other accounts finish.
@Suite struct UnreachableAccountTests {
    static let down = ProviderAccount(name: "down", kind: .pagsmile, defaultPayAccountNumber: "PA-1")
    static let up = ProviderAccount(name: "up", kind: .pagsmile, defaultPayAccountNumber: "PA-2")

    /// A provider that cannot be reached: every top-up is refused before applying (connection refused), except the
    /// `held`-th, which stays on the wire until the test lets it go and is then applied.
    final class UnreachableProvider: ProviderClient {
        struct State {
            var recharges: [String] = []
            var applied: [String] = []
        }

        let state = Mutex(State())
        let held: Int
        /// Triggered by the test: the held top-up answers.
        let release = StopSignal()

        init(holding held: Int) {
            self.held = held
        }

        var executionRules: ExecutionRules { ExecutionRules() }
        var lookup: any ProviderLookup { NoLookup() }

        struct NoLookup: ProviderLookup {
            func evidenceBeforeRecharge(_ request: RechargeRequest) async -> EvidenceRead { .notNeeded }
            func status(_ request: RechargeRequest, recorded: RecordedSend) async -> StatusOutcome {
                .cannotTell(reason: "unreachable")
            }
        }

        var recharges: [String] { self.state.withLock { $0.recharges } }
        var applied: [String] { self.state.withLock { $0.applied } }

        func recharge(_ request: RechargeRequest) async -> RechargeOutcome {
            let number = self.state.withLock { state -> Int in
                state.recharges.append(request.cardID)
                return state.recharges.count
            }
            guard number == self.held else {
                return .notApplied(code: "transport:connect", message: "connection refused", retryAfter: nil)
            }
            await self.release.wait()
            self.state.withLock { $0.applied.append(request.cardID) }
            return .applied(ProviderReceipt(providerReference: "late-\(request.cardID)"))
        }
    }

    /// A count taken by one task and read by another.
    final class Counted: Sendable {
        let value = Mutex<Int?>(nil)
    }

    @Test(.timeLimit(.minutes(2))) func anAccountDownPastTheGiveUpTimeIsStoppedItsLinesLeftPendingTheOthersFinish() async throws {
        let downCards = (1...6).map { "d-\($0)" }
        let upCards = (1...6).map { "u-\($0)" }
        let fixture = try RunnerFixture(
            lines: downCards.map { ("down", $0) } + upCards.map { ("up", $0) },
            configuration: RechargeConfiguration(accounts: [Self.down, Self.up]))
        defer { fixture.remove() }
        // Two failures open the breaker; a probe every 5 s fails (the fourth top-up, a probe, stays on the wire).
        let unreachable = UnreachableProvider(holding: 4)
        let healthy = ScriptedProvider(database: fixture.database)
        var policy = RunnerFixture.fastPolicy
        policy.retry = BackoffPolicy(base: .milliseconds(1), cap: .milliseconds(4), maximumAttempts: 100)
        policy.breakerThreshold = 2
        policy.breakerCooldown = .seconds(5)
        policy.breakerGiveUp = .seconds(60)
        let clock = ManualClock()
        let start = Date()
        let runner = fixture.runner(
            lanes: [(Self.down, unreachable), (Self.up, healthy)], policy: policy, clock: clock,
            now: { start.addingTimeInterval(clock.now.offset.timeInterval) })

        // Time moves only here. Once the account is given up, the top-up still on the wire answers; no other
        // top-up may go to the account after that.
        let sentBeforeRelease = Counted()
        let result = try await RunnerFixture.runMovingTime(runner, clock: clock) {
            if !unreachable.release.isTriggered, runner.progress.snapshot().accounts.contains(where: { $0.isStopped }) {
                sentBeforeRelease.value.withLock { $0 = unreachable.recharges.count }
                unreachable.release.trigger()
            }
        }

        #expect(result.ending == .accountsUnreachable)
        let stopped = try #require(result.unreachableAccounts.first)
        #expect(result.unreachableAccounts.map(\.name) == ["down"])
        #expect(try #require(stopped.unreachableFor) >= .seconds(60))

        let states = try fixture.states()
        // The healthy account finished, each top-up applied once.
        #expect(upCards.allSatisfy { states[$0] == .success })
        #expect(healthy.applied.sorted() == upCards.sorted())
        // The top-up on the wire when the account was given up was answered and recorded, not abandoned.
        let heldCard = unreachable.recharges[3]
        #expect(states[heldCard] == .success)
        #expect(unreachable.applied == [heldCard])
        // Every other line of the account is PENDING again (nothing applied, nothing in doubt), for the next run.
        #expect(downCards.filter { $0 != heldCard }.allSatisfy { states[$0] == .pending })
        // Nothing was sent to it after it was given up.
        #expect(sentBeforeRelease.value.withLock { $0 } == unreachable.recharges.count)
    }
}
