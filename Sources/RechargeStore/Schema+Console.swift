extension Schema {
    /// The console's people and sessions. No secret is stored: a password only as its bcrypt hash, a session only as
    /// the SHA-256 of its token (the cookie holds the token; a copy of the database opens no session).
    static let consoleSQL = """
        CREATE TABLE console_user (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64 AND name NOT GLOB '*[^A-Za-z0-9._-]*'),
            role TEXT NOT NULL CHECK (role IN ('operator', 'approver', 'admin', 'viewer')),
            password_hash TEXT NOT NULL CHECK (password_hash GLOB '$2[aby]$*'),
            disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
            created_at TEXT NOT NULL
        );
        CREATE TABLE console_session (
            token_sha256 TEXT PRIMARY KEY CHECK (length(token_sha256) = 64),
            user_id INTEGER NOT NULL REFERENCES console_user(id),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX console_session_by_user ON console_session(user_id);
        -- Logins, failed logins, users added and disabled: append-only, like the event log.
        CREATE TABLE console_audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT
        );
        CREATE TRIGGER console_audit_no_update BEFORE UPDATE ON console_audit
        BEGIN
            SELECT RAISE(ABORT, 'the console audit log is append-only');
        END;
        CREATE TRIGGER console_audit_no_delete BEFORE DELETE ON console_audit
        BEGIN
            SELECT RAISE(ABORT, 'the console audit log is append-only');
        END;
        """
}
