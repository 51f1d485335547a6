import Foundation
import RechargeCore
import TestSupport
import Testing

@testable import RechargeStore

/// Acceptance 3: the same content, or the same batch reference, is refused unless forced.
@Suite struct DuplicateImportTests {
    @Test(arguments: [Samples.csv, Samples.json, Samples.ndjson])
    func theSameContentTwiceIsRefusedNamingTheEarlierBatch(path: String) throws {
        let database = try RechargeDatabase.inMemory()
        let first = try database.importValid(path)
        let before = try database.tableCounts()

        let outcome = try database.importBatch(ImportRequest(path: path), reader: makeReader(), now: fixedNow)
        let duplicate = try #require(outcome.duplicate)
        #expect(duplicate.existing == first)
        #expect(duplicate.reason.contains("batch \(first.id)"))
        #expect(duplicate.reason.contains(first.name))
        #expect(try database.tableCounts() == before)
    }

    @Test func theSameContentUnderAnotherFileNameIsRefused() throws {
        try withTemporaryDirectory { directory in
            let database = try RechargeDatabase.inMemory()
            let first = try database.importValid(Samples.csv)
            let copy = directory.appendingPathComponent("renamed-copy.csv")
            try FileManager.default.copyItem(atPath: Samples.csv, toPath: copy.path)

            let outcome = try database.importBatch(ImportRequest(path: copy.path), reader: makeReader(), now: fixedNow)
            let duplicate = try #require(outcome.duplicate)
            #expect(duplicate.existing.id == first.id)
            #expect(duplicate.reason.contains("same file content"))
            #expect(try database.count("batch") == 1)
            #expect(try database.count("line") == 50)
        }
    }

    @Test func forceImportsTheSameContentAgain() throws {
        let database = try RechargeDatabase.inMemory()
        let first = try database.importValid(Samples.csv)

        let outcome = try database.importBatch(ImportRequest(path: Samples.csv, force: true), reader: makeReader(), now: fixedNow)
        let second = try #require(outcome.imported).batch
        #expect(second.id != first.id)
        #expect(second.uid != first.uid)
        #expect(second.forced)
        #expect(!first.forced)
        #expect(second.sourceSHA256 == first.sourceSHA256)
        #expect(try database.batches().map(\.id) == [first.id, second.id])
        #expect(try database.lines(batchID: second.id).count == 50)
        #expect(try database.count("line") == 100)
        let event = try #require(try database.allEvents(batchID: second.id).first)
        #expect(event.detail?.contains("forced") == true)
    }

    /// The JSON and NDJSON samples differ in content but share `"reference": "FIN-OPS-2026-11"`.
    @Test func theSameReferenceWithOtherContentIsRefused() throws {
        let database = try RechargeDatabase.inMemory()
        let first = try database.importValid(Samples.json)
        let before = try database.tableCounts()

        let outcome = try database.importBatch(ImportRequest(path: Samples.ndjson), reader: makeReader(), now: fixedNow)
        let duplicate = try #require(outcome.duplicate)
        #expect(duplicate.existing.id == first.id)
        #expect(duplicate.reason.contains("FIN-OPS-2026-11"))
        #expect(try database.tableCounts() == before)

        let forced = try database.importBatch(ImportRequest(path: Samples.ndjson, force: true), reader: makeReader(), now: fixedNow)
        #expect(forced.imported?.batch.reference == "FIN-OPS-2026-11")
        #expect(try database.count("batch") == 2)
    }

    @Test func theSameBatchNameGivenTwiceIsRefused() throws {
        let database = try RechargeDatabase.inMemory()
        let first = try database.importValid(Samples.csv, name: "november")

        let outcome = try database.importBatch(
            ImportRequest(path: Samples.json, name: "november"), reader: makeReader(), now: fixedNow)
        let duplicate = try #require(outcome.duplicate)
        #expect(duplicate.existing.id == first.id)
        #expect(duplicate.reason.contains("'november'"))
        #expect(try database.count("batch") == 1)
        #expect(try database.count("line") == 50)
    }

    @Test func otherContentUnderAnotherNameIsNotADuplicate() throws {
        let database = try RechargeDatabase.inMemory()
        try database.importValid(Samples.csv)
        try database.importValid(Samples.json)
        #expect(try database.count("batch") == 2)
        #expect(try database.count("line") == 100)
    }
}
