import Foundation
import GRDB
import RechargeCore

/// A person who uses the console, and what their role lets them do.
package struct ConsoleUser: Hashable, Sendable, Codable, FetchableRecord {
    package enum Role: String, Sendable, Codable, CaseIterable {
        /// Uploads batches, cancels and retries them; never approves.
        case operatorRole = "operator"
        /// Approves and rejects batches uploaded by others.
        case approver
        /// Everything an operator and an approver may do (still never approving their own upload).
        case admin
        /// Reads batches, progress and reports.
        case viewer
    }

    package var id: Int64
    package var name: String
    package var role: Role
    package var disabled: Bool
    package var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, name, role, disabled
        case createdAt = "created_at"
    }

    /// The identity the event log, the uploader and the approvals record: `console:NAME`.
    package var actor: String { "console:" + self.name }
}

extension RechargeDatabase {
    /// Adds a console user with a password hash (never the password). Names are 1–64 letters, digits, `.`, `_`, `-`.
    @discardableResult
    package func addConsoleUser(
        name: String, role: ConsoleUser.Role, passwordHash: String, actor: String, now: Date = Date()
    ) throws
        -> ConsoleUser
    {
        try self.writer.write { db in
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM console_user WHERE name = ?", arguments: [name]) != 0 {
                throw StoreError(.duplicate, "a console user named '\(name.terminalSafe)' exists already")
            }
            do {
                try db.execute(
                    sql: "INSERT INTO console_user (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [name, role.rawValue, passwordHash, Timestamp.string(now)])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw StoreError(.invalidName, "'\(name.terminalSafe)' cannot be a user name: use 1 to 64 letters, digits, '.', '_' or '-'")
            }
            try Self.audit(db, actor: actor, kind: "user-added", detail: "\(name) as \(role.rawValue)", now: now)
            return try ConsoleUser.fetchOne(
                db, sql: "SELECT id, name, role, disabled, created_at FROM console_user WHERE name = ?", arguments: [name])!
        }
    }

    package func consoleUsers() throws -> [ConsoleUser] {
        try self.writer.read { db in
            try ConsoleUser.fetchAll(db, sql: "SELECT id, name, role, disabled, created_at FROM console_user ORDER BY name")
        }
    }

    /// Disables a user and ends every session of theirs at once.
    package func disableConsoleUser(name: String, actor: String, now: Date = Date()) throws {
        try self.writer.write { db in
            try db.execute(sql: "UPDATE console_user SET disabled = 1 WHERE name = ?", arguments: [name])
            guard db.changesCount == 1 else { throw StoreError(.notFound, "no console user named '\(name.terminalSafe)'") }
            try db.execute(
                sql: "DELETE FROM console_session WHERE user_id = (SELECT id FROM console_user WHERE name = ?)", arguments: [name])
            try Self.audit(db, actor: actor, kind: "user-disabled", detail: name, now: now)
        }
    }

    /// The user and password hash a login checks against; `nil` for an unknown or disabled user.
    package func consoleCredentials(name: String) throws -> (user: ConsoleUser, passwordHash: String)? {
        try self.writer.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT id, name, role, disabled, created_at, password_hash FROM console_user WHERE name = ? AND disabled = 0",
                    arguments: [name])
            else { return nil }
            return (try ConsoleUser(row: row), row["password_hash"])
        }
    }

    /// Stores a new session under the SHA-256 of its token.
    package func openConsoleSession(tokenSHA256: String, userID: Int64, expiresAt: Date, now: Date = Date()) throws {
        try self.writer.write { db in
            // Expired sessions go as new ones come: the table holds live sessions only.
            try db.execute(sql: "DELETE FROM console_session WHERE expires_at <= ?", arguments: [Timestamp.string(now)])
            try db.execute(
                sql: "INSERT INTO console_session (token_sha256, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [tokenSHA256, userID, Timestamp.string(now), Timestamp.string(expiresAt)])
        }
    }

    /// The user of a live session, if the session exists, has not expired and its user is not disabled.
    package func consoleSessionUser(tokenSHA256: String, now: Date = Date()) throws -> ConsoleUser? {
        try self.writer.read { db in
            try ConsoleUser.fetchOne(
                db,
                sql: """
                    SELECT u.id, u.name, u.role, u.disabled, u.created_at FROM console_session s JOIN console_user u ON u.id = s.user_id
                    WHERE s.token_sha256 = ? AND s.expires_at > ? AND u.disabled = 0
                    """,
                arguments: [tokenSHA256, Timestamp.string(now)])
        }
    }

    package func closeConsoleSession(tokenSHA256: String) throws {
        try self.writer.write { db in
            try db.execute(sql: "DELETE FROM console_session WHERE token_sha256 = ?", arguments: [tokenSHA256])
        }
    }

    /// Appends to the console's audit log (logins, failures, users).
    package func consoleAudit(actor: String, kind: String, detail: String?, now: Date = Date()) throws {
        try self.writer.write { db in try Self.audit(db, actor: actor, kind: kind, detail: detail, now: now) }
    }

    package func consoleAuditLog() throws -> [(at: String, actor: String, kind: String, detail: String?)] {
        try self.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT at, actor, kind, detail FROM console_audit ORDER BY id").map { ($0[0], $0[1], $0[2], $0[3]) }
        }
    }

    static func audit(_ db: Database, actor: String, kind: String, detail: String?, now: Date) throws {
        try db.execute(
            sql: "INSERT INTO console_audit (at, actor, kind, detail) VALUES (?, ?, ?, ?)",
            arguments: [Timestamp.string(now), actor, kind, detail])
    }
}

extension RechargeDatabase {
    /// Reads from the database: `/healthz` answers 200 only when the store answers.
    package func healthCheck() throws {
        _ = try self.writer.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}
