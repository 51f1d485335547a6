import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RechargeConsole
import RechargeStore
import Testing

/// The pages: only for the signed-in, escaped, under a strict policy, and showing each person what they may do.
@Suite struct PageTests {
    @Test func withoutASessionPagesGoToSignIn() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            for uri in ["/", "/batches", "/batches/1"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/login")
            }
            let login = try await client.execute(uri: "/login", method: .get)
            #expect(login.status == .ok)
            #expect(login.text.contains("id=\"login-form\""))
        }
    }

    @Test func everyPageHasAStrictContentSecurityPolicyAndNoInlineScript() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let olga = try await client.signIn("olga")
            let id = try #require(try await client.upload(Sample.csv, as: olga).json()["id"] as? Int)
            for uri in ["/batches", "/batches/\(id)"] {
                let response = try await client.get(uri, as: olga)
                #expect(response.status == .ok)
                let policy = try #require(response.headers[.contentSecurityPolicy])
                #expect(policy.contains("default-src 'none'"))
                #expect(policy.contains("script-src 'self'"))
                #expect(!policy.contains("unsafe-inline"))
                #expect(response.headers[.frameOptions] == "DENY")
                #expect(!response.text.contains("<script>"), "the only script is /static/console.js")
                #expect(!response.text.contains("http://") && !response.text.contains("https://"), "no CDN, nothing from elsewhere")
            }
            let script = try await client.get("/static/console.js", as: olga)
            #expect(script.headers[.contentType]?.hasPrefix("text/javascript") == true)
        }
    }

    @Test func aHostileBatchNameIsShownAsText() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let olga = try await client.signIn("olga")
            let hostile = "<img src=x onerror=alert(1)>\"'"
            let id = try #require(try await client.upload(Sample.csv, as: olga, name: hostile).json()["id"] as? Int)
            for uri in ["/batches", "/batches/\(id)"] {
                let page = try await client.get(uri, as: olga).text
                #expect(!page.contains("<img src=x"))
                #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;"))
            }
        }
    }

    @Test func theApproveFormIsShownToAnotherApproverNotToTheUploader() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let ada = try await client.signIn("ada")
            let id = try #require(try await client.upload(Sample.csv, as: ada).json()["id"] as? Int)
            let own = try await client.get("/batches/\(id)", as: ada).text
            #expect(!own.contains("id=\"approve-form\""))
            #expect(own.contains("You uploaded this batch"))
            let arne = try await client.signIn("arne")
            let page = try await client.get("/batches/\(id)", as: arne).text
            #expect(page.contains("id=\"approve-form\""))
            #expect(page.contains(try #require(try harness.database.batch(id: Int64(id))).sourceSHA256))
            #expect(page.contains("name=\"csrf-token\" content=\"\(arne.csrf)\""))
            #expect(!page.contains("id=\"cancel-form\""), "an approver does not cancel")
            let viewer = try await client.get("/batches/\(id)", as: try await client.signIn("vic")).text
            #expect(!viewer.contains("id=\"approve-form\"") && !viewer.contains("id=\"cancel-form\""))
            #expect(!viewer.contains("id=\"upload-form\""))
        }
    }
}
