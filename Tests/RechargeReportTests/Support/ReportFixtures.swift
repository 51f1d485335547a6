import Foundation
import RechargeCore
import RechargeProviders
import RechargeStore
import TestSupport
import Testing

@testable import RechargeReport

/// A fixed clock for reports: 2026-11-22T04:30:00.123Z, plus `seconds`.
func at(_ seconds: Int = 0) -> Date {
    Date(timeIntervalSince1970: 1_795_321_800.123 + Double(seconds))
}

/// Imports `csv` (a batch file's text) into `database` under `name`, through the store's public import.
func importBatch(
    _ csv: String, name: String, into database: RechargeDatabase, control: ControlTotals = ControlTotals(), now: Date = at()
) throws -> BatchRecord {
    try withTemporaryDirectory { directory in
        let path = directory.appendingPathComponent("\(name).csv").path
        try Data(csv.utf8).write(to: URL(fileURLWithPath: path))
        let reader = BatchReader(configuration: .builtInDefault, profiles: .all, control: control)
        let outcome = try database.importBatch(
            ImportRequest(path: path, displayName: "\(name).csv", name: name), reader: reader, now: now)
        guard case .imported(let batch, _) = outcome else {
            Issue.record("the batch did not import: \(outcome)")
            throw ReportError("import failed")
        }
        return batch
    }
}

/// The stored line number of the `row`th data row of a CSV file with a header (line numbers are physical lines).
func lineNumber(row: Int) -> Int { row + 1 }

/// Claims the line of the `row`th data row and records an outcome for it.
@discardableResult
func settle(
    _ database: RechargeDatabase, _ batch: BatchRecord, row: Int, _ event: LineEvent, errorCode: String? = nil,
    errorMessage: String? = nil, providerReference: String? = nil, receipt: ProviderReceipt? = nil, sentAt: Date, doneAt: Date
) throws -> LineRecord {
    let line = try #require(try database.line(batchID: batch.id, lineNumber: lineNumber(row: row)))
    let claimed = try database.claim([(line.id, nil)], now: sentAt)
    let claim = try #require(claimed.first, "row \(row) was not claimed")
    try database.recordOutcome(
        lineID: line.id, attemptNumber: claim.attemptNumber, event: event, outcome: "\(event)", errorCode: errorCode,
        errorMessage: errorMessage, providerReference: providerReference, receipt: receipt, now: doneAt)
    return try #require(try database.line(batchID: batch.id, lineNumber: lineNumber(row: row)))
}

/// The batch behind the golden files: every final state, three exponents (USD 2, JPY 0, BHD 3), a fee-bearing
/// provider (HyperCard credits less its fee), an operator-resolved line, a verification mismatch and a run.
enum GoldenBatch {
    static let csv = #"""
        provider,card_id,amount,currency,reference,remark,pay_coin,pay_account_num,on_behalf_of
        vcc,100030108904,120.00,USD,TOPUP-0001,Monthly allowance,,,
        vcc,100030182311,5000,JPY,TOPUP-0002,"Team offsite ""Lisbon""",,,
        hypercard,00003454323400000028904,200.00,USD,TOPUP-0003,,usdt,,
        vcc,100030145577,12.345,BHD,TOPUP-0004,Per diem,,,
        vcc,100030145578,1.500,BHD,TOPUP-0005,,,,
        uqpay,c1acc990-6424-450a-a36b-f9b3ddcb369d,50.00,USD,TOPUP-0006,"Travel, Q4",,,
        paycertify,c1b87f1a-7323-491b-99f9-cbef0f69a4d0,75.25,USD,TOPUP-0007,,,,
        pagsmile,CT000000001234,300.00,BRL,TOPUP-0008<&>,<b>bold</b> & more,,PA-7700120045,
        vcc,100030199999,2500,JPY,TOPUP-0009,,,,
        uqpay,f3703ef0-f9cb-429c-93fe-5cb435cc1d96,10.00,SGD,TOPUP-0010,,,,

        """#

    /// The uid an import draws at random, replaced by this in every output compared with a golden file.
    static let uidPlaceholder = "00000000-0000-0000-0000-000000000000"

    /// The report's own SHA-256, which covers the uid, replaced by this in every output compared with a golden file.
    static let hashPlaceholder = String(repeating: "0", count: 64)

    /// The golden batch in a fresh in-memory database.
    static func make() throws -> (RechargeDatabase, BatchRecord) {
        let database = try RechargeDatabase.inMemory()
        let control = ControlTotals(
            lineCount: 10, sums: ["USD": "445.25", "JPY": "7500", "BHD": "13.845", "BRL": "300.00", "SGD": "10.00"])
        let batch = try importBatch(Self.csv, name: "golden-2026-11", into: database, control: control, now: at())

        let run = try database.startRun(holder: "engine", host: "ops-1", pid: 4242, batchID: batch.id, now: at(60))
        // SUCCESS: plain, in JPY, and HyperCard's receipt with its fee (credited < requested).
        try settle(database, batch, row: 1, .applied, providerReference: "VCC-REQ-0001", sentAt: at(61), doneAt: at(62))
        try settle(database, batch, row: 2, .applied, providerReference: "VCC-REQ-0002", sentAt: at(61), doneAt: at(63))
        let usd = Currency(code: "USD")!
        try settle(
            database, batch, row: 3, .applied,
            receipt: ProviderReceipt(
                providerReference: "HC-ORDER-77", credited: Money(minorUnits: 19_700, currency: usd),
                fee: ChargedAmount(minorUnits: 300_000_000, unit: "USDT"), exchangeRate: "1"),
            sentAt: at(61), doneAt: at(64))
        // FAILED with the provider's words (a comma and quotes in the message).
        try settle(
            database, batch, row: 4, .rejected, errorCode: "1005", errorMessage: #"Card "frozen", contact issuer"#,
            sentAt: at(61), doneAt: at(65))
        // UNKNOWN: in doubt, then unresolvable.
        try settle(
            database, batch, row: 5, .unresolvable, errorCode: "timeout", errorMessage: "no answer within 30 s; status query inconclusive",
            sentAt: at(61), doneAt: at(90))
        // UNKNOWN, then resolved by an operator with evidence.
        try settle(database, batch, row: 6, .unresolvable, errorCode: "timeout", sentAt: at(61), doneAt: at(91))
        try database.resolveUnknown(
            batchID: batch.id, lineNumber: lineNumber(row: 6), succeeded: true, note: "UQPay portal shows order CO-88 applied",
            actor: "operator:alice", now: at(600))
        // One line stays in flight and one goes back to PENDING (provably not applied); the rest is cancelled.
        let inFlight = try #require(try database.line(batchID: batch.id, lineNumber: lineNumber(row: 10)))
        _ = try database.claim([(inFlight.id, nil)], now: at(70))
        let retry = try #require(try database.line(batchID: batch.id, lineNumber: lineNumber(row: 9)))
        let retryClaim = try database.claim([(retry.id, nil)], now: at(70))
        try database.cancelPending(batchID: batch.id, actor: "operator:alice", note: "withdrawn", now: at(120))
        try database.recordOutcome(
            lineID: retry.id, attemptNumber: retryClaim[0].attemptNumber, event: .notApplied, outcome: "not-applied", errorCode: "http:429",
            errorMessage: "rate limited", now: at(121))
        try database.finishRun(id: run, outcome: "interrupted", now: at(130))
        // A verification pass found the credited amount of a successful line disagreeing with the provider.
        let verified = try #require(try database.line(batchID: batch.id, lineNumber: lineNumber(row: 1)))
        try database.recordMismatch(lineID: verified.id, kind: "amount", detail: "provider statement shows 100.00 USD", now: at(700))
        return (database, batch)
    }
}

/// Writes a report to memory, with the batch uid replaced by ``GoldenBatch/uidPlaceholder`` and the sign-off's
/// SHA-256 (which covers the random uid) by ``GoldenBatch/hashPlaceholder``; `SignedReportTests` checks the hash.
func render(_ database: RechargeDatabase, _ batch: BatchRecord, _ format: ReportFormat) throws -> String {
    let output = ReportOutput()
    try ReconciliationReport.write(batchID: batch.id, from: database, format: format, to: output, generatedAt: at(3_600))
    var text = output.text
    if let hash = SignedReportTests.printedHash(text) {
        text = text.replacingOccurrences(of: hash, with: GoldenBatch.hashPlaceholder)
    }
    return text.replacingOccurrences(of: batch.uid, with: GoldenBatch.uidPlaceholder)
}

/// A minimal RFC 4180 reader for checking what the report wrote.
func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var field = ""
    var quoted = false
    var iterator = Array(text.unicodeScalars).makeIterator()
    var pending: Unicode.Scalar? = nil
    while let scalar = pending ?? iterator.next() {
        pending = nil
        if quoted {
            if scalar == "\"" {
                let next = iterator.next()
                if next == "\"" {
                    field.unicodeScalars.append("\"")
                } else {
                    quoted = false
                    pending = next
                }
            } else {
                field.unicodeScalars.append(scalar)
            }
            continue
        }
        switch scalar {
        case "\"": quoted = true
        case ",":
            row.append(field)
            field = ""
        case "\r":
            break
        case "\n":
            row.append(field)
            rows.append(row)
            row = []
            field = ""
        default: field.unicodeScalars.append(scalar)
        }
    }
    if !field.isEmpty || !row.isEmpty {
        row.append(field)
        rows.append(row)
    }
    return rows
}
