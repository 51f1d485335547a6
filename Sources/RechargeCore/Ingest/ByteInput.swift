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
    /// The most bytes read from the file; reading stops there, so no file, however large or endless, is read for ever.
    let maximumBytes: Int
    /// Whether the file has more than `maximumBytes`: the input ended there, short of the file's end.
    private(set) var exceededLimit = false

    static let chunkSize = 1 << 20

    /// Opens a file for reading. Only a regular file is a batch: a device (`/dev/zero`), a FIFO, a socket or a
    /// directory is refused before a byte is read, since reading one may never end or never begin.
    init(path: String, maximumBytes: Int = BatchReader.defaultMaximumFileBytes) throws(BatchInputError) {
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, perhaps for ever.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK)
        guard descriptor >= 0 else {
            let reason = errno
            var status = stat()
            if stat(path, &status) == 0, let kind = Self.nonRegularKind(status.st_mode) {
                throw BatchInputError(path: path, message: Self.notRegularMessage(kind))
            }
            throw BatchInputError(path: path, message: String(cString: strerror(reason)))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw BatchInputError(path: path, message: reason)
        }
        if let kind = Self.nonRegularKind(status.st_mode) {
            close(descriptor)
            throw BatchInputError(path: path, message: Self.notRegularMessage(kind))
        }
        // A regular file: reads block as usual.
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        self.descriptor = descriptor
        self.maximumBytes = maximumBytes
        self.chunk = [UInt8](repeating: 0, count: Self.chunkSize)
    }

    /// Refuses a path that names something other than a regular file, before anything else is said about it.
    static func refuseNonRegularFile(_ path: String) throws(BatchInputError) {
        var status = stat()
        if stat(path, &status) == 0, let kind = Self.nonRegularKind(status.st_mode) {
            throw BatchInputError(path: path, message: Self.notRegularMessage(kind))
        }
    }

    /// What a file that is not a regular file is, or `nil` for a regular file.
    private static func nonRegularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFIFO: "a named pipe"
        case S_IFSOCK: "a socket"
        default: "not a file"
        }
    }

    private static func notRegularMessage(_ kind: String) -> String {
        "is not a regular file (\(kind)); give the path of a batch file (.csv, .json or .ndjson)"
    }

    /// Reads from bytes already in memory (tests, small inputs).
    init(bytes: [UInt8], maximumBytes: Int = BatchReader.defaultMaximumFileBytes) {
        self.descriptor = nil
        self.maximumBytes = maximumBytes
        self.chunk = bytes
        self.filled = min(bytes.count, maximumBytes)
        self.exceededLimit = bytes.count > maximumBytes
        self.finished = true
        self.bytesRead = self.filled
        bytes.withUnsafeBytes { self.hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<self.filled])) }
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

    /// How many bytes have been consumed: the offset of the next byte in the file.
    var position: Int { self.bytesRead - self.filled + self.index }

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
        LowerHex.string(self.hasher.finalize(), count: SHA256.byteCount)
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
            guard count <= self.maximumBytes - self.bytesRead else {
                self.exceededLimit = true
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
    /// The file was read but is refused for what it holds (more bytes than a batch may have), as opposed to a file
    /// that cannot be opened or read.
    public var isRefusedContent = false

    public var description: String { "\(self.path): \(self.message)" }
}
