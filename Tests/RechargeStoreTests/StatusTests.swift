import Foundation
import RechargeCore
import TestSupport
import Testing

@testable import RechargeStore

/// Acceptance 6: `status(batchID:)` counts lines and sums exact minor units by account, currency and state.
@Suite struct StatusTests {
    /// USD (2 decimals), JPY (0) and BHD (3) across two accounts.
    static let mixedCSV = """
        provider,card_id,amount,currency,reference,pay_coin
        vcc,1001,10.01,USD,R1,
        vcc,1002,0.99,USD,R2,
        vcc,1003,1000,JPY,R3,
        vcc,1004,1.234,BHD,R4,
        vcc,1005,0.001,BHD,R5,
        hypercard,ABC1,5.5,USD,R6,usdt
        hypercard,ABC2,250,JPY,R7,usdt
        vcc,1006,999999.999,BHD,R8,

        """

    func importMixed(into database: RechargeDatabase) throws -> BatchRecord {
        try withTemporaryDirectory { directory in
            try database.importValid(try writeFile(Self.mixedCSV, named: "mixed.csv", in: directory))
        }
    }

    func lineID(_ database: RechargeDatabase, _ batch: BatchRecord, reference: String) throws -> Int64 {
        try #require(try database.lines(batchID: batch.id).first { $0.reference == reference }).id
    }

    @Test func groupsByAccountCurrencyAndStateWithExactSums() throws {
        let database = try RechargeDatabase.inMemory()
        let batch = try self.importMixed(into: database)
        let r2 = try self.lineID(database, batch, reference: "R2")
        try database.transition(lineID: r2, from: .pending, on: .claim, changes: LineChanges(idempotencyKey: "k-r2"), actor: "t")
        try database.transition(lineID: r2, from: .processing, on: .applied, actor: "t")
        try database.transition(lineID: try self.lineID(database, batch, reference: "R5"), from: .pending, on: .cancel, actor: "t")
        let r7 = try self.lineID(database, batch, reference: "R7")
        try database.transition(lineID: r7, from: .pending, on: .claim, changes: LineChanges(idempotencyKey: "k-r7"), actor: "t")

        #expect(
            try database.status(batchID: batch.id) == [
                StatusRow(account: "hypercard", currency: "JPY", state: .processing, count: 1, sumMinor: 250),
                StatusRow(account: "hypercard", currency: "USD", state: .pending, count: 1, sumMinor: 550),
                StatusRow(account: "vcc", currency: "BHD", state: .cancelled, count: 1, sumMinor: 1),
                StatusRow(account: "vcc", currency: "BHD", state: .pending, count: 2, sumMinor: 1_000_001_233),
                StatusRow(account: "vcc", currency: "JPY", state: .pending, count: 1, sumMinor: 1000),
                StatusRow(account: "vcc", currency: "USD", state: .pending, count: 1, sumMinor: 1001),
                StatusRow(account: "vcc", currency: "USD", state: .success, count: 1, sumMinor: 99),
            ])
    }

    @Test func sumsPerCurrencyAreExactInEachExponent() throws {
        let database = try RechargeDatabase.inMemory()
        let batch = try self.importMixed(into: database)
        let rows = try database.status(batchID: batch.id)
        let sums = Dictionary(grouping: rows, by: \.currency).mapValues { $0.reduce(0) { $0 + $1.sumMinor } }
        let expected: [String: Int64] = ["USD": 1_650, "JPY": 1_250, "BHD": 1_000_001_234]
        #expect(sums == expected)
        let rendered = sums.map { code, minor in
            Money.render(minorUnits: minor, exponent: Currency(code: code)!.exponent) + " " + code
        }
        #expect(Set(rendered) == ["16.50 USD", "1250 JPY", "1000001.234 BHD"])
        #expect(rows.reduce(0) { $0 + $1.count } == 8)
    }

    @Test func theSampleAddsUpToItsControlTotals() throws {
        let database = try RechargeDatabase.inMemory()
        let batch = try database.importValid(Samples.json)
        let rows = try database.status(batchID: batch.id)
        #expect(rows.allSatisfy { $0.state == .pending })
        #expect(rows.reduce(0) { $0 + $1.count } == 50)
        let sums = Dictionary(grouping: rows, by: \.currency).mapValues { $0.reduce(0) { $0 + $1.sumMinor } }
        #expect(sums == (try database.controlTotals(batchID: batch.id)))
        #expect(sums["USD"] == 491_120)
        #expect(rows.first { $0.account == "paycertify" }?.count == 9)
    }

    @Test func oneBatchOrAll() throws {
        let database = try RechargeDatabase.inMemory()
        let sample = try database.importValid(Samples.csv)
        let mixed = try self.importMixed(into: database)

        let all = try database.status(batchID: nil)
        let usdAll = all.filter { $0.currency == "USD" }.reduce(0) { $0 + $1.sumMinor }
        #expect(usdAll == Int64(491_120 + 1_650))
        #expect(all.reduce(0) { $0 + $1.count } == 58)
        #expect(try database.status(batchID: sample.id).reduce(0) { $0 + $1.count } == 50)
        #expect(try database.status(batchID: mixed.id).reduce(0) { $0 + $1.count } == 8)
        #expect(try database.status(batchID: 12_345).isEmpty)
    }
}
