import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RechargeConsole
import RechargeCore
import RechargeStore
import Testing

/// Reading batches and acting on them: lists and totals, cancel, reports, progress.
@Suite struct BatchRouteTests {
    @Test func theListAndTheBatchShowStateTotalsUploaderAndSumsPerStateAndCurrency() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let olga = try await client.signIn("olga")
            let id = try #require(try await client.upload(Sample.csv, as: olga, name: "november").json()["id"] as? Int)
            let vic = try await client.signIn("vic")
            let list = try await client.get("/api/batches", as: vic).jsonArray()
            let item = try #require(list.first)
            #expect(item["id"] as? Int == id)
            #expect(item["state"] as? String == "AWAITING_APPROVAL")
            #expect(item["uploadedBy"] as? String == "console:olga")
            #expect(item["lines"] as? Int == 50)
            let totals = try #require(item["totals"] as? [String: String])
            #expect(totals["USD"] == "4911.20")
            #expect(totals["JPY"] == "10000")
            let detail = try await client.get("/api/batches/\(id)", as: vic).json()
            let states = try #require(detail["states"] as? [[String: Any]])
            #expect(states.allSatisfy { $0["state"] as? String == "PENDING" })
            let usd = states.filter { $0["currency"] as? String == "USD" }
            #expect(usd.reduce(0) { $0 + ($1["lines"] as? Int ?? 0) } == 32)
            #expect(detail["sha256"] as? String == (try harness.database.batch(id: Int64(id)))?.sourceSHA256)
        }
    }

    @Test func aViewerCancellingIs403AndAnOperatorCancelsTheUnsentLines() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let olga = try await client.signIn("olga")
            let id = try #require(try await client.upload(Sample.csv, as: olga).json()["id"] as? Int)
            let viewer = try await client.post("/api/batches/\(id)/cancel", as: try await client.signIn("vic"))
            #expect(viewer.status == .forbidden)
            let approver = try await client.post("/api/batches/\(id)/cancel", as: try await client.signIn("arne"))
            #expect(approver.status == .forbidden)
            let response = try await client.post("/api/batches/\(id)/cancel", as: olga)
            #expect(response.status == .ok)
            #expect(try response.json()["cancelled"] as? Int == 50)
            let timeline = try await client.get("/api/batches/\(id)/timeline", as: olga).jsonArray()
            #expect(timeline.contains { $0["kind"] as? String == "batch-cancel" && $0["actor"] as? String == "console:olga" })
        }
    }

    @Test func resolvingALineThatIsNotUnknownIsAConflictAndNeedsANote() async throws {
        let harness = try ConsoleHarness(approval: nil)
        try await harness.test { client in
            let olga = try await client.signIn("olga")
            let id = try #require(try await client.upload(Sample.csv, as: olga).json()["id"] as? Int)
            let noNote = try await client.post("/api/batches/\(id)/lines/1/resolve", as: olga, json: #"{"outcome":"success","note":" "}"#)
            #expect(noNote.status == .badRequest)
            let pending = try await client.post(
                "/api/batches/\(id)/lines/2/resolve", as: olga, json: #"{"outcome":"success","note":"ticket 12"}"#)
            #expect(pending.status == .conflict)
            #expect(pending.text.contains("only UNKNOWN lines"))
            let missing = try await client.post(
                "/api/batches/\(id)/lines/999/resolve", as: olga, json: #"{"outcome":"failed","note":"ticket 12"}"#)
            #expect(missing.status == .notFound)
        }
    }

    @Test(arguments: [("csv", "text/csv"), ("json", "application/json"), ("html", "text/html")])
    func theReportDownloadsInEachFormat(format: String, type: String) async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let olga = try await client.signIn("olga")
            let id = try #require(try await client.upload(Sample.csv, as: olga).json()["id"] as? Int)
            let response = try await client.get("/api/batches/\(id)/report?format=\(format)", as: try await client.signIn("vic"))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix(type) == true)
            #expect(response.headers[.contentDisposition]?.contains("batch-\(id)-report.\(format)") == true)
            #expect(response.text.contains("4911.20"))
            #expect(!response.text.contains("00003454323400000028904"), "card ids are masked as in the reports")
        }
        #expect(harness.leftoverUploads.isEmpty, "the report's file is removed once it is sent")
    }

    @Test func anUnknownReportFormatIs400() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let olga = try await client.signIn("olga")
            let id = try #require(try await client.upload(Sample.csv, as: olga).json()["id"] as? Int)
            #expect(try await client.get("/api/batches/\(id)/report?format=xlsx", as: olga).status == .badRequest)
        }
    }

    @Test func theProgressStreamEndsWithADoneEventWhenEveryLineIsSettled() async throws {
        let harness = try ConsoleHarness()
        try await harness.test(.live) { client in
            let olga = try await client.signIn("olga")
            let id = try #require(try await client.upload(Sample.csv, as: olga).json()["id"] as? Int)
            _ = try await client.post("/api/batches/\(id)/reject", as: try await client.signIn("arne"), json: #"{"reason":"test"}"#)
            let response = try await client.get("/api/batches/\(id)/progress", as: olga)
            #expect(response.headers[.contentType] == "text/event-stream")
            let events = response.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
            let last = try #require(events.last)
            #expect(last.hasPrefix("event: done\ndata: "))
            let data = try #require(last.split(separator: "\n").last?.dropFirst("data: ".count))
            let snapshot = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
            #expect(snapshot["done"] as? Int == 50)
            #expect(snapshot["total"] as? Int == 50)
            let accounts = try #require(snapshot["accounts"] as? [[String: Any]])
            #expect(accounts.reduce(0) { $0 + ($1["cancelled"] as? Int ?? 0) } == 50)
        }
    }
}
