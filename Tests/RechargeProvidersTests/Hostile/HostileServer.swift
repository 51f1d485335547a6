import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Testing

/// A provider gone wrong: one loopback server that answers every top-up and status request the same broken way.
/// UQPay's token request gets a valid token, so that its top-up is what meets the hostile answer.
enum HostileAnswer: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case malformedJSON = "malformed JSON"
    case htmlPageWith200 = "an HTML error page with status 200"
    case truncatedBody = "a body cut short"
    case wrongContentType = "plain text where JSON was expected"
    case endlessSlowBody = "a body that never ends"
    case hugeBody = "a 5 MB body"
    case successWithoutReference = "the success code without the provider's reference"
    case unknownStatus = "an unknown status value"

    var testDescription: String { self.rawValue }
}

struct HostileServer {
    /// The provider-specific body for the two answers that imitate the provider's own envelope.
    let envelopes: [String: (successWithoutReference: String, unknownStatus: String)]

    static let providerBodies: [String: (successWithoutReference: String, unknownStatus: String)] = [
        "vcc": (#"{"code":0,"msg":"success","data":{"status":1}}"#, #"{"code":0,"msg":"success","data":{"status":7,"reqNo":"R1"}}"#),
        "hypercard": (#"{"code":"00000","message":"success","data":{}}"#, #"{"code":"77777","message":"strange","data":{}}"#),
        "pagsmile": (#"{"code":"10000","msg":"Success"}"#, #"{"code":"77777","msg":"strange"}"#),
        "uqpay": (#"{"order_status":"SUCCESS"}"#, #"{"card_order_id":"o-1","order_status":"TELEPORTED"}"#),
        "paycertify": (#"{"vcard":{}}"#, #"{"vcard":{"id":"x","status":"zombie"}}"#),
    ]

    /// Runs the server for `answer` on a free loopback port for the duration of `body`.
    static func with<T: Sendable>(_ answer: HostileAnswer, _ body: @Sendable (Int) async throws -> T) async throws -> T {
        let router = Router()
        let respond: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let path = request.uri.path
            if path.hasSuffix("/connect/token") {
                let expires = Int(Date().timeIntervalSince1970) + 3600
                return Self.json(#"{"auth_token":"hostile-token","expired_at":\#(expires)}"#)
            }
            let provider = path.split(separator: "/").first.map(String.init) ?? ""
            return Self.response(answer, provider: provider)
        }
        for method in [HTTPRequest.Method.get, .post, .put] {
            router.on("**", method: method, use: respond)
        }
        var logger = Logger(label: "hostile")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: logger)
        let group = ServiceGroup(services: [application], gracefulShutdownSignals: [], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            defer { tasks.cancelAll() }
            let result = try await body(port)
            await group.triggerGracefulShutdown()
            return result
        }
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func response(_ answer: HostileAnswer, provider: String) -> Response {
        switch answer {
        case .malformedJSON:
            return Self.json(#"{"code":0,"msg":"success","data":{"reqNo":"#)
        case .htmlPageWith200:
            return Response(
                status: .ok, headers: [.contentType: "text/html"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "<html><body><h1>Maintenance</h1>We'll be back soon.</body></html>")))
        case .truncatedBody:
            // Says 400 bytes, sends 30, then the connection ends.
            return Response(
                status: .ok, headers: [.contentType: "application/json", .contentLength: "400"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: #"{"code":0,"msg":"success","da"#))
                    throw CancellationError()
                })
        case .wrongContentType:
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: "OK")))
        case .endlessSlowBody:
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "{"))
                    while true {
                        try await Task.sleep(for: .milliseconds(20))
                        try await writer.write(ByteBuffer(string: " "))
                    }
                })
        case .hugeBody:
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "[" + String(repeating: "0,", count: 2_500_000) + "0]")))
        case .successWithoutReference:
            return Self.json(Self.providerBodies[provider]?.successWithoutReference ?? "{}")
        case .unknownStatus:
            return Self.json(Self.providerBodies[provider]?.unknownStatus ?? "{}")
        }
    }
}
