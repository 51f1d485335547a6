import Foundation
import HTTPTypes
import Hummingbird
import RechargeStore

/// Finds the signed-in user from the session cookie, and refuses any write without the session's CSRF token.
///
/// Sign-in itself (`POST /api/session`) needs no token: it has no session yet, and the cookie it sets is
/// `SameSite=Strict`, so another site cannot use it.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = ConsoleContext
    static let cookieName = "recharge_session"

    let settings: ConsoleSettings

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let value = request.cookies[Self.cookieName]?.value, !value.isEmpty {
            let token = SessionToken(value: value)
            if let user = try self.settings.database.consoleSessionUser(tokenSHA256: token.sha256, now: self.settings.now()) {
                context.user = user
                context.session = token
            }
        }
        if Self.isWrite(request.method), !Self.isSignIn(request) {
            guard let session = context.session else {
                throw ConsoleError(.unauthorized, "sign in first: POST /api/session with your name and password")
            }
            let given = request.headers[.csrfToken] ?? request.uri.queryParameters.get("csrf")
            guard session.acceptsCSRF(given) else {
                throw ConsoleError(
                    .forbidden, "the CSRF token is missing or wrong: send the csrfToken of GET /api/session in the X-CSRF-Token header")
            }
        }
        return try await next(request, context)
    }

    static func isWrite(_ method: HTTPRequest.Method) -> Bool {
        method != .get && method != .head && method != .options
    }

    static func isSignIn(_ request: Request) -> Bool {
        request.method == .post && request.uri.path == "/api/session"
    }
}

/// Headers every response carries: no framing, no sniffing, no referrer, and a policy that lets a page load only
/// this server's own script and style (no CDN, no inline script).
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = ConsoleContext
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; frame-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        // A response that sets its own policy keeps it (the report page: its own inline style, shown in a frame).
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
            response.headers[.xFrameOptions] = "DENY"
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        return response
    }
}

extension HTTPField.Name {
    static let csrfToken = HTTPField.Name("X-CSRF-Token")!
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
