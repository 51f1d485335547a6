import Foundation

/// Timestamps as stored: ISO 8601 in UTC with milliseconds (`2026-11-22T04:30:00.123Z`), which sort as text.
public enum Timestamp {
    public static func string(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let year = Int(parts.tm_year) + 1900
        let millisecond = Int(milliseconds % 1000)
        guard (0...9999).contains(year), millisecond >= 0 else {
            return String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", year, Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour),
                Int(parts.tm_min), Int(parts.tm_sec), millisecond)
        }
        // Written digit by digit: every claim and outcome stamps several of these.
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var out = 0
            func put(_ value: Int, digits: Int) {
                var divisor = 1
                for _ in 1..<digits { divisor *= 10 }
                while divisor > 0 {
                    buffer[out] = UInt8(ascii: "0") + UInt8((value / divisor) % 10)
                    out += 1
                    divisor /= 10
                }
            }
            func mark(_ character: Unicode.Scalar) {
                buffer[out] = UInt8(ascii: character)
                out += 1
            }
            put(year, digits: 4)
            mark("-")
            put(Int(parts.tm_mon) + 1, digits: 2)
            mark("-")
            put(Int(parts.tm_mday), digits: 2)
            mark("T")
            put(Int(parts.tm_hour), digits: 2)
            mark(":")
            put(Int(parts.tm_min), digits: 2)
            mark(":")
            put(Int(parts.tm_sec), digits: 2)
            mark(".")
            put(millisecond, digits: 3)
            mark("Z")
            return out
        }
    }

    /// Reads a stored timestamp back; `nil` for any other shape.
    public static func date(from text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 24, bytes[4] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"), bytes[23] == UInt8(ascii: "Z") else {
            return nil
        }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19), let millisecond = number(20..<23)
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        return Date(timeIntervalSince1970: TimeInterval(seconds) + TimeInterval(millisecond) / 1000)
    }
}
