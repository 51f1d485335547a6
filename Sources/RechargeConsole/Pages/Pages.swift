import Foundation
import Hummingbird
import NIOCore
import RechargeCore
import RechargeReport
import RechargeStore

/// The console's pages, rendered on the server. They read the same store as the API and act only through it:
/// each form posts to the API with the session's CSRF token (console.js), so every rule is enforced once, there.
struct Pages {
    let settings: ConsoleSettings

    func add(to router: Router<ConsoleContext>) {
        router.get("/") { _, context in Self.redirect(context.user == nil ? "/login" : "/batches") }
        router.get("/login") { _, context in
            if context.user != nil { return Self.redirect("/batches") }
            return Self.page(title: "Sign in", user: nil, session: nil, body: Self.loginForm)
        }
        router.get("/batches") { _, context in
            guard let user = context.user, let session = context.session else { return Self.redirect("/login") }
            let items = try self.settings.database.batches().sorted { $0.id > $1.id }.prefix(500).map {
                try BatchViews.listItem($0, database: self.settings.database)
            }
            return Self.page(title: "Batches", user: user, session: session, body: BatchListPage.render(items, user: user))
        }
        router.get("/batches/:id") { _, context in
            guard let user = context.user, let session = context.session else { return Self.redirect("/login") }
            guard let id = context.parameters.get("id", as: Int64.self), let batch = try self.settings.database.batch(id: id) else {
                throw ConsoleError(.notFound, "no such batch")
            }
            let body = try BatchPage.render(batch, database: self.settings.database, user: user, now: self.settings.now)
            return Self.page(title: "Batch \(batch.id)", user: user, session: session, body: body)
        }
        router.get("/static/console.js") { _, _ in Self.asset(ConsoleAssets.script, type: "text/javascript; charset=utf-8") }
        router.get("/static/console.css") { _, _ in Self.asset(ConsoleAssets.style, type: "text/css; charset=utf-8") }
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func page(title: String, user: ConsoleUser?, session: SessionToken?, body: HTML) -> Response {
        let header: HTML =
            if let user, let session {
                """
                <nav><a href="/batches">Batches</a>
                <span class="who">\(user.name) (\(user.role.rawValue))</span>
                <form class="api-form" data-endpoint="/api/session" data-method="DELETE" data-then="/login">
                <input type="hidden" name="csrf" value="\(session.csrfToken)"><button type="submit">Sign out</button></form></nav>
                """
            } else {
                "<nav><span>recharge console</span></nav>"
            }
        let csrf: HTML = session.map { "<meta name=\"csrf-token\" content=\"\($0.csrfToken)\">" } ?? ""
        let html: HTML = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(title) · recharge</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">\(csrf)
            <link rel="stylesheet" href="/static/console.css"><script src="/static/console.js" defer></script></head>
            <body>\(header)<main>\(body)</main></body></html>
            """
        return Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html.text)))
    }

    static let loginForm: HTML = """
        <h1>Sign in</h1>
        <form id="login-form" class="card">
        <label>Name <input name="name" autocomplete="username" required></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
        <button type="submit">Sign in</button>
        <p class="form-error" role="alert"></p>
        </form>
        """
}
