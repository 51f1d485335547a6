import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where a report goes: a buffered byte stream to a file descriptor, or to memory (tests).
///
/// Writes never throw, so renderers stay simple; the first write error is kept, later writes are dropped, and
/// ``finish()`` throws it. The report writer checks ``failed`` between lines and stops early.
///
/// Every byte is also hashed as it goes out, so a renderer can print the SHA-256 of everything it wrote so far
/// (``digest()``): the hash a signed report carries of its own content.
package final class ReportOutput {
    private enum Target {
        case descriptor(Int32)
        case memory
    }

    private let target: Target
    private let capacity: Int
    private var buffer: [UInt8] = []
    private var collected: [UInt8] = []
    private var error: ReportError?
    private var hasher = SHA256()

    /// A stream to an open file descriptor (standard output is 1); the caller keeps ownership of `descriptor`.
    package init(fileDescriptor descriptor: Int32, bufferSize: Int = 1 << 18) {
        self.target = .descriptor(descriptor)
        self.capacity = bufferSize
        self.buffer.reserveCapacity(bufferSize + 4_096)
    }

    /// A stream collected in memory; read it with ``bytes`` after ``finish()``.
    package init() {
        self.target = .memory
        self.capacity = 1 << 16
    }

    /// Whether a write has failed (later writes are dropped).
    package var failed: Bool { self.error != nil }

    /// Everything written, for an in-memory output.
    package var bytes: [UInt8] { self.collected + self.buffer }

    /// Everything written as text, for an in-memory output.
    package var text: String { String(decoding: self.bytes, as: UTF8.self) }

    /// Appends text as UTF-8.
    package func write(_ text: String) {
        var text = text
        text.withUTF8 { self.buffer.append(contentsOf: $0) }
        if self.buffer.count >= self.capacity { self.flush() }
    }

    /// Appends one byte.
    package func write(byte: UInt8) {
        self.buffer.append(byte)
    }

    /// Appends bytes.
    func write(bytes: UnsafeBufferPointer<UInt8>) {
        self.buffer.append(contentsOf: bytes)
        if self.buffer.count >= self.capacity { self.flush() }
    }

    /// The hex SHA-256 of every byte written so far.
    func digest() -> String {
        self.flush()
        return self.hasher.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Writes out everything buffered and reports the first error, if any.
    package func finish() throws(ReportError) {
        self.flush()
        if let error = self.error { throw error }
    }

    private func flush() {
        guard !self.buffer.isEmpty else { return }
        self.hasher.update(data: self.buffer)
        defer { self.buffer.removeAll(keepingCapacity: true) }
        guard self.error == nil else { return }
        switch self.target {
        case .memory:
            self.collected.append(contentsOf: self.buffer)
        case .descriptor(let descriptor):
            self.buffer.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        self.error = ReportError("cannot write the report: \(String(cString: strerror(errno)))")
                        return
                    }
                    offset += written
                }
            }
        }
    }
}

/// A report that could not be written.
package struct ReportError: Error, Hashable, Sendable, CustomStringConvertible {
    package let message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { self.message }
}
