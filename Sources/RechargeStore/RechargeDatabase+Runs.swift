import Foundation
import GRDB
import RechargeCore

/// One execution of `recharge run`, as the report lists it.
package struct RunRecord: Hashable, Sendable, Codable, FetchableRecord {
    package var id: Int64
    package var holder: String
    package var host: String
    package var pid: Int
    /// The batch the run was limited to; `nil` for a run over every batch with work left.
    package var batchID: Int64?
    package var startedAt: String
    package var finishedAt: String?
    /// How it ended (`completed`, `interrupted`, `lease-lost`, ...); `nil` while running or after a crash.
    package var outcome: String?

    enum CodingKeys: String, CodingKey {
        case id, holder, host, pid
        case batchID = "batch_id"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case outcome
    }
}

extension RechargeDatabase {
    /// Records the start of a run; returns its id.
    package func startRun(holder: String, host: String, pid: Int, batchID: Int64?, now: Date) throws -> Int64 {
        try self.writer.write { db in
            try db.execute(
                sql: "INSERT INTO run (holder, host, pid, batch_id, started_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [holder, host, pid, batchID, Timestamp.string(now)])
            return db.lastInsertedRowID
        }
    }

    /// Records how a run ended.
    package func finishRun(id: Int64, outcome: String, now: Date) throws {
        try self.writer.write { db in
            try db.execute(
                sql: "UPDATE run SET finished_at = ?, outcome = ? WHERE id = ?", arguments: [Timestamp.string(now), outcome, id])
        }
    }

    /// The runs that may have worked on `batchID`: those limited to it and those over every batch started after it
    /// was imported, oldest first.
    package func runs(batchID: Int64) throws -> [RunRecord] {
        try self.writer.read { db in
            try RunRecord.fetchAll(
                db,
                sql: """
                    SELECT run.* FROM run, batch WHERE batch.id = ?
                        AND (run.batch_id = batch.id OR (run.batch_id IS NULL AND run.started_at >= batch.imported_at))
                    ORDER BY run.started_at, run.id
                    """,
                arguments: [batchID])
        }
    }
}
