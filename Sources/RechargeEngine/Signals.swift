import Synchronization

/// A wake-up for one waiting loop: ``signal()`` wakes the waiter, or, when nobody waits, makes the next
/// ``wait()`` return at once, so a signal sent between a check and the wait is never lost.
package final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    package init() {}

    /// Wakes the waiters, or the next wait if there are none.
    package func signal() {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.waiters.isEmpty else {
                state.pending = true
                return []
            }
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns after the next signal (or a signal already pending), or when the task is cancelled.
    package func wait() async {
        let id = self.state.withLock { state -> UInt64 in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state -> Bool in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
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

/// A one-way switch many tasks can wait on: once ``trigger()``d, every ``wait()`` returns at once, now and later.
package final class StopSignal: Sendable {
    private struct State {
        var triggered = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    package init() {}

    package var isTriggered: Bool { self.state.withLock { $0.triggered } }

    package func trigger() {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.triggered = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once triggered, or when the task is cancelled.
    package func wait() async {
        let id = self.state.withLock { state -> UInt64 in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state -> Bool in
                    if state.triggered || Task.isCancelled { return true }
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
