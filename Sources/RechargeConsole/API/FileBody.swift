import Foundation
import Hummingbird
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

enum FileBody {
    /// A response body read from `path` in 64 KiB pieces as the client takes them; the file is removed after.
    static func streaming(path: String, removeAfter: Bool) -> ResponseBody {
        ResponseBody { writer in
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            if removeAfter { unlink(path) }  // The open descriptor keeps the data until it is closed.
            guard descriptor >= 0 else { throw ConsoleError(.unavailable, "the report file cannot be read") }
            defer { close(descriptor) }
            var buffer = ByteBufferAllocator().buffer(capacity: 65_536)
            while true {
                buffer.clear()
                let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 65_536) { bytes in
                    max(0, read(descriptor, bytes.baseAddress, 65_536))
                }
                if count == 0 { break }
                try await writer.write(buffer)
            }
            try await writer.finish(nil)
        }
    }
}
