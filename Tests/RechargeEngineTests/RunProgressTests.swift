import TestSupport
import Testing

@testable import RechargeEngine

/// The progress the display shows: recent rates per account over a sliding window, and the run's ETA as the
/// slowest account's — on a manual clock, so every figure is exact.
@Suite struct RunProgressTests {
    /// Settles `count` lines of `account` evenly over the next `seconds` seconds of `clock`.
    static func settle(_ count: Int, of account: String, over seconds: Int, in progress: RunProgress, clock: ManualClock) {
        let step = Duration.seconds(seconds) / count
        for _ in 0..<count {
            clock.advance(by: step)
            progress.recordSettled(account) { $0.succeeded += 1 }
        }
    }

    static func account(_ name: String, in snapshot: RunProgress.Snapshot) throws -> RunProgress.Account {
        try #require(snapshot.accounts.first { $0.name == name })
    }

    @Test func theRunsETAIsTheSlowestAccountsNotTotalRemainingOverTotalRate() throws {
        let clock = ManualClock()
        let progress = RunProgress(accounts: ["hypercard", "vcc"], clock: clock, window: .seconds(20))
        progress.update("hypercard") { $0.total = 1_000 }
        progress.update("vcc") { $0.total = 117 }
        // Ten seconds: HyperCard settles 90 lines a second, VCC one.
        let step = Duration.milliseconds(100)
        for tick in 1...100 {
            clock.advance(by: step)
            for _ in 0..<9 { progress.recordSettled("hypercard") { $0.succeeded += 1 } }
            if tick % 10 == 0 { progress.recordSettled("vcc") { $0.succeeded += 1 } }
        }
        let snapshot = progress.snapshot()

        #expect(snapshot.settled == 910)
        let vcc = try Self.account("vcc", in: snapshot)
        #expect(abs(vcc.recentRate - 1) < 0.01)
        #expect(vcc.eta == .seconds(107), "107 lines left at one a second")
        // Total remaining over total rate would say 207 / 91 ≈ 3 s.
        #expect(snapshot.eta == .seconds(107))
        #expect(snapshot.slowestAccount == "vcc")
    }

    @Test func ratesAreRecentSoAThrottledProvidersETAGrows() throws {
        let clock = ManualClock()
        let progress = RunProgress(accounts: ["uqpay"], clock: clock, window: .seconds(20))
        progress.update("uqpay") { $0.total = 2_000 }
        Self.settle(600, of: "uqpay", over: 60, in: progress, clock: clock)
        let before = try Self.account("uqpay", in: progress.snapshot())
        #expect(abs(before.recentRate - 10) < 0.2)
        #expect(
            before.eta.map { $0 >= .seconds(138) && $0 <= .seconds(142) } == true, "1400 left at 10/s: \(String(describing: before.eta))")

        // Throttled: one line a second for 30 s. The average since the start would still say 630 / 90 s = 7/s.
        Self.settle(30, of: "uqpay", over: 30, in: progress, clock: clock)
        let throttled = try Self.account("uqpay", in: progress.snapshot())
        #expect(abs(throttled.recentRate - 1) < 0.1, "the rate of the last 20 s, not since the start: \(throttled.recentRate)")
        #expect(throttled.eta.map { $0 >= .seconds(1_250) } == true, "1370 left at 1/s: \(String(describing: throttled.eta))")

        // Nothing settled for longer than the window: no rate to tell an ETA by.
        clock.advance(by: .seconds(25))
        let stalled = try Self.account("uqpay", in: progress.snapshot())
        #expect(stalled.recentRate == 0)
        #expect(stalled.eta == nil)
        #expect(progress.snapshot().eta == nil)
    }

    @Test func beforeAWholeWindowHasPassedTheRateIsOverTheTimeSinceTheStart() throws {
        let clock = ManualClock()
        let progress = RunProgress(accounts: ["pagsmile"], clock: clock, window: .seconds(20))
        progress.update("pagsmile") { $0.total = 100 }
        Self.settle(20, of: "pagsmile", over: 4, in: progress, clock: clock)
        let account = try Self.account("pagsmile", in: progress.snapshot())
        #expect(abs(account.recentRate - 5) < 0.01)
        #expect(account.eta == .seconds(16))
    }

    @Test func aStoppedAccountIsLeftOutOfTheRunsETAAndDoneAccountsCountAsDone() throws {
        let clock = ManualClock()
        let progress = RunProgress(accounts: ["done", "down", "slow"], clock: clock, window: .seconds(20))
        progress.update("done") { $0.total = 10 }
        progress.update("down") { $0.total = 50 }
        progress.update("slow") { $0.total = 20 }
        Self.settle(10, of: "done", over: 5, in: progress, clock: clock)
        Self.settle(10, of: "slow", over: 5, in: progress, clock: clock)
        progress.update("down") { $0.unreachableFor = .seconds(600) }
        let snapshot = progress.snapshot()

        #expect(try Self.account("done", in: snapshot).eta == .zero)
        #expect(try Self.account("down", in: snapshot).eta == nil)
        #expect(snapshot.eta == .seconds(10), "10 left at 1/s; the stopped account's 50 wait for the next run")
        #expect(snapshot.slowestAccount == "slow")
    }

    @Test func theWindowForgetsSecondsThatLeftItEvenAfterALongGap() throws {
        var window = RateWindow(seconds: 10)
        for second in 0..<10 { window.add(at: Int64(second)) }
        #expect(abs(window.rate(at: .seconds(10)) - 9.0 / 9.0) < 0.001, "seconds 1…9 are in the window ending at 10")
        // A gap longer than the ring, then one event: only it is counted.
        window.add(at: 1_000)
        #expect(abs(window.rate(at: .milliseconds(1_000_500)) - 1 / 9.5) < 0.001)
    }
}
