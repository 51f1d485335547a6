import Foundation
import GRDB
import RechargeCore
import TestSupport
import Testing

@testable import RechargeStore

/// Files built to hurt: each is refused with a diagnostic that says where and why, in bounded time, and the
/// database is left exactly as it was.
@Suite struct HostileFileTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let file: String
        let bytes: @Sendable () -> [UInt8]
        /// A fragment every rendering of the first error must contain.
        let expected: String

        var testDescription: String { self.name }
    }

    static let header = "provider,card_id,amount,currency,reference\n"

    static let cases: [Case] = [
        Case(
            name: "invalid UTF-8", file: "latin1.csv",
            bytes: {
                Array((header + "vcc,100030108,10.00,USD,REF-").utf8) + [0xE9, 0xFF] + Array("\n".utf8)
            }, expected: "UTF-8"),
        Case(
            name: "a NUL byte", file: "nul.csv",
            bytes: {
                Array((header + "vcc,1000\u{0}30108,10.00,USD,REF-1\n").utf8)
            }, expected: "card_id"),
        Case(
            name: "a 10 MB field", file: "huge-field.csv",
            bytes: {
                Array((header + "vcc,100030108,10.00,USD,").utf8) + Array(repeating: UInt8(ascii: "A"), count: 10_000_000) + [10]
            }, expected: "reference"),
        Case(
            name: "a line of 100,000 columns", file: "wide.csv",
            bytes: {
                Array((header + "vcc,100030108,10.00,USD,REF-1" + String(repeating: ",x", count: 100_000) + "\n").utf8)
            }, expected: "100005 fields"),
        Case(
            name: "an unbalanced quote at the end", file: "open-quote.csv",
            bytes: {
                Array((header + "vcc,100030108,10.00,USD,\"REF-1\n").utf8)
            }, expected: "quote"),
        Case(
            name: "JSON nested 100,000 deep", file: "deep.json",
            bytes: {
                Array(
                    ("{\"items\":[{\"provider\":\"vcc\",\"card_id\":" + String(repeating: "[", count: 100_000)
                        + String(repeating: "]", count: 100_000) + "}]}").utf8)
            }, expected: "nest"),
        Case(
            name: "a number of 400 digits", file: "long-number.json",
            bytes: {
                Array(
                    ("{\"items\":[{\"provider\":\"vcc\",\"card_id\":\"100030108\",\"amount\":" + String(repeating: "9", count: 400)
                        + ",\"currency\":\"USD\",\"reference\":\"R1\"}]}").utf8)
            }, expected: "amount"),
        Case(
            name: "a duplicated JSON key", file: "duplicate-key.json",
            bytes: {
                Array(
                    "{\"items\":[{\"provider\":\"vcc\",\"card_id\":\"100030108\",\"amount\":\"10.00\",\"amount\":\"1000.00\",\"currency\":\"USD\",\"reference\":\"R1\"}]}"
                        .utf8)
            }, expected: "amount"),
        Case(
            name: "a spreadsheet export with ';' and decimal commas", file: "excel.csv",
            bytes: {
                Array("provider;card_id;amount;currency;reference\nvcc;100030108;10,50;USD;REF-1\n".utf8)
            }, expected: ";"),
        Case(name: "an empty file", file: "empty.csv", bytes: { [] }, expected: "empty"),
        Case(name: "a header and no line", file: "header-only.csv", bytes: { Array(header.utf8) }, expected: "no line"),
    ]

    @Test(arguments: cases)
    func aHostileFileIsRefusedWithItsReasonAndStoresNothing(_ hostile: Case) throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent(hostile.file).path
            try Data(hostile.bytes()).write(to: URL(fileURLWithPath: path))
            let database = try RechargeDatabase.inMemory()
            let started = ContinuousClock.now
            let outcome = try database.importBatch(ImportRequest(path: path), reader: makeReader(), now: fixedNow)
            let elapsed = ContinuousClock.now - started

            let rejected = try #require(outcome.rejected, "\(hostile.name) was not refused")
            let first = try #require(rejected.diagnostics.errors.first)
            let text = first.description
            // The message itself (the file name is checked apart: it could contain any word).
            let message = String(text.dropFirst(path.utf8.count))
            #expect(message.lowercased().contains(hostile.expected.lowercased()), "\(hostile.name): \(text)")
            #expect(text.hasPrefix(path), "the diagnostic names the file: \(text)")
            #expect(text.utf8.count < 2_000, "a diagnostic quotes a bounded excerpt of the value")
            #expect(try database.count("batch") == 0 && database.count("line") == 0)
            #expect(elapsed < .seconds(10), "\(hostile.name) took \(elapsed)")
        }
    }
}
