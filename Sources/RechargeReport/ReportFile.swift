import Foundation
import RechargeStore

#if canImport(Glibc)
import Glibc
#endif

/// A file that is there whole or not at all: written to a temporary file in the same folder (`PATH.partial-PID`),
/// flushed to disk, then renamed over `path`, so a reader never sees half of it and a crash leaves the old file
/// (or none) and at most the temporary one.
package enum AtomicFile {
    /// Writes `path` through `body`, which writes to the open file descriptor it is given.
    /// - Parameter permissions: the new file's mode; owner-only by default (reports quote card data).
    /// - Throws: ``ReportError`` when the file cannot be created, flushed or renamed; whatever `body` throws (the
    ///   temporary file is removed).
    package static func write(to path: String, permissions: mode_t = 0o600, _ body: (Int32) throws -> Void) throws {
        let temporary = path + ".partial-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, permissions)
        guard descriptor >= 0 else { throw ReportError("cannot write \(path): \(String(cString: strerror(errno)))") }
        var isOpen = true
        do {
            try body(descriptor)
            var failure: Int32 = 0
            if fsync(descriptor) != 0 { failure = errno }
            isOpen = false
            if close(descriptor) != 0, failure == 0 { failure = errno }
            if failure == 0, rename(temporary, path) != 0 { failure = errno }
            guard failure == 0 else { throw ReportError("cannot write \(path): \(String(cString: strerror(failure)))") }
        } catch {
            if isOpen { close(descriptor) }
            unlink(temporary)
            throw error
        }
    }

    /// Writes `text` to `path` as UTF-8.
    package static func write(_ text: String, to path: String, permissions: mode_t = 0o600) throws {
        try Self.write(to: path, permissions: permissions) { descriptor in
            let output = ReportOutput(fileDescriptor: descriptor)
            output.write(text)
            try output.finish()
        }
    }
}

extension ReconciliationReport {
    /// Writes the report of `batchID` in `format` to the file `path`, whole or not at all (``AtomicFile``).
    /// - Throws: ``ReportError`` when the file cannot be written, `StoreError` when the database cannot be read.
    package static func writeFile(batchID: Int64, from database: RechargeDatabase, format: ReportFormat, path: String) throws {
        try AtomicFile.write(to: path) { descriptor in
            try Self.write(batchID: batchID, from: database, format: format, to: ReportOutput(fileDescriptor: descriptor))
        }
    }
}
