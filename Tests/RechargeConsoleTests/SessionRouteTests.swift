import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RechargeConsole
import RechargeStore
import Testing

/// Signing in and out: the cookie's attributes, the CSRF token, the throttle, and the audit of every attempt.
@Suite struct SessionRouteTests {
    @Test func signingInSetsAStrictHttpOnlySessionCookieAndGivesTheCSRFToken() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let response = try await client.execute(
                uri: "/api/session", method: .post, body: ByteBuffer(string: #"{"name":"olga","password":"\#(ConsoleHarness.password)"}"#))
            #expect(response.status == .ok)
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.hasPrefix("recharge_session="))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(!cookie.contains("Secure"), "plain HTTP on loopback: a Secure cookie would never come back")
            let body = try response.json()
            #expect(body["name"] as? String == "olga")
            #expect(body["role"] as? String == "operator")
            let csrf = try #require(body["csrfToken"] as? String)
            // GET /api/session gives the same token to the page; the token is not the cookie.
            let session = Session(cookie: String(cookie.split(separator: ";")[0]), csrf: csrf)
            let again = try await client.get("/api/session", as: session)
            #expect(try again.json()["csrfToken"] as? String == csrf)
            #expect(!session.cookie.contains(csrf))
        }
        // Neither the session token nor the password is in the database: only hashes.
        let audit = try harness.database.consoleAuditLog()
        #expect(audit.contains { $0.kind == "login" && $0.actor == "console:olga" })
    }

    @Test func underTLSTheCookieIsSecure() async throws {
        let harness = try ConsoleHarness(secureCookies: true)
        try await harness.test { client in
            let response = try await client.execute(
                uri: "/api/session", method: .post, body: ByteBuffer(string: #"{"name":"olga","password":"\#(ConsoleHarness.password)"}"#))
            #expect(try #require(response.headers[.setCookie]).contains("Secure"))
        }
    }

    @Test func aWrongPasswordOrAnUnknownNameIs401AndAudited() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            for body in [#"{"name":"olga","password":"wrong password!!"}"#, #"{"name":"nobody","password":"whatever it is"}"#] {
                let response = try await client.execute(uri: "/api/session", method: .post, body: ByteBuffer(string: body))
                #expect(response.status == .unauthorized)
                #expect(response.errorCode == "unauthorized")
                #expect(response.headers[.setCookie] == nil)
            }
            let malformed = try await client.execute(uri: "/api/session", method: .post, body: ByteBuffer(string: "name=olga"))
            #expect(malformed.status == .badRequest)
        }
        let failures = try harness.database.consoleAuditLog().filter { $0.kind == "login-failed" }
        #expect(failures.map(\.actor) == ["console:olga", "console:nobody"])
    }

    @Test func afterFiveFailuresSignInIsRefusedWith429UntilTheWindowPasses() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let wrong = ByteBuffer(string: #"{"name":"arne","password":"not the password"}"#)
            for _ in 0..<5 {
                #expect(try await client.execute(uri: "/api/session", method: .post, body: wrong).status == .unauthorized)
            }
            // Now even the right password is refused: the throttle does not say whether it was right.
            let right = ByteBuffer(string: #"{"name":"arne","password":"\#(ConsoleHarness.password)"}"#)
            let refused = try await client.execute(uri: "/api/session", method: .post, body: right)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.errorCode == "too-many-attempts")
            let retryAfter = try #require(refused.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...900).contains(retryAfter))
            harness.advance(by: 15 * 60 + 1)
            #expect(try await client.execute(uri: "/api/session", method: .post, body: right).status == .ok)
        }
        #expect(try harness.database.consoleAuditLog().contains { $0.kind == "login-throttled" && $0.actor == "console:arne" })
    }

    @Test func aWriteWithoutTheCSRFTokenIs403AndWithoutASessionIs401() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let olga = try await client.signIn("olga")
            let csv = ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: Sample.csv)))
            let noToken = try await client.execute(
                uri: "/api/batches", method: .post, headers: [.cookie: olga.cookie, .contentType: "text/csv"], body: csv)
            #expect(noToken.status == .forbidden)
            #expect(noToken.text.contains("CSRF"))
            var wrong = olga.writeHeaders
            wrong[.csrfToken] = String(repeating: "0", count: 64)
            wrong[.contentType] = "text/csv"
            #expect(try await client.execute(uri: "/api/batches", method: .post, headers: wrong, body: csv).status == .forbidden)
            let noSession = try await client.execute(uri: "/api/batches", method: .post, headers: [.contentType: "text/csv"], body: csv)
            #expect(noSession.status == .unauthorized)
            #expect(try await client.execute(uri: "/api/batches", method: .get).status == .unauthorized)
        }
        #expect(try harness.database.batches().isEmpty)
    }

    @Test func signingOutEndsTheSessionAndSoDoesDisablingTheUser() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let olga = try await client.signIn("olga")
            let out = try await client.execute(uri: "/api/session", method: .delete, headers: olga.writeHeaders)
            #expect(out.status == .noContent)
            #expect(try #require(out.headers[.setCookie]).contains("Max-Age=0"))
            #expect(try await client.get("/api/batches", as: olga).status == .unauthorized)

            let vic = try await client.signIn("vic")
            #expect(try await client.get("/api/batches", as: vic).status == .ok)
            try harness.database.disableConsoleUser(name: "vic", actor: "operator:test")
            #expect(try await client.get("/api/batches", as: vic).status == .unauthorized)
            let again = try await client.execute(
                uri: "/api/session", method: .post, body: ByteBuffer(string: #"{"name":"vic","password":"\#(ConsoleHarness.password)"}"#))
            #expect(again.status == .unauthorized)
        }
    }

    @Test func aSessionExpires() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let olga = try await client.signIn("olga")
            harness.advance(by: 8 * 3_600 - 60)
            #expect(try await client.get("/api/batches", as: olga).status == .ok)
            harness.advance(by: 120)
            #expect(try await client.get("/api/batches", as: olga).status == .unauthorized)
        }
    }

    @Test func healthzAnswersWithoutASession() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(response.text == "ok\n")
        }
    }
}
