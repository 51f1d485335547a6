import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// What came back from one HTTP exchange with a provider.
enum HTTPExchange: Sendable {
    /// An answer arrived (any status).
    case response(status: Int, headers: [(String, String)], body: [UInt8])
    /// No answer. `sent` says whether the request may have reached the provider.
    case failed(sent: Bool, reason: String)

    func header(_ name: String) -> String? {
        guard case .response(_, let headers, _) = self else { return nil }
        return headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// Sends requests to a provider and reports failures in the terms that matter for money: was the request
/// provably **not sent** (nothing can have happened), or may it have been acted on?
struct HTTPTransport: Sendable {
    let client: HTTPClient
    /// The largest answer read; a bigger one is a failure after sending.
    let maximumBodyBytes = 1 << 20

    func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)], body: [UInt8]?, timeout: Duration
    ) async -> HTTPExchange {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let milliseconds = Int64(timeout.components.seconds * 1_000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        // AsyncHTTPClient's deadline covers the request until the answer's head (and tells a refused connection,
        // provably not sent, from the rest); the body is then read under the time left, so a provider that
        // trickles an endless body cannot hold the line past the account's time-out.
        let deadline = ContinuousClock.now + timeout
        let response: HTTPClientResponse
        do {
            response = try await self.client.execute(request, timeout: .milliseconds(milliseconds))
        } catch {
            return .failed(sent: !Self.provablyNotSent(error), reason: Self.describe(error))
        }
        let headers = response.headers.map { ($0.name, $0.value) }
        let status = Int(response.status.code)
        let limit = self.maximumBodyBytes
        return await withTaskGroup(of: HTTPExchange?.self) { group in
            group.addTask {
                do {
                    let bytes = try await response.body.collect(upTo: limit)
                    return .response(status: status, headers: headers, body: Array(bytes.readableBytesView))
                } catch {
                    if Task.isCancelled { return nil }
                    return .failed(sent: true, reason: "HTTP \(status), then the body failed: \(Self.describe(error))")
                }
            }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failed(sent: true, reason: "HTTP \(status), but the body did not end within \(milliseconds) ms")
        }
    }

    /// Errors that happen before a request can have left: no connection was ever made.
    static func provablyNotSent(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return [.connectTimeout, .getConnectionFromPoolTimeout, .invalidURL, .alreadyShutdown].contains(error)
        }
        if error is NIOConnectionError { return true }
        // A refused connect: the pool reports the socket's ECONNREFUSED as an IOError (after retrying up to the
        // deadline). ECONNREFUSED comes only from connect, so no connection ever carried the request. (EHOSTUNREACH and
        // ENETUNREACH are left in doubt: a TCP connection already open can report them too.)
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED { return true }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        return false
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "HTTP client: \(error)" }
        if error is NIOConnectionError { return "connection failed" }
        return "\(error)"
    }
}
