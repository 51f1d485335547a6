import Foundation
import RechargeCore
import RechargeStore
import Synchronization

/// Records outcomes as group commits: whoever finds no write in progress becomes the writer and commits
/// everything queued meanwhile in one transaction, batch after batch, until the queue is empty; the others
/// just wait for their result. Under load, dozens of answers share one commit; alone, an answer is committed
/// at once. Each caller gets its own result, and returns only once its outcome is durable.
final class OutcomeRecorder: Sendable {
    private typealias Waiter = (record: OutcomeRecord, continuation: CheckedContinuation<Result<LineState, StoreError>, Never>)

    private struct State {
        var queue: [Waiter] = []
        var writing = false
    }

    private let database: RechargeDatabase
    private let now: @Sendable () -> Date
    private let state = Mutex(State())
    /// At most this many outcomes in one transaction, so one commit never holds the writer for long.
    private let maximumBatch = 256

    init(database: RechargeDatabase, now: @escaping @Sendable () -> Date) {
        self.database = database
        self.now = now
    }

    /// Records `record`; returns the line's state afterwards, or why it could not be recorded.
    func record(_ record: OutcomeRecord) async -> Result<LineState, StoreError> {
        await withCheckedContinuation { continuation in
            let becomeWriter = self.state.withLock { state -> Bool in
                state.queue.append((record, continuation))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if becomeWriter { self.drain() }
        }
    }

    private func drain() {
        while true {
            let batch = self.state.withLock { state -> [Waiter] in
                guard !state.queue.isEmpty else {
                    state.writing = false
                    return []
                }
                let count = min(state.queue.count, self.maximumBatch)
                defer { state.queue.removeFirst(count) }
                return Array(state.queue.prefix(count))
            }
            if batch.isEmpty { return }
            let results: [Result<LineState, StoreError>]
            do {
                results = try self.database.recordOutcomes(batch.map(\.record), now: self.now())
            } catch {
                let failure = (error as? StoreError) ?? StoreError(.io, "\(error)")
                results = Array(repeating: .failure(failure), count: batch.count)
            }
            for (waiter, result) in zip(batch, results) { waiter.continuation.resume(returning: result) }
        }
    }
}
