import TestSupport
import Testing

@testable import RechargeEngine

@Suite struct CircuitBreakerTests {
    typealias Breaker = CircuitBreaker<ManualClock.Instant>

    static func at(_ seconds: Int64) -> ManualClock.Instant { .init(offset: .seconds(seconds)) }

    /// A breaker opened at t=10 (threshold 3, cooldown 30 s).
    static func opened() -> Breaker {
        var breaker = Breaker(failureThreshold: 3, cooldown: .seconds(30))
        breaker.recordFailure(at: at(8))
        breaker.recordFailure(at: at(9))
        breaker.recordFailure(at: at(10))
        return breaker
    }

    @Test func closedSendsAndCountsFailures() {
        var breaker = Breaker(failureThreshold: 3, cooldown: .seconds(30))
        #expect(breaker.canSend(at: Self.at(0)) == .send)
        #expect(breaker.recordFailure(at: Self.at(1)) == nil)
        #expect(breaker.recordFailure(at: Self.at(2)) == nil)
        #expect(breaker.state == .closed(consecutiveFailures: 2))
        #expect(breaker.canSend(at: Self.at(3)) == .send)
    }

    @Test func successResetsTheFailureCount() {
        var breaker = Breaker(failureThreshold: 3, cooldown: .seconds(30))
        breaker.recordFailure(at: Self.at(1))
        breaker.recordFailure(at: Self.at(2))
        breaker.recordSuccess()
        #expect(breaker.state == .closed(consecutiveFailures: 0))
        breaker.recordFailure(at: Self.at(3))
        breaker.recordFailure(at: Self.at(4))
        #expect(breaker.canSend(at: Self.at(5)) == .send)
    }

    @Test(arguments: [1, 2, 5]) func thresholdConsecutiveFailuresOpen(threshold: Int) {
        var breaker = Breaker(failureThreshold: threshold, cooldown: .seconds(30))
        for second in 1..<threshold { #expect(breaker.recordFailure(at: Self.at(Int64(second))) == nil) }
        #expect(breaker.recordFailure(at: Self.at(100)) == Self.at(130))
        #expect(breaker.state == .open(until: Self.at(130)))
    }

    @Test func openWaitsUntilTheCooldownEnds() {
        var breaker = Self.opened()
        #expect(breaker.canSend(at: Self.at(10)) == .wait(until: Self.at(40)))
        #expect(breaker.canSend(at: Self.at(39)) == .wait(until: Self.at(40)))
        #expect(breaker.state == .open(until: Self.at(40)))
    }

    @Test func lateOutcomesWhileOpenChangeNothing() {
        var breaker = Self.opened()
        breaker.recordSuccess()
        #expect(breaker.recordFailure(at: Self.at(20)) == nil)
        #expect(breaker.state == .open(until: Self.at(40)))
    }

    @Test func afterTheCooldownExactlyOneProbeGoesThrough() {
        var breaker = Self.opened()
        #expect(breaker.canSend(at: Self.at(40)) == .probe)
        #expect(breaker.state == .halfOpen)
        #expect(breaker.canSend(at: Self.at(41)) == .awaitProbe)
        #expect(breaker.canSend(at: Self.at(500)) == .awaitProbe)
    }

    @Test func probeSuccessCloses() {
        var breaker = Self.opened()
        #expect(breaker.canSend(at: Self.at(45)) == .probe)
        breaker.recordSuccess()
        #expect(breaker.state == .closed(consecutiveFailures: 0))
        #expect(breaker.canSend(at: Self.at(46)) == .send)
    }

    @Test func probeFailureReopensForAFreshCooldown() {
        var breaker = Self.opened()
        #expect(breaker.canSend(at: Self.at(45)) == .probe)
        #expect(breaker.recordFailure(at: Self.at(50)) == Self.at(80))
        #expect(breaker.canSend(at: Self.at(79)) == .wait(until: Self.at(80)))
        #expect(breaker.canSend(at: Self.at(80)) == .probe)
    }

    @Test func unreachableSinceTheBreakerOpenedThroughFailedProbesUntilASuccess() {
        var breaker = Self.opened()
        #expect(breaker.openSince == Self.at(10))
        #expect(breaker.unreachableDeadline(after: .seconds(600)) == Self.at(610))
        // Failed probes keep the account unreachable since it first opened.
        #expect(breaker.canSend(at: Self.at(40)) == .probe)
        breaker.recordFailure(at: Self.at(41))
        #expect(breaker.canSend(at: Self.at(71)) == .probe)
        breaker.recordFailure(at: Self.at(72))
        #expect(breaker.openSince == Self.at(10))
        // A probe that succeeds ends it; the next opening starts a new count.
        #expect(breaker.canSend(at: Self.at(102)) == .probe)
        breaker.recordSuccess()
        #expect(breaker.openSince == nil)
        #expect(breaker.unreachableDeadline(after: .seconds(600)) == nil)
        breaker.recordFailure(at: Self.at(200))
        breaker.recordFailure(at: Self.at(201))
        breaker.recordFailure(at: Self.at(202))
        #expect(breaker.openSince == Self.at(202))
    }

    @Test func abandonedProbeIsHandedOutAgain() {
        var breaker = Self.opened()
        #expect(breaker.canSend(at: Self.at(45)) == .probe)
        breaker.abandonProbe(at: Self.at(46))
        #expect(breaker.state == .open(until: Self.at(46)))
        #expect(breaker.canSend(at: Self.at(46)) == .probe)
    }
}
