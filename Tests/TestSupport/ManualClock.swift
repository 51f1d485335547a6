import Synchronization

/// A clock that only moves when a test says so, so time-driven code is tested without wall-clock sleeps.
///
/// `sleep(until:)` suspends until ``advance(by:)`` or ``advance(to:)`` moves `now` to or past the deadline;
/// sleepers due at the same advance are resumed in deadline order, then in the order they went to sleep.
/// ``waitForSleepers(_:)`` lets a test wait until the code under test is actually asleep before it advances.
///
/// All state is behind one `Mutex` (`state`); continuations are always resumed outside the lock. Because the
/// only stored property is that `Mutex`, the class is checked `Sendable` and needs no `@unchecked`.
public final class ManualClock: Clock, Sendable {
    /// An instant on the manual clock: an offset from the clock's zero.
    public struct Instant: InstantProtocol, CustomStringConvertible {
        public var offset: Duration

        public init(offset: Duration) { self.offset = offset }

        public func advanced(by duration: Duration) -> Instant { Instant(offset: self.offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - self.offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
        public var description: String { "t+\(self.offset)" }
    }

    private struct Sleeper {
        let deadline: Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var nextID: UInt64 = 0
        var sleepers: [UInt64: Sleeper] = [:]
        /// Sleep calls whose task was cancelled before their continuation was stored.
        var cancelledBeforeSuspending: Set<UInt64> = []
        /// Tests waiting for at least `count` sleepers.
        var sleeperWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

        /// Takes the waiters whose count is now reached.
        mutating func takeSatisfiedWaiters() -> [CheckedContinuation<Void, Never>] {
            let count = self.sleepers.count
            let ready = self.sleeperWaiters.filter { $0.count <= count }.map(\.continuation)
            self.sleeperWaiters.removeAll { $0.count <= count }
            return ready
        }
    }

    private let state = Mutex(State())

    public init() {}

    public var now: Instant { self.state.withLock { $0.now } }

    public var minimumResolution: Duration { .zero }

    /// The number of tasks currently suspended in `sleep(until:)`.
    public var sleeperCount: Int { self.state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        let id = self.state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case suspended([CheckedContinuation<Void, Never>]), due, cancelled }
                let outcome: Outcome = self.state.withLock { state in
                    if state.cancelledBeforeSuspending.remove(id) != nil { return .cancelled }
                    if deadline <= state.now { return .due }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return .suspended(state.takeSatisfiedWaiters())
                }
                switch outcome {
                case .suspended(let waiters): waiters.forEach { $0.resume() }
                case .due: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let sleeper = self.state.withLock { state in
                if let sleeper = state.sleepers.removeValue(forKey: id) { return Optional(sleeper) }
                state.cancelledBeforeSuspending.insert(id)
                return nil
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration` and wakes every sleeper that is then due.
    public func advance(by duration: Duration) {
        self.advance(to: self.now.advanced(by: duration))
    }

    /// Moves time to `instant` (never backwards) and wakes every sleeper that is then due.
    public func advance(to instant: Instant) {
        let due = self.state.withLock { state in
            state.now = Swift.max(state.now, instant)
            let now = state.now
            let due = state.sleepers.filter { $0.value.deadline <= now }
                .sorted { ($0.value.deadline, $0.key) < ($1.value.deadline, $1.key) }
            for (id, _) in due { state.sleepers[id] = nil }
            return due.map(\.value.continuation)
        }
        due.forEach { $0.resume() }
    }

    /// Returns once at least `count` tasks are suspended in `sleep(until:)`.
    public func waitForSleepers(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = self.state.withLock { state in
                if state.sleepers.count >= count { return true }
                state.sleeperWaiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
