import Foundation
import Hummingbird
import NIOCore

enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A small JSON body of at most 64 KiB, decoded; a malformed one is a 400 that says what was expected.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, expecting: String) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: 64 * 1_024)
        } catch {
            throw ConsoleError(.tooLarge, "the request body is larger than 64 KiB; send \(expecting)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw ConsoleError(.badRequest, "the body must be JSON: \(expecting)")
        }
    }
}
