import Foundation
import RechargeCore

/// Hands chunks of validated lines from the reading thread to the inserting thread, with back-pressure.
///
/// At most `capacity` chunks wait at once, so memory stays bounded however fast the reader is. Either side
/// can stop the other: the consumer by `cancel()` (an insert failed), the producer by `finish(_:)`.
/// All state is guarded by `condition`.
package final class LineHandoff: @unchecked Sendable {
    package struct Cancelled: Error {}

    private let condition = NSCondition()
    private let capacity: Int
    private var chunks: [[BatchLine]] = []
    private var finished: Result<BatchReadResult, any Error>?
    private var cancelled = false

    package init(capacity: Int) {
        self.capacity = capacity
    }

    /// Producer: waits for room, then queues `chunk`. Throws ``Cancelled`` once the consumer has given up.
    package func put(_ chunk: [BatchLine]) throws {
        self.condition.lock()
        defer { self.condition.unlock() }
        while self.chunks.count >= self.capacity && !self.cancelled { self.condition.wait() }
        if self.cancelled { throw Cancelled() }
        self.chunks.append(chunk)
        self.condition.broadcast()
    }

    /// Producer: the reading is over, with its result or error.
    package func finish(_ result: Result<BatchReadResult, any Error>) {
        self.condition.lock()
        self.finished = result
        self.condition.broadcast()
        self.condition.unlock()
    }

    /// Consumer: the next chunk, or `nil` once the producer has finished and everything was taken.
    package func take() -> [BatchLine]? {
        self.condition.lock()
        defer { self.condition.unlock() }
        while self.chunks.isEmpty && self.finished == nil { self.condition.wait() }
        guard !self.chunks.isEmpty else { return nil }
        let chunk = self.chunks.removeFirst()
        self.condition.broadcast()
        return chunk
    }

    /// Consumer: stop the producer, then wait for its result.
    package func cancel() -> Result<BatchReadResult, any Error> {
        self.condition.lock()
        defer { self.condition.unlock() }
        self.cancelled = true
        self.chunks.removeAll()
        self.condition.broadcast()
        while self.finished == nil { self.condition.wait() }
        return self.finished!
    }

    /// Consumer: the producer's result, once `take()` has returned `nil`.
    package func result() -> Result<BatchReadResult, any Error> {
        self.condition.lock()
        defer { self.condition.unlock() }
        while self.finished == nil { self.condition.wait() }
        return self.finished!
    }
}

extension BatchReader {
    /// Reads on a separate thread, handing validated lines to `consume` on the calling thread in chunks.
    ///
    /// Parsing and validation run in parallel with whatever `consume` does (the SQLite inserts of an
    /// import), which on a machine with two cores nearly halves the time of a large import. If `consume`
    /// throws, reading stops and the error is rethrown.
    func readPipelined(
        _ request: ImportRequest, chunkSize: Int = 4_096, consume: ([BatchLine]) throws -> Void
    ) throws -> BatchReadResult {
        let handoff = self.startReading(request, chunkSize: chunkSize)
        while let chunk = handoff.take() {
            do {
                try consume(chunk)
            } catch {
                _ = handoff.cancel()
                throw error
            }
        }
        return try handoff.result().get()
    }

    /// Starts reading `request`'s file on a thread of its own; its validated lines arrive in chunks through the
    /// returned handoff, and its result once ``LineHandoff/take()`` has returned `nil`.
    package func startReading(_ request: ImportRequest, chunkSize: Int = 4_096) -> LineHandoff {
        let handoff = LineHandoff(capacity: 8)
        let reader = self
        let thread = Thread {
            var chunk: [BatchLine] = []
            chunk.reserveCapacity(chunkSize)
            let result = Result {
                let read = try reader.read(path: request.path, displayName: request.displayName, format: request.format) { line in
                    chunk.append(line)
                    if chunk.count == chunkSize {
                        try handoff.put(chunk)
                        chunk.removeAll(keepingCapacity: true)
                    }
                }
                if !chunk.isEmpty && read.isValid { try handoff.put(chunk) }
                return read
            }
            handoff.finish(result)
        }
        thread.stackSize = 1 << 22
        thread.start()
        return handoff
    }
}
