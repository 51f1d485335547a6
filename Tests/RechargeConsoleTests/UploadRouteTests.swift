import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RechargeConsole
import RechargeStore
import Testing

/// Uploading a batch file: validated by the same validator as `recharge import`, stored whole or not at all.
@Suite struct UploadRouteTests {
    @Test(arguments: [(Sample.csv, "text/csv"), (Sample.json, "application/json"), (Sample.ndjson, "application/x-ndjson")])
    func aValidFileIsStoredAndAwaitsApprovalWithItsUploader(path: String, type: String) async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let olga = try await client.signIn("olga")
            let response = try await client.upload(path, as: olga, type: type, name: "november")
            #expect(response.status == .created)
            let body = try response.json()
            let id = try #require(body["id"] as? Int)
            #expect(body["state"] as? String == "AWAITING_APPROVAL")
            let batch = try #require(try harness.database.batch(id: Int64(id)))
            #expect(batch.name == "november")
            #expect(batch.uploadedBy == "console:olga")
            #expect(batch.lineCount == 50)
        }
        #expect(harness.leftoverUploads.isEmpty, "the upload's file is removed once it is stored")
    }

    @Test func theBrowsersFileNameIsTheSourceFileAndNamesTheBatchWhenNoNameIsGiven() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let olga = try await client.signIn("olga")
            var headers = olga.writeHeaders
            headers[.contentType] = "text/csv"
            let data = try Data(contentsOf: URL(fileURLWithPath: Sample.csv))
            let response = try await client.execute(
                uri: "/api/batches?file=monthly-2026-11.csv", method: .post, headers: headers, body: ByteBuffer(bytes: data))
            let id = try #require(try response.json()["id"] as? Int)
            let batch = try #require(try harness.database.batch(id: Int64(id)))
            #expect(batch.sourceFile == "monthly-2026-11.csv")
            #expect(batch.name == "monthly-2026-11.csv", "named as recharge import names it: after the file")
        }
    }

    @Test func anInvalidFileIs422WithEachErrorsLineColumnAndValueAndNothingIsStored() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let olga = try await client.signIn("olga")
            let response = try await client.upload(Sample.badAmounts, as: olga)
            #expect(response.status == .unprocessableContent)
            let body = try response.json()
            let errors = try #require(body["errors"] as? [[String: Any]])
            #expect(errors.count == 6)
            #expect(body["more"] as? Int == 0)
            let first = try #require(errors.first)
            #expect(first["line"] as? Int == 3)
            #expect(first["column"] as? String == "amount")
            #expect(first["value"] as? String == "200,00")
            #expect((first["message"] as? String)?.contains("use '.' as the decimal separator") == true)
        }
        #expect(try harness.database.batches().isEmpty)
        #expect(harness.leftoverUploads.isEmpty)
    }

    @Test func theSameFileTwiceIsRefusedWith409() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let olga = try await client.signIn("olga")
            #expect(try await client.upload(Sample.csv, as: olga).status == .created)
            let again = try await client.upload(Sample.csv, as: olga, name: "another name")
            #expect(again.status == .conflict)
            #expect(again.text.contains("nothing was stored"))
        }
        #expect(try harness.database.batches().count == 1)
    }

    @Test func aFileLargerThanTheLimitIs413AndNothingIsKept() async throws {
        let harness = try ConsoleHarness(maxUploadBytes: 1_000)
        try await harness.test(.live) { client in
            let olga = try await client.signIn("olga")
            let response = try await client.upload(Sample.csv, as: olga)
            #expect(response.status == .contentTooLarge)
            #expect(response.errorCode == "too-large")
        }
        #expect(try harness.database.batches().isEmpty)
        #expect(harness.leftoverUploads.isEmpty)
    }

    @Test func anotherContentTypeIs415AndABadNameIs400() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            let olga = try await client.signIn("olga")
            #expect(try await client.upload(Sample.csv, as: olga, type: "application/vnd.ms-excel").status == .unsupportedMediaType)
            #expect(try await client.upload(Sample.csv, as: olga, name: "12").status == .badRequest)
        }
        #expect(try harness.database.batches().isEmpty)
    }

    @Test func viewersAndApproversCannotUpload() async throws {
        let harness = try ConsoleHarness()
        try await harness.test { client in
            for name in ["vic", "arne"] {
                let session = try await client.signIn(name)
                let response = try await client.upload(Sample.csv, as: session)
                #expect(response.status == .forbidden)
                #expect(response.text.contains("operator or admin"))
            }
        }
        #expect(try harness.database.batches().isEmpty)
    }

    @Test func withoutAnApprovalRuleAnUploadMayRunAtOnceAndWakesTheRunner() async throws {
        let harness = try ConsoleHarness(approval: nil)
        try await harness.test { client in
            let olga = try await client.signIn("olga")
            let response = try await client.upload(Sample.csv, as: olga)
            #expect(try response.json()["state"] as? String == "NOT_REQUIRED")
        }
        #expect(harness.wokenCount == 1)
    }
}
