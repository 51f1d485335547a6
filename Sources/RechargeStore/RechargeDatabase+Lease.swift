import Foundation
import GRDB
import RechargeCore

extension LeaseHolder: FetchableRecord {}

extension RechargeDatabase {
    /// Takes the runner lease unless another runner holds a live one. One runner per database: two runners
    /// would claim the same lines. A lease whose holder stopped renewing it (a killed process) expires after `ttl`
    /// and is taken over.
    package func acquireLease(holder: String, host: String, pid: Int, ttl: TimeInterval, now: Date) throws -> LeaseResult {
        let at = Timestamp.string(now)
        let expires = Timestamp.string(now.addingTimeInterval(ttl))
        return try self.writer.write { db in
            let current = try LeaseHolder.fetchOne(db, sql: "SELECT * FROM lease WHERE id = 1")
            if let current, current.holder != holder, current.expiresAt > at {
                return .held(by: current)
            }
            try db.execute(
                sql: """
                    INSERT INTO lease (id, holder, host, pid, acquired_at, heartbeat_at, expires_at) VALUES (1, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET holder = excluded.holder, host = excluded.host, pid = excluded.pid,
                        acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at
                    """,
                arguments: [holder, host, pid, at, at, expires])
            return .acquired(tookOverFrom: current?.holder == holder ? nil : current)
        }
    }

    /// Extends the lease; `false` when this runner no longer holds it (it expired and was taken over), in which
    /// case the runner must stop claiming lines at once.
    package func renewLease(holder: String, ttl: TimeInterval, now: Date) throws -> Bool {
        try self.writer.write { db in
            try db.execute(
                sql: "UPDATE lease SET heartbeat_at = ?, expires_at = ? WHERE id = 1 AND holder = ?",
                arguments: [Timestamp.string(now), Timestamp.string(now.addingTimeInterval(ttl)), holder])
            return db.changesCount == 1
        }
    }

    /// Gives the lease up (at a clean exit), if this runner holds it.
    package func releaseLease(holder: String) throws {
        try self.writer.write { db in
            try db.execute(sql: "DELETE FROM lease WHERE id = 1 AND holder = ?", arguments: [holder])
        }
    }

    /// The current lease, if any.
    package func currentLease() throws -> LeaseHolder? {
        try self.writer.read { db in try LeaseHolder.fetchOne(db, sql: "SELECT * FROM lease WHERE id = 1") }
    }
}
