import Foundation
import Hummingbird
import NIOCore
import RechargeCore
import RechargeStore

/// A batch's progress as a server-sent event stream: a `progress` event every second with, per provider
/// account, lines done of total, in doubt and failed, the recent rate and the time left at that rate; a last
/// `done` event when every line is settled, then the stream ends.
///
/// It reads the store, not the runner: a `recharge run` in another process shows here the same way.
struct ProgressStream {
    let database: RechargeDatabase
    let batchID: Int64
    let now: @Sendable () -> Date
    var interval: Duration = .seconds(1)

    struct Account: Encodable, Equatable {
        var account: String
        var total: Int
        var done: Int
        var succeeded: Int
        var failed: Int
        var cancelled: Int
        /// Sent and not yet answered (PROCESSING), or answered in a way nobody can settle yet (UNKNOWN).
        var inDoubt: Int
        var pending: Int
    }

    struct Snapshot: Encodable {
        var batch: Int64
        var state: String
        var total: Int
        var done: Int
        var failed: Int
        var inDoubt: Int
        /// Lines settled per second over the last half minute; `nil` until there is something to measure.
        var ratePerSecond: Double?
        /// Seconds left at that rate; `nil` without a rate.
        var etaSeconds: Int?
        var accounts: [Account]
        var at: String
    }

    func snapshot(rate: Double?) throws -> Snapshot {
        guard let batch = try self.database.batch(id: self.batchID) else { throw ConsoleError(.notFound, "no batch \(self.batchID)") }
        let rows = try self.database.status(batchID: self.batchID)
        var accounts: [String: Account] = [:]
        for row in rows {
            var entry =
                accounts[row.account]
                ?? Account(account: row.account, total: 0, done: 0, succeeded: 0, failed: 0, cancelled: 0, inDoubt: 0, pending: 0)
            entry.total += row.count
            if row.state.isSettled { entry.done += row.count }
            switch row.state {
            case .success: entry.succeeded += row.count
            case .failed: entry.failed += row.count
            case .cancelled: entry.cancelled += row.count
            case .processing, .unknown: entry.inDoubt += row.count
            case .pending: entry.pending += row.count
            }
            accounts[row.account] = entry
        }
        let list = accounts.values.sorted { $0.account < $1.account }
        let total = list.reduce(0) { $0 + $1.total }
        let done = list.reduce(0) { $0 + $1.done }
        let phase = BatchPhase(approval: batch.approvalState, counts: BatchViews.counts(rows))
        let eta = rate.flatMap { $0 > 0 ? Int((Double(total - done) / $0).rounded(.up)) : nil }
        return Snapshot(
            batch: self.batchID, state: phase.rawValue, total: total, done: done, failed: list.reduce(0) { $0 + $1.failed },
            inDoubt: list.reduce(0) { $0 + $1.inDoubt }, ratePerSecond: rate.map { ($0 * 10).rounded() / 10 }, etaSeconds: eta,
            accounts: list, at: Timestamp.string(self.now()))
    }

    func response() -> Response {
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-store"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in try await self.stream(to: &writer) })
    }

    private func stream(to writer: inout any ResponseBodyWriter) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var history: [(at: Date, done: Int)] = []
        // A stream shows at most 24 hours: a browser left open does not hold a connection forever.
        for _ in 0..<86_400 {
            let now = self.now()
            let rate: Double? = {
                guard let first = history.first, let last = history.last, last.at > first.at, last.done > first.done else { return nil }
                return Double(last.done - first.done) / last.at.timeIntervalSince(first.at)
            }()
            let snapshot = try self.snapshot(rate: rate)
            history.append((now, snapshot.done))
            history.removeAll { now.timeIntervalSince($0.at) > 30 }
            let settled = snapshot.done == snapshot.total && snapshot.state != BatchPhase.awaitingApproval.rawValue
            let event = settled ? "done" : "progress"
            let data = String(decoding: try encoder.encode(snapshot), as: UTF8.self)
            try await writer.write(ByteBuffer(string: "event: \(event)\ndata: \(data)\n\n"))
            if settled { break }
            try await Task.sleep(for: self.interval)
        }
        try await writer.finish(nil)
    }
}
