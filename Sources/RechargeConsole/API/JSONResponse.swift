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
        guard let value = try await Self.decode(type, from: request, expecting: expecting, allowEmpty: false) else {
            throw ConsoleError(.badRequest, "the body must be JSON: \(expecting)")
        }
        return value
    }

    /// As ``decode(_:from:expecting:)``, but an empty (or blank) body is `nil`: a request whose body is optional.
    static func decodeIfPresent<T: Decodable>(_ type: T.Type, from request: Request, expecting: String) async throws -> T? {
        try await Self.decode(type, from: request, expecting: expecting, allowEmpty: true)
    }

    private static func decode<T: Decodable>(
        _ type: T.Type, from request: Request, expecting: String, allowEmpty: Bool
    ) async throws -> T? {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: 64 * 1_024)
        } catch {
            throw ConsoleError(.tooLarge, "the request body is larger than 64 KiB; send \(expecting)")
        }
        let bytes = Data(buffer.readableBytesView)
        if allowEmpty, bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: bytes)
        } catch {
            throw ConsoleError(.badRequest, "the body must be JSON: \(expecting)")
        }
    }
}
