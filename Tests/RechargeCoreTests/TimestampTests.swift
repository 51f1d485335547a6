import Foundation
import Testing

@testable import RechargeCore

@Suite struct TimestampTests {
    @Test func aStoredTimestampIsUTCWithMillisecondsAndReadsBack() throws {
        let date = Date(timeIntervalSince1970: 1_795_398_600.123)
        #expect(Timestamp.string(date) == "2026-11-23T01:50:00.123Z")
        let back = try #require(Timestamp.date(from: "2026-11-23T01:50:00.123Z"))
        #expect(abs(back.timeIntervalSince(date)) < 0.0005)
    }

    @Test func leadingZerosAndTheEpochAreWrittenInFull() {
        #expect(Timestamp.string(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.string(Date(timeIntervalSince1970: 946_688_461.0075)) == "2000-01-01T01:01:01.007Z")
    }

    @Test func timestampsSortAsText() {
        let dates = stride(from: 0.0, to: 100_000.0, by: 7_777.777).map { Date(timeIntervalSince1970: 1_700_000_000 + $0) }
        let texts = dates.map(Timestamp.string)
        #expect(texts == texts.sorted())
    }
}
