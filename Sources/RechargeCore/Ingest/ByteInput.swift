import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file read in fixed-size chunks, byte by byte, hashing everything it reads with SHA-256.
///
/// Readers pull bytes from it one at a time; only one chunk is ever in memory, so a file of any size is
/// read in constant memory, and the content hash comes out of the same single pass.
struct ByteInput: ~Copyable {
    private let descriptor: Int32?
    private var chunk: [UInt8]
    private var index = 0
    private var filled = 0
    private var finished = false
    private var hasher = SHA256()
    private(set) var bytesRead = 0
    /// A read error, kept so the reader can report it as an I/O failure rather than a short file.
    private(set) var readError: String?

    static let chunkSize = 1 << 20

    /// Opens a file for reading.
    init(path: String) throws(BatchInputError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw BatchInputError(path: path, message: String(cString: strerror(errno)))
        }
        var status = stat()
        if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw BatchInputError(path: path, message: "is a directory, not a batch file")
        }
        self.descriptor = descriptor
        self.chunk = [UInt8](repeating: 0, count: Self.chunkSize)
    }

    /// Reads from bytes already in memory (tests, small inputs).
    init(bytes: [UInt8]) {
        self.descriptor = nil
        self.chunk = bytes
        self.filled = bytes.count
        self.finished = true
        self.bytesRead = bytes.count
        bytes.withUnsafeBytes { self.hasher.update(bufferPointer: $0) }
    }

    deinit {
        if let descriptor { close(descriptor) }
    }

    /// The next byte, or `nil` at the end of the input.
    @inline(__always)
    mutating func next() -> UInt8? {
        if self.index < self.filled {
            let byte = self.chunk[self.index]
            self.index += 1
            return byte
        }
        guard self.refill() else { return nil }
        let byte = self.chunk[self.index]
        self.index += 1
        return byte
    }

    /// The next byte without consuming it.
    @inline(__always)
    mutating func peek() -> UInt8? {
        if self.index < self.filled { return self.chunk[self.index] }
        guard self.refill() else { return nil }
        return self.chunk[self.index]
    }

    /// Consumes the rest of the input (still hashing it), so the hash covers the whole file.
    mutating func drain() {
        while !self.finished || self.index < self.filled {
            self.index = self.filled
            guard self.refill() else { return }
        }
    }

    /// The hex SHA-256 of everything read so far; call after the input is exhausted.
    func sha256Hex() -> String {
        self.hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    private mutating func refill() -> Bool {
        guard !self.finished, let descriptor = self.descriptor else { return false }
        while true {
            let count = self.chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, Self.chunkSize) }
            if count < 0 {
                if errno == EINTR { continue }
                self.readError = String(cString: strerror(errno))
                self.finished = true
                return false
            }
            if count == 0 {
                self.finished = true
                return false
            }
            self.chunk.withUnsafeBytes { self.hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            self.bytesRead += count
            self.index = 0
            self.filled = count
            return true
        }
    }
}

/// A batch file that could not be opened or read at all (as opposed to a file with bad content).
public struct BatchInputError: Error, Hashable, Sendable, CustomStringConvertible {
    public let path: String
    public let message: String

    public var description: String { "\(self.path): \(self.message)" }
}
