import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RechargeConsole
import RechargeCore
import RechargeStore
import Testing

/// Four eyes through the API: roles decide who may decide, the store refuses the uploader, approval is of the
/// exact content.
@Suite struct ApprovalRouteTests {
    @Test func theUploaderApprovingTheirOwnBatchIs403EvenAsAdmin() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let ada = try await client.signIn("ada")
            let id = try #require(try await client.upload(Sample.csv, as: ada).json()["id"] as? Int)
            let response = try await client.post("/api/batches/\(id)/approve", as: ada)
            #expect(response.status == .forbidden)
            #expect(response.text.contains("four eyes"))
            let reject = try await client.post("/api/batches/\(id)/reject", as: ada, json: #"{"reason":"mine"}"#)
            #expect(reject.status == .forbidden)
        }
        #expect(try harness.database.batches().first?.approvalState == .awaitingApproval)
    }

    @Test func anOperatorOrViewerApprovingIs403() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let ada = try await client.signIn("ada")
            let id = try #require(try await client.upload(Sample.csv, as: ada).json()["id"] as? Int)
            for name in ["olga", "vic"] {
                let response = try await client.post("/api/batches/\(id)/approve", as: try await client.signIn(name))
                #expect(response.status == .forbidden)
                #expect(response.text.contains("approver or admin"))
            }
        }
    }

    @Test func anApproverApprovesTheExactContentAndTheBatchMayRun() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let olga = try await client.signIn("olga")
            let id = try #require(try await client.upload(Sample.csv, as: olga).json()["id"] as? Int)
            let arne = try await client.signIn("arne")
            let detail = try await client.get("/api/batches/\(id)", as: arne).json()
            let sha = try #require(detail["sha256"] as? String)
            let wrong = try await client.post(
                "/api/batches/\(id)/approve", as: arne, json: #"{"sha256":"\#(String(repeating: "a", count: 64))"}"#)
            #expect(wrong.status == .conflict)
            let response = try await client.post("/api/batches/\(id)/approve", as: arne, json: #"{"sha256":"\#(sha)"}"#)
            #expect(response.status == .ok)
            let approval = try #require(try response.json()["approval"] as? [String: Any])
            #expect(approval["state"] as? String == "APPROVED")
            let decisions = try #require(approval["decisions"] as? [[String: Any]])
            #expect(decisions.map { $0["approver"] as? String } == ["console:arne"])
            // Deciding again, after the batch is approved, is a conflict, not a second approval.
            #expect(try await client.post("/api/batches/\(id)/approve", as: try await client.signIn("abe")).status == .conflict)
        }
        #expect(harness.wokenCount == 1, "an approval wakes the in-process runner")
        let batch = try #require(try harness.database.batches().first)
        #expect(batch.approvalState == .approved)
        let timeline = try harness.database.batchTimeline(batchID: batch.id)
        #expect(
            timeline.contains {
                $0.kind == "batch-approved-by" && $0.actor == "console:arne" && $0.detail?.contains(batch.sourceSHA256) == true
            })
    }

    @Test func twoApproversAboveTheLimitMustBeTwoPeople() async throws {
        let usd = try #require(Currency(code: "USD"))
        let harness = try ConsoleHarness(approval: ApprovalPolicy(twoApproversAbove: ["USD": try Money.parse("100.00", currency: usd)]))
        try await harness.test { client in
            let olga = try await client.signIn("olga")
            let id = try #require(try await client.upload(Sample.csv, as: olga).json()["id"] as? Int)
            let arne = try await client.signIn("arne")
            let first = try await client.post("/api/batches/\(id)/approve", as: arne)
            #expect(try #require(try first.json()["approval"] as? [String: Any])["state"] as? String == "AWAITING_APPROVAL")
            let twice = try await client.post("/api/batches/\(id)/approve", as: arne)
            #expect(twice.status == .forbidden)
            #expect(twice.text.contains("already decided"))
            let second = try await client.post("/api/batches/\(id)/approve", as: try await client.signIn("abe"))
            #expect(try #require(try second.json()["approval"] as? [String: Any])["state"] as? String == "APPROVED")
        }
    }

    @Test func aRejectionNeedsAReasonAndCancelsEveryLine() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let olga = try await client.signIn("olga")
            let id = try #require(try await client.upload(Sample.csv, as: olga).json()["id"] as? Int)
            let arne = try await client.signIn("arne")
            #expect(try await client.post("/api/batches/\(id)/reject", as: arne).status == .badRequest)
            let response = try await client.post("/api/batches/\(id)/reject", as: arne, json: #"{"reason":"wrong month"}"#)
            #expect(response.status == .ok)
            let body = try response.json()
            #expect(body["state"] as? String == "REJECTED")
            #expect((body["counts"] as? [String: Int])?["CANCELLED"] == 50)
        }
    }

    @Test func aBatchThatDoesNotExistIs404() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let arne = try await client.signIn("arne")
            #expect(try await client.post("/api/batches/99/approve", as: arne).status == .notFound)
            #expect(try await client.get("/api/batches/99", as: arne).status == .notFound)
            #expect(try await client.get("/api/batches/abc", as: arne).status == .notFound)
        }
    }
}
