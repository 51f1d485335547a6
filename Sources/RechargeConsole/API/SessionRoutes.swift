import Foundation
import Hummingbird
import RechargeCore
import RechargeStore

/// `POST /api/session` signs in, `GET` says who is signed in (with the CSRF token), `DELETE` signs out.
struct SessionRoutes {
    let settings: ConsoleSettings
    let throttle: LoginThrottle
    /// A hash to check a password against when the name is unknown, so that an unknown name takes as long to
    /// refuse as a wrong password.
    let decoyHash: String

    init(settings: ConsoleSettings) {
        self.settings = settings
        self.throttle = LoginThrottle(limit: settings.throttleFailures, window: settings.throttleWindow)
        self.decoyHash = Passwords.hash(SessionToken.random().value, cost: settings.bcryptCost)
    }

    struct SignIn: Decodable {
        var name: String
        var password: String
    }

    struct SessionView: Encodable {
        var name: String
        var role: String
        var csrfToken: String
    }

    func add(to router: Router<ConsoleContext>) {
        router.post("/api/session") { request, context in try await self.signIn(request, context: context) }
        router.get("/api/session") { _, context in
            let user = try context.requireUser()
            return try JSONResponse.make(SessionView(name: user.name, role: user.role.rawValue, csrfToken: context.session!.csrfToken))
        }
        router.delete("/api/session") { _, context in
            let user = try context.requireUser()
            try self.settings.database.closeConsoleSession(tokenSHA256: context.session!.sha256)
            try self.settings.database.consoleAudit(actor: user.actor, kind: "logout", detail: nil, now: self.settings.now())
            var response = Response(status: .noContent)
            response.setCookie(self.cookie(value: "", maxAge: 0))
            return response
        }
    }

    private func signIn(_ request: Request, context: ConsoleContext) async throws -> Response {
        let body = try await JSONResponse.decode(SignIn.self, from: request, expecting: #"{"name": "...", "password": "..."}"#)
        let now = self.settings.now()
        let keys = ["name:" + body.name, "address:" + context.remoteAddress]
        let database = self.settings.database
        let actor = "console:" + body.name.terminalSafe
        if let retry = self.throttle.retryAfter(keys, now: now) {
            let seconds = max(1, Int(retry.timeIntervalSince(now).rounded(.up)))
            try database.consoleAudit(actor: actor, kind: "login-throttled", detail: "from \(context.remoteAddress)", now: now)
            throw ConsoleError(
                .throttled, "too many failed sign-ins; try again in \(seconds) seconds", headers: [.retryAfter: String(seconds)])
        }
        let credentials = try database.consoleCredentials(name: body.name)
        // bcrypt runs for an unknown name too: the time taken does not tell which names exist.
        let matches = Passwords.verify(body.password, hash: credentials?.passwordHash ?? self.decoyHash)
        guard let credentials, matches else {
            self.throttle.recordFailure(keys, now: now)
            try database.consoleAudit(actor: actor, kind: "login-failed", detail: "from \(context.remoteAddress)", now: now)
            throw ConsoleError(.unauthorized, "the name or the password is wrong (or the user is disabled)")
        }
        self.throttle.recordSuccess(keys[0])
        let token = SessionToken.random()
        try database.openConsoleSession(
            tokenSHA256: token.sha256, userID: credentials.user.id, expiresAt: now.addingTimeInterval(self.settings.sessionLifetime),
            now: now)
        try database.consoleAudit(actor: credentials.user.actor, kind: "login", detail: "from \(context.remoteAddress)", now: now)
        var response = try JSONResponse.make(
            SessionView(name: credentials.user.name, role: credentials.user.role.rawValue, csrfToken: token.csrfToken))
        response.setCookie(self.cookie(value: token.value, maxAge: Int(self.settings.sessionLifetime)))
        return response
    }

    private func cookie(value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: SessionMiddleware.cookieName, value: value, maxAge: maxAge, path: "/", secure: self.settings.secureCookies,
            httpOnly: true,
            sameSite: .strict)
    }
}
