import Foundation
import Hummingbird
import NIOCore
import RechargeCore

#if canImport(Glibc)
import Glibc
#endif

/// Writes an upload to a file as it arrives — a month's file is never held in memory — and refuses one larger
/// than the limit before it fills the disk.
enum UploadReceiver {
    /// The format a `Content-Type` names; `nil` for any other type.
    static func format(contentType: String?) -> BatchFormat? {
        guard let contentType else { return nil }
        let media = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch media {
        case "text/csv": return .csv
        case "application/json": return .json
        case "application/x-ndjson", "application/ndjson", "application/jsonl": return .ndjson
        default: return nil
        }
    }

    /// Streams the body into a new file in `directory`; returns its path. The caller removes the file.
    /// - Throws: ``ConsoleError`` `.tooLarge` (nothing kept) when the body passes `limit` bytes.
    static func receive(_ body: RequestBody, into directory: String, limit: Int) async throws -> String {
        let path = (directory as NSString).appendingPathComponent("recharge-upload-\(UUID().uuidString.lowercased()).part")
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ConsoleError(.unavailable, "the upload cannot be written to \(directory): \(String(cString: strerror(errno)))")
        }
        var received = 0
        do {
            defer { close(descriptor) }
            for try await buffer in body {
                received += buffer.readableBytes
                guard received <= limit else {
                    throw ConsoleError(
                        .tooLarge, "the file is larger than the console accepts (\(limit) bytes); nothing was stored")
                }
                try buffer.withUnsafeReadableBytes { bytes in
                    var offset = 0
                    while offset < bytes.count {
                        let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                        if written < 0 {
                            if errno == EINTR { continue }
                            throw ConsoleError(.unavailable, "writing the upload failed: \(String(cString: strerror(errno)))")
                        }
                        offset += written
                    }
                }
            }
        } catch {
            unlink(path)
            throw error
        }
        return path
    }
}
