import Foundation
import RechargeCore
import Synchronization

/// Records outcomes as group commits: whoever finds no write in progress becomes the writer and commits
/// everything queued meanwhile in one transaction, batch after batch, until the queue is empty; the others
/// just wait for their result. Under load, dozens of answers share one commit; alone, an answer is committed
/// at once. Each caller gets its own result, and returns only once its outcome is durable.
final class OutcomeRecorder: Sendable {
    private typealias Waiter = (record: OutcomeRecord, continuation: CheckedContinuation<Result<LineState, StoreError>?, Never>)

    private struct State {
        var queue: [Waiter] = []
        var writing = false
    }

    private let store: any EngineStore
    private let now: @Sendable () -> Date
    private let state = Mutex(State())
    /// At most this many outcomes in one transaction, so one commit never holds the writer for long.
    private let maximumBatch = 256

    init(store: any EngineStore, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.now = now
    }

    /// Records `record`; returns the line's state afterwards, or why it could not be recorded.
    func record(_ record: OutcomeRecord) async -> Result<LineState, StoreError> {
        // `nil`: no write was in progress, so this caller writes, its own record first.
        let answer: Result<LineState, StoreError>? = await withCheckedContinuation { continuation in
            let becomeWriter = self.state.withLock { state -> Bool in
                guard !state.writing else {
                    state.queue.append((record, continuation))
                    return false
                }
                state.writing = true
                return true
            }
            if becomeWriter { continuation.resume(returning: nil) }
        }
        if let answer { return answer }
        return await self.drain(first: record)
    }

    /// Commits `first` with whatever is queued, batch after batch until the queue is empty, answering every
    /// waiter as its batch commits; returns the result for `first`.
    private func drain(first: OutcomeRecord) async -> Result<LineState, StoreError> {
        var own: Result<LineState, StoreError>? = nil
        var pendingFirst: OutcomeRecord? = first
        while true {
            let batch = self.state.withLock { state -> [Waiter] in
                let room = self.maximumBatch - (pendingFirst == nil ? 0 : 1)
                let count = min(state.queue.count, room)
                defer { state.queue.removeFirst(count) }
                if count == 0 && pendingFirst == nil { state.writing = false }
                return Array(state.queue.prefix(count))
            }
            var records = batch.map(\.record)
            if let record = pendingFirst { records.insert(record, at: 0) }
            if records.isEmpty { return own! }
            let results: [Result<LineState, StoreError>]
            do {
                results = try await self.store.recordOutcomes(records, now: self.now())
            } catch {
                let failure = (error as? StoreError) ?? StoreError(.io, "\(error)")
                results = Array(repeating: .failure(failure), count: records.count)
            }
            var answers = results[...]
            if pendingFirst != nil {
                own = answers.removeFirst()
                pendingFirst = nil
            }
            for (waiter, result) in zip(batch, answers) { waiter.continuation.resume(returning: result) }
        }
    }
}
