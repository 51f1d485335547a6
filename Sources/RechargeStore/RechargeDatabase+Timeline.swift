import Foundation
import GRDB
import RechargeCore

/// One entry of a batch's timeline: who did what to the batch, and when.
package struct TimelineEntry: Hashable, Sendable {
    package var at: String
    package var actor: String
    package var kind: String
    package var detail: String?
}

extension RechargeDatabase {
    /// A batch's history as people read it: its import (by its uploader), each decision and operator action on the batch as a whole,
    /// and each run that worked on it, oldest first. Line-by-line engine events stay in the event log and the report.
    package func batchTimeline(batchID: Int64) throws -> [TimelineEntry] {
        try self.writer.read { db in
            guard let batch = try BatchRecord.fetchOne(db, sql: "SELECT * FROM batch WHERE id = ?", arguments: [batchID]) else {
                throw StoreError(.notFound, "no batch \(batchID)")
            }
            var entries: [TimelineEntry] = []
            // Batch-level events have no line: the index on line_id finds them without reading the line events.
            for row in try Row.fetchAll(
                db, sql: "SELECT at, actor, kind, detail FROM event WHERE line_id IS NULL AND batch_id = ? ORDER BY id",
                arguments: [batchID])
            {
                let actor: String = row[1]
                let kind: String = row[2]
                // The import's event names the step ("import"); the timeline names the person who uploaded.
                let who = kind == "batch-imported" && actor == "import" ? (batch.uploadedBy ?? actor) : actor
                entries.append(TimelineEntry(at: row[0], actor: who, kind: kind, detail: row[3]))
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT holder, host, pid, started_at, finished_at, outcome FROM run
                    WHERE batch_id = ? OR (batch_id IS NULL AND started_at >= ?) ORDER BY id
                    """,
                arguments: [batchID, batch.importedAt])
            {
                let holder: String = row[0]
                let host: String = row[1]
                let pid: Int = row[2]
                entries.append(TimelineEntry(at: row[3], actor: "runner \(holder)", kind: "run-started", detail: "on \(host), pid \(pid)"))
                if let finished: String = row[4] {
                    entries.append(TimelineEntry(at: finished, actor: "runner \(holder)", kind: "run-finished", detail: row[5]))
                }
            }
            // Timestamps are fixed-width UTC: text order is time order; the sort is stable for equal times.
            return entries.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        }
    }
}
