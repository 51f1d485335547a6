import Foundation
import RechargeCore
import Testing

@testable import RechargeStore

/// Acceptance 1: an import stores every line exactly, with its batch, control totals and event.
@Suite struct ImportStoresLinesTests {
    /// The lines of a file as the reader validates them: what the store must hold, field for field.
    private func readLines(_ path: String) throws -> [BatchLine] {
        var lines: [BatchLine] = []
        let result = try makeReader().read(path: path) { lines.append($0) }
        #expect(result.isValid)
        return lines
    }

    @Test(arguments: [Samples.csv, Samples.json, Samples.ndjson])
    func everyLineIsStoredExactlyAsRead(path: String) throws {
        let database = try RechargeDatabase.inMemory()
        let batch = try database.importValid(path)
        let expected = try self.readLines(path)
        let stored = try database.lines(batchID: batch.id)

        try #require(stored.count == 50)
        try #require(expected.count == 50)
        for (line, record) in zip(expected, stored) {
            #expect(record.batchID == batch.id)
            expectStored(record, asRead: line)
            #expect(record.state == .pending)
            #expect(record.generation == 0)
            #expect(record.idempotencyKey == nil)
            #expect(record.attempts == 0)
            #expect(record.providerReference == nil)
            #expect(record.lastErrorCode == nil)
            #expect(record.updatedAt == fixedNowText)
        }
    }

    @Test func csvLineNumbersArePhysicalLinesAfterTheHeader() throws {
        let database = try RechargeDatabase.inMemory()
        let batch = try database.importValid(Samples.csv)
        #expect(try database.lines(batchID: batch.id).map(\.lineNumber) == Array(2...51))
    }

    @Test func ndjsonLineNumbersArePhysicalLinesAfterTheBatchLine() throws {
        let database = try RechargeDatabase.inMemory()
        let batch = try database.importValid(Samples.ndjson)
        #expect(try database.lines(batchID: batch.id).map(\.lineNumber) == Array(2...51))
    }

    @Test func jsonLineNumbersAreItemIndexes() throws {
        let database = try RechargeDatabase.inMemory()
        let batch = try database.importValid(Samples.json)
        #expect(try database.lines(batchID: batch.id).map(\.lineNumber) == Array(1...50))
    }

    /// Values written out by hand from the sample file, independent of the reader.
    @Test func csvSpotChecksAgainstTheFileText() throws {
        let database = try RechargeDatabase.inMemory()
        let batch = try database.importValid(Samples.csv)

        let first = try #require(try database.line(batchID: batch.id, lineNumber: 2))
        #expect(first.account == "uqpay")
        #expect(first.cardID == "c1acc990-6424-450a-a36b-f9b3ddcb369d")
        #expect(first.amountMinor == 13580)
        #expect(first.currency == "SGD")
        #expect(first.reference == "TOPUP-2026-11-0041")
        #expect(first.remark == "Travel top-up, Q4")

        let hypercard = try #require(try database.line(batchID: batch.id, lineNumber: 3))
        #expect(hypercard.cardID == "00003454323400000028904")  // leading zeros kept
        #expect(hypercard.amountMinor == 20000)
        #expect(hypercard.payCoin == "usdt")

        let onBehalf = try #require(try database.line(batchID: batch.id, lineNumber: 6))
        #expect(onBehalf.onBehalfOf == "3f2b8c1e-9a4d-4c2e-8f1a-2b3c4d5e6f70")

        let pagsmile = try #require(try database.line(batchID: batch.id, lineNumber: 7))
        #expect(pagsmile.amountMinor == 32090)
        #expect(pagsmile.currency == "BRL")
        #expect(pagsmile.payAccountNumber == "PA-7700120045")

        let quoted = try #require(try database.line(batchID: batch.id, lineNumber: 8))
        #expect(quoted.remark == "Team offsite \"Lisbon\"")

        let cents = try #require(try database.line(batchID: batch.id, lineNumber: 14))
        #expect(cents.amountMinor == 99)

        let yen = try #require(try database.line(batchID: batch.id, lineNumber: 29))
        #expect(yen.amountMinor == 5000)
        #expect(yen.currency == "JPY")

        let pesos = try #require(try database.line(batchID: batch.id, lineNumber: 27))
        #expect(pesos.amountMinor == 120_000)
        #expect(pesos.currency == "MXN")
    }

    @Test func csvBatchRowDescribesTheFile() throws {
        let database = try RechargeDatabase.inMemory()
        let batch = try database.importValid(Samples.csv)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: Samples.csv)[.size] as? Int)

        #expect(batch.name == "monthly-2026-11.csv")
        #expect(batch.reference == nil)
        #expect(batch.sourceFile == Samples.csv)
        // sha256sum samples/monthly-2026-11.csv
        #expect(batch.sourceSHA256 == "bcff8479fbe84396ca4d4fd2457d16c961671b6847a25726f12736eaf6b056ab")
        #expect(batch.sourceFormat == "csv")
        #expect(batch.sourceBytes == Int64(size))
        #expect(batch.lineCount == 50)
        #expect(batch.controlLineCount == nil)
        #expect(batch.forced == false)
        #expect(batch.importedAt == fixedNowText)
        #expect(batch.uid.count == 36)
        #expect(try database.batches() == [batch])
    }

    @Test func jsonBatchRowTakesNameReferenceAndControlTotalsFromTheFile() throws {
        let database = try RechargeDatabase.inMemory()
        let batch = try database.importValid(Samples.json)

        #expect(batch.name == "monthly-2026-11")
        #expect(batch.reference == "FIN-OPS-2026-11")
        #expect(batch.sourceFormat == "json")
        #expect(batch.sourceSHA256 == "e0b4dcf9eba2d7af580f888cafcb7ed7a15afe6d3fdfcc43ba7352a4ca7a0909")
        #expect(batch.controlLineCount == 50)
        #expect(
            try database.controlTotals(batchID: batch.id) == [
                "BRL": 110_590, "EUR": 38_550, "JPY": 10_000, "MXN": 245_050, "SGD": 41_580, "USD": 491_120,
            ])
    }

    @Test func ndjsonBatchRowRecordsItsFormat() throws {
        let database = try RechargeDatabase.inMemory()
        let batch = try database.importValid(Samples.ndjson)
        #expect(batch.sourceFormat == "ndjson")
        #expect(batch.reference == "FIN-OPS-2026-11")
        #expect(batch.sourceSHA256 == "727fdbd99a8adc7328d8421c19cdb59b0afea929dc7193f67e84e49a313936f1")
        #expect(try database.controlTotals(batchID: batch.id)["USD"] == 491_120)
    }

    @Test func controlTotalsGivenToTheReaderAreStored() throws {
        let database = try RechargeDatabase.inMemory()
        let control = ControlTotals(
            lineCount: 50,
            sums: ["BRL": "1105.90", "EUR": "385.50", "JPY": "10000", "MXN": "2450.50", "SGD": "415.80", "USD": "4911.20"])
        let batch = try database.importValid(Samples.csv, reader: makeReader(control: control))
        #expect(batch.controlLineCount == 50)
        #expect(
            try database.controlTotals(batchID: batch.id) == [
                "BRL": 110_590, "EUR": 38_550, "JPY": 10_000, "MXN": 245_050, "SGD": 41_580, "USD": 491_120,
            ])
    }

    @Test func theImportIsRecordedAsOneBatchEvent() throws {
        let database = try RechargeDatabase.inMemory()
        let batch = try database.importValid(Samples.csv)
        let events = try database.allEvents(batchID: batch.id)

        try #require(events.count == 1)
        let event = events[0]
        #expect(event.kind == "batch-imported")
        #expect(event.actor == "import")
        #expect(event.lineID == nil)
        #expect(event.at == fixedNowText)
        #expect(event.fromState == nil && event.toState == nil)
        #expect(event.detail?.contains("50 lines") == true)
        #expect(event.detail?.contains(batch.sourceSHA256) == true)
    }

    @Test func aBatchNameGivenInTheRequestWins() throws {
        let database = try RechargeDatabase.inMemory()
        let batch = try database.importValid(Samples.json, name: "november-run")
        #expect(batch.name == "november-run")
        #expect(batch.reference == "november-run")
        #expect(try database.lookUpBatch(BatchReference("november-run")).found?.id == batch.id)
        #expect(try database.lookUpBatch(BatchReference(String(batch.id))).found?.id == batch.id)
    }
}
