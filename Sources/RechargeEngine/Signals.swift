import Synchronization

/// Waiters parked on a flag, resumed when it is raised or when their task is cancelled: the machinery of
/// ``WakeSignal`` and ``StopSignal``, which differ only in whether a raised flag stays raised.
private final class Flag: Sendable {
    private struct State {
        var raised = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())
    /// Stays raised once raised (a stop), or is lowered by the wait it lets through (a wake-up).
    private let sticky: Bool

    init(sticky: Bool) {
        self.sticky = sticky
    }

    var isRaised: Bool { self.state.withLock { $0.raised } }

    /// Resumes every waiter; with nobody waiting (or a sticky flag) the flag stays raised for the next wait.
    func raise() {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            if self.sticky || state.waiters.isEmpty { state.raised = true }
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the flag is raised, or when the task is cancelled.
    func wait() async {
        let id = self.state.withLock { state -> UInt64 in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state -> Bool in
                    if state.raised {
                        if !self.sticky { state.raised = false }
                        return true
                    }
                    if Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}

/// A wake-up for one waiting loop: ``signal()`` wakes the waiter, or, when nobody waits, makes the next
/// ``wait()`` return at once, so a signal sent between a check and the wait is never lost.
package final class WakeSignal: Sendable {
    private let flag = Flag(sticky: false)

    package init() {}

    /// Wakes the waiters, or the next wait if there are none.
    package func signal() { self.flag.raise() }

    /// Returns after the next signal (or a signal already pending), or when the task is cancelled.
    package func wait() async { await self.flag.wait() }
}

/// A one-way switch many tasks can wait on: once ``trigger()``d, every ``wait()`` returns at once, now and later.
package final class StopSignal: Sendable {
    private let flag = Flag(sticky: true)

    package init() {}

    package var isTriggered: Bool { self.flag.isRaised }

    package func trigger() { self.flag.raise() }

    /// Returns once triggered, or when the task is cancelled.
    package func wait() async { await self.flag.wait() }
}

/// A counting semaphore for async tasks, first come first served; a cancelled waiter leaves the queue.
package final class AsyncSemaphore: Sendable {
    private struct State {
        var available: Int
        var queue: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextID: UInt64 = 0
    }

    private let state: Mutex<State>

    package init(permits: Int) {
        precondition(permits >= 1, "a semaphore needs at least one permit")
        self.state = Mutex(State(available: permits))
    }

    /// Takes a permit, waiting for one if needed.
    /// - Throws: `CancellationError` if the task is cancelled before it gets one (it then holds none).
    package func acquire() async throws {
        let id = self.state.withLock { state -> UInt64 in
            defer { state.nextID += 1 }
            return state.nextID
        }
        let granted = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let immediate = self.state.withLock { state -> Bool? in
                    if Task.isCancelled { return false }
                    if state.available > 0, state.queue.isEmpty {
                        state.available -= 1
                        return true
                    }
                    state.queue.append((id, continuation))
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = self.state.withLock { state -> CheckedContinuation<Bool, Never>? in
                guard let index = state.queue.firstIndex(where: { $0.id == id }) else { return nil }
                return state.queue.remove(at: index).continuation
            }
            waiter?.resume(returning: false)
        }
        if !granted { throw CancellationError() }
    }

    /// Takes a permit if one is free and nobody waits; never waits.
    package func tryAcquire() -> Bool {
        self.state.withLock { state in
            guard state.available > 0, state.queue.isEmpty else { return false }
            state.available -= 1
            return true
        }
    }

    /// Gives a permit back, to the longest waiter if there is one.
    package func release() {
        let waiter = self.state.withLock { state -> CheckedContinuation<Bool, Never>? in
            if state.queue.isEmpty {
                state.available += 1
                return nil
            }
            return state.queue.removeFirst().continuation
        }
        waiter?.resume(returning: true)
    }
}
