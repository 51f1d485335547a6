import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An answer a simulated provider gives, before faults are applied.
struct SimResponse: Sendable {
    var status: HTTPResponse.Status
    var body: [UInt8]
    var headers: [(String, String)] = []
    /// Whether this request applied a top-up (after-apply faults only strike then).
    var applied = false
    /// The provider's error code, counted in the stats as a rejection.
    var rejection: String?

    func response() -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in self.headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        return Response(status: self.status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: self.body)))
    }
}

/// How a provider words the answers that are not about the request itself.
protocol ProviderStyle: Sendable {
    /// The provider's name in paths, configuration and the ledger.
    var provider: String { get }
    /// The provider's own rate limit was exceeded.
    func rateLimited(remaining: Int, limit: Int) -> SimResponse
    /// An injected 429 with `Retry-After`.
    func throttled(retryAfterSeconds: Int) -> SimResponse
    /// The provider's 5xx (before or after applying).
    func unavailable() -> SimResponse
}

extension ProviderStyle {
    func throttled(retryAfterSeconds: Int) -> SimResponse {
        var response = self.rateLimited(remaining: 0, limit: 0)
        response.headers.append(("Retry-After", String(retryAfterSeconds)))
        return response
    }
}
