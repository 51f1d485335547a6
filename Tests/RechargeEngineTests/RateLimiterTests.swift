import RechargeCore
import Synchronization
import TestSupport
import Testing

@testable import RechargeEngine

/// Acquirers started one by one, each recording when it got through, so a test can check the schedule.
///
/// Each acquirer is started only once the previous one has reserved its slot (it is either through or asleep
/// on the manual clock), so call order is known; nothing here sleeps on the wall clock.
private final class Acquirers: Sendable {
    let clock = ManualClock()
    let limiter: RateLimiter<ManualClock>
    /// `(acquirer, instant it got through)`, in completion order.
    private let completed = Mutex<[(Int, ManualClock.Instant)]>([])
    private let tasks = Mutex<[Int: Task<Void, any Error>]>([:])

    init(limit: RateLimit?) {
        self.limiter = RateLimiter(limit: limit, clock: self.clock)
    }

    /// Acquirers that have got through, in order.
    var done: [Int] { self.completed.withLock { $0.map(\.0) } }
    /// When each acquirer that got through did so, as an offset from the clock's zero.
    var times: [Int: Duration] { self.completed.withLock { Dictionary(uniqueKeysWithValues: $0.map { ($0.0, $0.1.offset) }) } }

    /// Starts acquirer `id` and returns once it has got through or is asleep waiting for its slot.
    func start(_ id: Int) async {
        let sleepers = self.clock.sleeperCount
        let doneBefore = self.done.count
        let task = Task {
            try await self.limiter.acquire()
            self.completed.withLock { $0.append((id, self.clock.now)) }
        }
        self.tasks.withLock { $0[id] = task }
        // Through, or asleep on the manual clock: yield (no wall-clock time) until one of them is observed.
        while self.done.count == doneBefore, self.clock.sleeperCount == sleepers {
            await Task.yield()
        }
    }

    /// Waits for acquirer `id` to finish, returning its error if it threw.
    func result(of id: Int) async -> (any Error)? {
        let task = self.tasks.withLock { $0[id]! }
        do {
            try await task.value
            return nil
        } catch {
            return error
        }
    }

    func cancel(_ id: Int) { self.tasks.withLock { $0[id]! }.cancel() }

    /// Moves the clock to `offset` and waits until the acquirers due by then have got through.
    func advance(to offset: Duration, expecting ids: [Int]) async {
        self.clock.advance(to: .init(offset: offset))
        for id in ids { _ = await self.result(of: id) }
    }
}

@Suite struct RateLimiterTests {
    /// The engine holds one request of an account's burst back against arrival jitter, never going below one.
    @Test(arguments: [(100.0, 10, 9), (100.0, nil, 99), (2.0, 1, 1), (0.5, nil, 1)] as [(Double, Int?, Int)])
    func theScheduleKeepsOneRequestOfTheBurstInReserve(rate: Double, burst: Int?, scheduled: Int) throws {
        var account = ProviderAccount(name: "acme", kind: .pagsmile, defaultPayAccountNumber: "PA-1")
        account.requestsPerSecond = rate
        account.burst = burst
        let limit = try #require(RateLimit.schedule(of: account))
        #expect(limit.burst == scheduled)
        #expect(limit.requestsPerSecond == rate)
        account.requestsPerSecond = nil
        #expect(RateLimit.schedule(of: account) == nil)
    }

    /// Burst 3 at 2/s: three at once, then one every 500 ms exactly, nobody a moment early.
    @Test(.timeLimit(.minutes(1))) func burstThenSteadyRate() async {
        let acquirers = Acquirers(limit: RateLimit(requestsPerSecond: 2, burst: 3))
        for id in 0..<7 { await acquirers.start(id) }
        #expect(acquirers.done == [0, 1, 2])
        #expect(acquirers.clock.sleeperCount == 4)
        for (step, id) in (3..<7).enumerated() {
            let due = Duration.milliseconds(500 * (step + 1))
            await acquirers.advance(to: due - .milliseconds(1), expecting: [])
            #expect(acquirers.done.count == id, "acquirer \(id) went early")
            await acquirers.advance(to: due, expecting: [id])
            #expect(acquirers.done == Array(0...id))
        }
        #expect(
            acquirers.times == [
                0: .zero, 1: .zero, 2: .zero, 3: .milliseconds(500), 4: .seconds(1), 5: .milliseconds(1500), 6: .seconds(2),
            ])
    }

    /// After an idle spell the bucket is full again, but no fuller than `burst`.
    @Test func tryAcquireTakesOnlyASlotThatIsDueNow() async {
        let clock = ManualClock()
        let limiter = RateLimiter(limit: RateLimit(requestsPerSecond: 2, burst: 2), clock: clock)
        #expect(await limiter.tryAcquire())
        #expect(await limiter.tryAcquire())
        #expect(await !limiter.tryAcquire(), "the burst is spent")
        clock.advance(by: .milliseconds(499))
        #expect(await !limiter.tryAcquire())
        clock.advance(by: .milliseconds(1))
        #expect(await limiter.tryAcquire(), "one interval later, one slot")
        await limiter.pause(until: clock.now.advanced(by: .seconds(5)))
        clock.advance(by: .seconds(1))
        #expect(await !limiter.tryAcquire(), "a pause holds the fast path too")
    }

    @Test(.timeLimit(.minutes(1))) func bucketRefillsUpToBurst() async {
        let acquirers = Acquirers(limit: RateLimit(requestsPerSecond: 2, burst: 3))
        for id in 0..<3 { await acquirers.start(id) }
        await acquirers.advance(to: .seconds(10), expecting: [])
        for id in 3..<7 { await acquirers.start(id) }
        #expect(acquirers.done == [0, 1, 2, 3, 4, 5])
        await acquirers.advance(to: .milliseconds(10_499), expecting: [])
        #expect(acquirers.done.count == 6)
        await acquirers.advance(to: .milliseconds(10_500), expecting: [6])
    }

    /// Waiters get through in the order they called `acquire()`, one per interval.
    @Test(.timeLimit(.minutes(1)), arguments: [1, 4]) func waitersAreServedInOrder(burst: Int) async {
        let acquirers = Acquirers(limit: RateLimit(requestsPerSecond: 10, burst: burst))
        let count = burst + 6
        for id in 0..<count { await acquirers.start(id) }
        #expect(acquirers.done == Array(0..<burst))
        for id in burst..<count {
            await acquirers.advance(to: .milliseconds(100 * (id - burst + 1)), expecting: [id])
            #expect(acquirers.done == Array(0...id))
        }
    }

    /// A pause holds new and already-sleeping waiters until its instant, then the account restarts at the rate.
    @Test(.timeLimit(.minutes(1))) func pauseHoldsEveryoneUntilItsInstant() async {
        let acquirers = Acquirers(limit: RateLimit(requestsPerSecond: 1, burst: 2))
        for id in 0..<3 { await acquirers.start(id) }  // 0, 1 through; 2 due at 1 s.
        #expect(acquirers.done == [0, 1])
        await acquirers.limiter.pause(until: .init(offset: .seconds(5)))
        for id in 3..<5 { await acquirers.start(id) }
        // Acquirer 2 wakes at its old slot, finds it moved, and sleeps again.
        await acquirers.advance(to: .seconds(1), expecting: [])
        await acquirers.clock.waitForSleepers(3)
        await acquirers.advance(to: .milliseconds(4999), expecting: [])
        #expect(acquirers.done == [0, 1])
        await acquirers.advance(to: .seconds(5), expecting: [2])
        #expect(acquirers.done == [0, 1, 2])
        await acquirers.advance(to: .seconds(6), expecting: [3])
        await acquirers.advance(to: .seconds(7), expecting: [4])
        #expect(acquirers.times[2] == .seconds(5))
        #expect(acquirers.times[4] == .seconds(7))
    }

    /// A pause earlier than the one in force changes nothing.
    @Test(.timeLimit(.minutes(1))) func earlierPauseDoesNotShorten() async {
        let acquirers = Acquirers(limit: nil)
        await acquirers.limiter.pause(until: .init(offset: .seconds(5)))
        await acquirers.limiter.pause(until: .init(offset: .seconds(2)))
        await acquirers.start(0)
        await acquirers.advance(to: .seconds(4), expecting: [])
        #expect(acquirers.done.isEmpty)
        await acquirers.advance(to: .seconds(5), expecting: [0])
    }

    /// Without a rate, acquiring never waits except for a pause, which then releases everyone together.
    @Test(.timeLimit(.minutes(1))) func noRateOnlyHonoursPauses() async {
        let acquirers = Acquirers(limit: nil)
        for id in 0..<5 { await acquirers.start(id) }
        #expect(acquirers.done == [0, 1, 2, 3, 4])
        await acquirers.limiter.pause(until: .init(offset: .seconds(3)))
        for id in 5..<8 { await acquirers.start(id) }
        await acquirers.advance(to: .milliseconds(2999), expecting: [])
        #expect(acquirers.done.count == 5)
        await acquirers.advance(to: .seconds(3), expecting: [5, 6, 7])
        #expect(Set(acquirers.done.suffix(3)) == [5, 6, 7])
    }

    /// A cancelled waiter throws; those behind it keep their slots (its own slot stays a hole).
    @Test(.timeLimit(.minutes(1))) func cancelledWaiterThrowsAndOthersProceed() async {
        let acquirers = Acquirers(limit: RateLimit(requestsPerSecond: 1, burst: 1))
        for id in 0..<4 { await acquirers.start(id) }  // 0 now; 1, 2, 3 at 1, 2, 3 s.
        acquirers.cancel(2)
        #expect(await acquirers.result(of: 2) is CancellationError)
        #expect(await acquirers.limiter.waiting == 2)
        await acquirers.advance(to: .seconds(1), expecting: [1])
        await acquirers.advance(to: .seconds(3), expecting: [3])
        #expect(acquirers.done == [0, 1, 3])
        #expect(acquirers.times[3] == .seconds(3))
    }

    /// Cancelling the newest waiter gives its slot back to the next caller.
    @Test(.timeLimit(.minutes(1))) func cancellingTheNewestWaiterReturnsItsSlot() async {
        let acquirers = Acquirers(limit: RateLimit(requestsPerSecond: 1, burst: 1))
        for id in 0..<3 { await acquirers.start(id) }  // 0 now; 1, 2 at 1, 2 s.
        acquirers.cancel(2)
        #expect(await acquirers.result(of: 2) is CancellationError)
        await acquirers.start(3)
        await acquirers.advance(to: .seconds(1), expecting: [1])
        await acquirers.advance(to: .seconds(2), expecting: [3])
        #expect(acquirers.times[3] == .seconds(2))
        #expect(await acquirers.limiter.waiting == 0)
    }

    /// A task cancelled before it calls `acquire()` takes no slot.
    @Test(.timeLimit(.minutes(1))) func alreadyCancelledTaskTakesNoSlot() async {
        let limiter = RateLimiter(limit: RateLimit(requestsPerSecond: 1, burst: 1), clock: ManualClock())
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await limiter.acquire()
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(await limiter.waiting == 0)
        try? await limiter.acquire()  // the slot is still free: through at once.
        #expect(await limiter.waiting == 0)
    }

    /// The production clock fits the limiter's constraints; without a rate nothing waits, so no real time passes.
    @Test(.timeLimit(.minutes(1))) func worksWithTheContinuousClock() async throws {
        let limiter = RateLimiter(limit: nil, clock: ContinuousClock())
        for _ in 0..<3 { try await limiter.acquire() }
        #expect(await limiter.waiting == 0)
    }
}
