import Foundation
import RechargeCore
import RechargeStore
import Testing

@testable import RechargeReport

/// A fee is shown in the unit it was charged in, never relabelled and never dropped: HyperCard charges its
/// `recharge_fee_amount` in the pay coin (seed: 2.1.4 Recharge), so a JPY top-up paid in USDT has a USDT fee.
@Suite struct FeeCurrencyTests {
    @Test(arguments: [
        (ReportFormat.text, "0.88 USDT"), (.html, "0.88 USDT"), (.csv, "0.88,USDT"), (.json, #""fee": "0.88", "feeCurrency": "USDT""#),
    ])
    func aSmallPayCoinFeeOnAYenTopUpIsShownInThePayCoin(format: ReportFormat, expected: String) throws {
        let database = try RechargeDatabase.inMemory()
        let csv = """
            provider,card_id,amount,currency,reference,remark,pay_coin,pay_account_num,on_behalf_of
            hypercard,00003454323400000028904,20000,JPY,TOPUP-JPY,,usdt,,

            """
        let batch = try importBatch(csv, name: "fees", into: database)
        let jpy = try #require(Currency(code: "JPY"))
        try settle(
            database, batch, row: 1, .applied,
            receipt: ProviderReceipt(
                providerReference: "HC-1", credited: Money(minorUnits: 20_000, currency: jpy),
                fee: ChargedAmount.parse("0.88", unit: "usdt")),
            sentAt: at(1), doneAt: at(2))
        let report = try render(database, batch, format)
        #expect(report.contains(expected), "\(format) report:\n\(report)")
        #expect(!report.contains("0.88 JPY") && !report.contains("1 JPY"))
    }

    @Test func payCoinAmountsAreExact() throws {
        #expect(ChargedAmount.parse("0.88", unit: "usdt") == ChargedAmount(minorUnits: 88_000_000, unit: "USDT"))
        #expect(ChargedAmount.parse("0.000001", unit: "usdt")?.description == "0.000001 USDT")
        #expect(ChargedAmount.parse("400", unit: "USDT")?.description == "400.00 USDT")
        #expect(ChargedAmount.parse("0", unit: "usdt")?.minorUnits == 0)
        #expect(ChargedAmount.parse("3.00", unit: "JPY") == ChargedAmount(minorUnits: 3, unit: "JPY"))
        #expect(ChargedAmount.parse("0.5", unit: "JPY") == nil, "yen have no decimals")
        #expect(ChargedAmount.parse("1e3", unit: "usdt") == nil)
        #expect(ChargedAmount.parse("-1", unit: "usdt") == nil)
    }
}
