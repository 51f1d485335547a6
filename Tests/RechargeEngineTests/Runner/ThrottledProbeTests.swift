import Foundation
import RechargeCore
import RechargeStore
import Synchronization
import TestSupport
import Testing

@testable import RechargeEngine

/// A provider that was down and comes back throttling: the breaker's probe is answered 429. A 429 is an answer —
/// the provider is reachable — so the breaker closes, the limiter waits out Retry-After, and every line is applied
/// once; the account is not given up as unreachable.
@Suite struct ThrottledProbeTests {
    static let account = ProviderAccount(name: "p", kind: .pagsmile, defaultPayAccountNumber: "PA-1")

    /// Refuses the first two top-ups before applying (connection refused), answers the third (the probe) 429,
    /// applies every one after.
    final class RecoveringProvider: ProviderClient {
        let state = Mutex<(sent: Int, applied: [String])>((0, []))

        var executionRules: ExecutionRules { ExecutionRules() }
        var lookup: any ProviderLookup { UnreachableAccountTests.UnreachableProvider.NoLookup() }
        var applied: [String] { self.state.withLock { $0.applied } }

        func recharge(_ request: RechargeRequest) async -> RechargeOutcome {
            let number = self.state.withLock { state -> Int in
                state.sent += 1
                return state.sent
            }
            switch number {
            case 1, 2: return .notApplied(code: "transport:not-sent", message: "connection refused", retryAfter: nil)
            case 3: return .throttled(code: "http:429", message: "too many requests", retryAfter: .seconds(1))
            default:
                self.state.withLock { $0.applied.append(request.cardID) }
                return .applied(ProviderReceipt(providerReference: "r-\(request.cardID)"))
            }
        }
    }

    @Test(.timeLimit(.minutes(2))) func aProbeAnsweredTooManyRequestsClosesTheBreaker() async throws {
        let cards = (1...4).map { "c-\($0)" }
        let fixture = try RunnerFixture(
            lines: cards.map { ("p", $0) }, configuration: RechargeConfiguration(accounts: [Self.account]))
        defer { fixture.remove() }
        let provider = RecoveringProvider()
        var policy = RunnerFixture.fastPolicy
        policy.retry = BackoffPolicy(base: .milliseconds(1), cap: .milliseconds(4), maximumAttempts: 100)
        policy.breakerThreshold = 2
        policy.breakerCooldown = .seconds(5)
        policy.breakerGiveUp = .seconds(60)
        let clock = ManualClock()
        let start = Date()
        let runner = fixture.runner(
            lanes: [(Self.account, provider)], policy: policy, clock: clock,
            now: { start.addingTimeInterval(clock.now.offset.timeInterval) })

        let result = try await RunnerFixture.runMovingTime(runner, clock: clock)

        #expect(result.unreachableAccounts.isEmpty, "a throttling provider is reachable: \(result.unreachableAccounts)")
        #expect(result.ending != .accountsUnreachable)
        let states = try fixture.states()
        #expect(cards.allSatisfy { states[$0] == .success }, "\(states)")
        #expect(provider.applied.sorted() == cards.sorted())
    }
}
