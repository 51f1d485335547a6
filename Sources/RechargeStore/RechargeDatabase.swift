import CSQLiteSettings
import Foundation
import GRDB
import RechargeCore

#if canImport(Glibc)
import Glibc
#endif

/// The processor's database: one SQLite file in WAL mode holding batches, lines, attempts and events.
///
/// Open it once per file per process. Every write method is one transaction that keeps the invariants;
/// the schema (see ``Schema``) refuses whatever would break them.
package struct RechargeDatabase: Sendable {
    let writer: any DatabaseWriter

    /// Opens (and, unless `mustExist`, creates) the database at `path` and brings its schema up to date.
    package init(path: String, mustExist: Bool = false) throws(StoreError) {
        Self.processSettings
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists {
            guard !mustExist else {
                throw StoreError(.databaseUnavailable, "no database at \(path); import a batch first (or pass --db)")
            }
            // Created owner-only: the database holds card ids and amounts.
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if descriptor >= 0 { close(descriptor) }
        }
        try Self.keepOwnerOnly(path)
        var configuration = Configuration()
        // Another process writing (a backup, a second tool) is waited for this long, then reported as locked.
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.prepareDatabase { db in
            // NORMAL in WAL mode survives a killed process; group commits keep it fast.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try self.init(writer: pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.databaseUnavailable, "cannot open the database \(path): \(Self.describe(error))")
        }
    }

    /// SQLite's process-wide settings, made once before the process opens its first connection.
    ///
    /// Memory statistics are off: with them on, each of SQLite's allocations and frees takes one process-wide mutex,
    /// several per inserted line, and nothing here reads the statistics. If a connection was opened before (a library
    /// user's own), SQLite refuses the change and keeps its defaults, which are only slower.
    private static let processSettings: Void = {
        _ = recharge_sqlite_disable_memory_statistics()
    }()

    /// Takes group and other permissions off the database file and its WAL and shared-memory files.
    ///
    /// A file created beforehand (`touch recharge.sqlite`, mode 0644 under a usual umask) would otherwise keep
    /// card ids readable by every local user; SQLite gives its `-wal` and `-shm` files the database file's mode,
    /// so the database file is tightened before they are opened. A file this user cannot change is refused.
    static func keepOwnerOnly(_ path: String) throws(StoreError) {
        for file in [path, path + "-wal", path + "-shm"] {
            var status = stat()
            guard stat(file, &status) == 0 else { continue }
            let mode = status.st_mode & 0o777
            guard mode & 0o077 != 0 else { continue }
            guard chmod(file, mode & 0o700) == 0 else {
                throw StoreError(
                    .databaseUnavailable,
                    "\(file) is open to group or others (mode \(String(mode, radix: 8))) and cannot be changed: "
                        + "\(String(cString: strerror(errno))); chmod 600 it as its owner")
            }
        }
    }

    /// How long a write waits for another process's lock: 10 s, or `RECHARGE_DB_BUSY_TIMEOUT_MS`.
    static var busyTimeout: TimeInterval {
        let milliseconds = ProcessInfo.processInfo.environment["RECHARGE_DB_BUSY_TIMEOUT_MS"].flatMap { Int($0) }
        return milliseconds.map { TimeInterval(max(0, $0)) / 1000 } ?? 10
    }

    /// Uses an already open database (an in-memory queue in tests) and brings its schema up to date.
    package init(writer: any DatabaseWriter) throws(StoreError) {
        self.writer = writer
        do {
            try Schema.migrator.migrate(writer)
        } catch {
            throw StoreError(.databaseUnavailable, "cannot prepare the database schema: \(Self.describe(error))")
        }
    }

    /// An empty in-memory database, for tests.
    package static func inMemory() throws -> RechargeDatabase {
        Self.processSettings
        return try RechargeDatabase(writer: DatabaseQueue())
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "SQLite error \(error.resultCode.rawValue)"
        }
        return "\(error)"
    }
}
