import Foundation
import Testing

@testable import RechargeCore

@Suite struct IdempotencyKeyTests {
    static let batch = "7c9e6679-7425-40de-944b-e07fc1f90ae7"

    @Test func theSameLineAndGenerationAlwaysGiveTheSameKey() {
        let first = IdempotencyKey(batchUID: Self.batch, lineNumber: 17, generation: 0)
        let again = IdempotencyKey(batchUID: Self.batch.uppercased(), lineNumber: 17, generation: 0)
        #expect(first == again)
        // Pinned: a change of derivation would re-key every stored line in flight.
        // The values are SHA-256 of `recharge-line-key/v1|UID|LINE|GENERATION`, computed outside this code.
        #expect(first.hex == "578866ca3b132faeb3ec6c59bb975382")
        #expect(first.uuidV4 == "578866ca-3b13-4fae-b3ec-6c59bb975382")
        let other = IdempotencyKey(batchUID: Self.batch, lineNumber: 3, generation: 2)
        #expect(other.hex == "8fb2d5c66b6f1b8d5d8edef2997b50e4")
        #expect(other.uuidV4 == "8fb2d5c6-6b6f-4b8d-9d8e-def2997b50e4")
        #expect(first.hex.count == 32)
    }

    @Test func anotherLineGenerationOrBatchGivesAnotherKey() {
        let key = IdempotencyKey(batchUID: Self.batch, lineNumber: 17, generation: 0)
        #expect(key != IdempotencyKey(batchUID: Self.batch, lineNumber: 18, generation: 0))
        #expect(key != IdempotencyKey(batchUID: Self.batch, lineNumber: 17, generation: 1))
        #expect(key != IdempotencyKey(batchUID: "0f8fad5b-d9cb-469f-a165-70867728950e", lineNumber: 17, generation: 0))
        // No separator ambiguity: line 1 generation 11 is not line 11 generation 1.
        #expect(
            IdempotencyKey(batchUID: Self.batch, lineNumber: 1, generation: 11)
                != IdempotencyKey(batchUID: Self.batch, lineNumber: 11, generation: 1))
    }

    @Test func everyFormFitsItsProvidersLimits() throws {
        let uuid = try Regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        for line in 1...500 {
            let key = IdempotencyKey(batchUID: Self.batch, lineNumber: line, generation: line % 3)
            #expect(key.hex.count <= 32)  // Pagsmile order_no
            #expect(key.hex.count <= 100)  // VCC request_id
            #expect(key.hyperCardTradeNumber.count <= 128 && key.hyperCardTradeNumber.hasPrefix("rc"))
            #expect(key.uuidV4.wholeMatch(of: uuid) != nil, "\(key.uuidV4)")  // UQPay x-idempotency-key
        }
    }

    @Test func theStoredFormRoundTrips() {
        let key = IdempotencyKey(batchUID: Self.batch, lineNumber: 3, generation: 2)
        #expect(IdempotencyKey(hex: key.hex) == key)
        #expect(IdempotencyKey(hex: "XYZ") == nil)
        #expect(IdempotencyKey(hex: key.hex.uppercased()) == nil)
    }
}
