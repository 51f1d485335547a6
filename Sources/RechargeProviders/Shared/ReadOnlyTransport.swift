import NIOHTTP1

/// The transport a provider's lookup speaks through: it sends only to the provider's read endpoints (order,
/// transaction and card queries) and refuses anything else before it leaves, so no lookup can move money
/// whatever its code does. A refused request is reported as not sent.
struct ReadOnlyTransport: Sendable {
    let transport: HTTPTransport
    /// The read endpoints, as `METHOD path` where the path is matched against the URL's end (a `*` segment
    /// stands for one path segment, such as an order id).
    let endpoints: [(method: HTTPMethod, pattern: [Substring])]

    init(_ transport: HTTPTransport, reads endpoints: [(HTTPMethod, String)]) {
        self.transport = transport
        self.endpoints = endpoints.map { ($0.0, $0.1.split(separator: "/")) }
    }

    func send(_ method: HTTPMethod, _ url: String, headers: [(String, String)], body: [UInt8]?, timeout: Duration) async -> HTTPExchange {
        guard self.allows(method, url) else {
            return .failed(sent: false, reason: "refused: \(method) \(url) is not one of this provider's read endpoints")
        }
        return await self.transport.send(method, url, headers: headers, body: body, timeout: timeout)
    }

    func allows(_ method: HTTPMethod, _ url: String) -> Bool {
        let path = url.split(separator: "?", maxSplits: 1).first ?? ""
        let segments = path.split(separator: "/")
        return self.endpoints.contains { endpoint in
            guard endpoint.method == method, segments.count >= endpoint.pattern.count else { return false }
            return zip(segments.suffix(endpoint.pattern.count), endpoint.pattern).allSatisfy { $1 == "*" || $0 == $1 }
        }
    }
}
