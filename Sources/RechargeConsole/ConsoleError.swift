import Foundation
import Hummingbird
import NIOCore

/// A refusal the API returns as `{"error": CODE, "message": TEXT}` with its HTTP status.
package struct ConsoleError: Error, HTTPResponseError, Sendable {
    package enum Code: String, Sendable {
        case badRequest = "bad-request"
        case unauthorized
        case forbidden
        case notFound = "not-found"
        case conflict
        case tooLarge = "too-large"
        case unsupportedType = "unsupported-media-type"
        case invalid
        case throttled = "too-many-attempts"
        case unavailable

        var status: HTTPResponse.Status {
            switch self {
            case .badRequest: .badRequest
            case .unauthorized: .unauthorized
            case .forbidden: .forbidden
            case .notFound: .notFound
            case .conflict: .conflict
            case .tooLarge: .contentTooLarge
            case .unsupportedType: .unsupportedMediaType
            case .invalid: .unprocessableContent
            case .throttled: .tooManyRequests
            case .unavailable: .serviceUnavailable
            }
        }
    }

    package let code: Code
    package let message: String
    package var headers: HTTPFields = [:]

    package init(_ code: Code, _ message: String, headers: HTTPFields = [:]) {
        self.code = code
        self.message = message
        self.headers = headers
    }

    package var status: HTTPResponse.Status { self.code.status }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let body = try JSONSerialization.data(
            withJSONObject: ["error": self.code.rawValue, "message": self.message], options: [.sortedKeys, .withoutEscapingSlashes])
        return Response(status: self.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
