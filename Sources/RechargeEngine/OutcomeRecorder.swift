import Foundation
import RechargeCore
import Synchronization

/// Runs store writes as group commits: whoever finds no write in progress becomes the writer and commits everything
/// queued meanwhile in one transaction, batch after batch, until the queue is empty; the others just wait for their
/// answer. Under load, dozens of items share one commit; alone, an item is committed at once. Each caller gets its
/// own answer, and returns only once its item is durable.
final class GroupCommit<Item: Sendable, Answer: Sendable>: Sendable {
    private typealias Waiter = (item: Item, continuation: CheckedContinuation<Answer?, Never>)

    private struct State {
        var queue: [Waiter] = []
        var writing = false
    }

    /// Commits the items in one transaction; one answer per item, in order.
    private let commit: @Sendable ([Item]) async -> [Answer]
    private let state = Mutex(State())
    /// At most this many items in one transaction, so one commit never holds the writer for long.
    private let maximumBatch: Int

    init(maximumBatch: Int = 256, commit: @escaping @Sendable ([Item]) async -> [Answer]) {
        self.maximumBatch = maximumBatch
        self.commit = commit
    }

    /// Commits `item` (with whatever else is queued); returns its answer.
    func submit(_ item: Item) async -> Answer {
        // `nil`: no write was in progress, so this caller writes, its own item first.
        let answer: Answer? = await withCheckedContinuation { continuation in
            let becomeWriter = self.state.withLock { state -> Bool in
                guard !state.writing else {
                    state.queue.append((item, continuation))
                    return false
                }
                state.writing = true
                return true
            }
            if becomeWriter { continuation.resume(returning: nil) }
        }
        if let answer { return answer }
        return await self.drain(first: item)
    }

    /// Commits `first` with whatever is queued, batch after batch until the queue is empty, answering every waiter as
    /// its batch commits; returns the answer for `first`.
    private func drain(first: Item) async -> Answer {
        var own: Answer? = nil
        var pendingFirst: Item? = first
        while true {
            let batch = self.state.withLock { state -> [Waiter] in
                let room = self.maximumBatch - (pendingFirst == nil ? 0 : 1)
                let count = min(state.queue.count, room)
                defer { state.queue.removeFirst(count) }
                if count == 0 && pendingFirst == nil { state.writing = false }
                return Array(state.queue.prefix(count))
            }
            var items = batch.map(\.item)
            if let item = pendingFirst { items.insert(item, at: 0) }
            if items.isEmpty { return own! }
            var answers = await self.commit(items)[...]
            if pendingFirst != nil {
                own = answers.removeFirst()
                pendingFirst = nil
            }
            for (waiter, answer) in zip(batch, answers) { waiter.continuation.resume(returning: answer) }
        }
    }
}

/// Records outcomes as group commits: every answer queued while a commit is in progress goes into the next one.
typealias OutcomeRecorder = GroupCommit<OutcomeRecord, Result<LineState, StoreError>>

extension GroupCommit where Item == OutcomeRecord, Answer == Result<LineState, StoreError> {
    convenience init(store: any EngineStore, now: @escaping @Sendable () -> Date) {
        self.init { records in
            do {
                return try await store.recordOutcomes(records, now: now())
            } catch {
                return failingAll(records, error)
            }
        }
    }

    /// Records `record`; returns the line's state afterwards, or why it could not be recorded.
    func record(_ record: OutcomeRecord) async -> Result<LineState, StoreError> { await self.submit(record) }
}

/// Claims the lines of card-reading accounts as group commits: each line is claimed once its card has been read, and
/// the lines whose reads end while a claim commits share the next transaction.
typealias ClaimCommitter = GroupCommit<LineClaim, Result<ClaimedLine?, StoreError>>

extension GroupCommit where Item == LineClaim, Answer == Result<ClaimedLine?, StoreError> {
    convenience init(store: any EngineStore, now: @escaping @Sendable () -> Date) {
        self.init { claims in
            do {
                let claimed = try await store.claim(claims, actor: "engine", now: now())
                let byLine = Dictionary(claimed.map { ($0.line.id, $0) }, uniquingKeysWith: { first, _ in first })
                return claims.map { .success(byLine[$0.line.line.id]) }
            } catch {
                return failingAll(claims, error)
            }
        }
    }

    /// Claims one line; `nil` when it is no longer PENDING as it was read (cancelled, or taken meanwhile).
    func claim(_ claim: LineClaim) async -> Result<ClaimedLine?, StoreError> { await self.submit(claim) }
}

/// One failure per item: a commit that threw failed for every item in it.
private func failingAll<Item, Success>(_ items: [Item], _ error: any Error) -> [Result<Success, StoreError>] {
    let failure = (error as? StoreError) ?? StoreError(.io, "\(error)")
    return Array(repeating: .failure(failure), count: items.count)
}
