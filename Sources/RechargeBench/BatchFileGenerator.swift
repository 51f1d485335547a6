import Foundation

/// Writes large, valid, realistic batch files for benchmarks: all five providers, several currencies,
/// card ids of each provider's shape, unique references, quoted remarks.
enum BatchFileGenerator {
    /// Writes a CSV batch of `lines` lines to `path`, streaming, and returns its size in bytes.
    @discardableResult
    static func writeCSV(lines: Int, to path: String, seed: UInt64 = 42) throws -> Int {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        var random = SplitMix64(seed: seed)
        var buffer = "provider,card_id,amount,currency,reference,remark,pay_coin,pay_account_num,on_behalf_of\n"
        var written = 0
        for index in 1...lines {
            buffer += Self.row(index: index, random: &random)
            if buffer.utf8.count > 1 << 20 {
                written += buffer.utf8.count
                handle.write(Data(buffer.utf8))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        written += buffer.utf8.count
        handle.write(Data(buffer.utf8))
        return written
    }

    private static let remarks = ["Monthly allowance", "\"Travel, Q4\"", "Per diem", "", "Fuel card", "Software subscriptions"]

    static func row(index: Int, random: inout SplitMix64) -> String {
        let cents = 100 + random.next() % 2_000_000
        let amount = "\(cents / 100).\(String(format: "%02d", Int(cents % 100)))"
        let reference = "REF-\(index)"
        let remark = Self.remarks[Int(random.next() % UInt64(Self.remarks.count))]
        switch index % 5 {
        case 0:
            let currency = ["USD", "EUR"][Int(random.next() % 2)]
            return "vcc,\(100_000_000 + random.next() % 900_000_000),\(amount),\(currency),\(reference),\(remark),,,\n"
        case 1:
            return
                "hypercard,\(String(format: "%023llu", random.next() % 10_000_000_000_000)),\(amount),USD,\(reference),\(remark),usdt,,\n"
        case 2:
            let currency = ["BRL", "MXN"][Int(random.next() % 2)]
            return
                "pagsmile,CT\(String(format: "%012llu", random.next() % 1_000_000_000_000)),\(amount),\(currency),\(reference),\(remark),,PA-7700120045,\n"
        case 3:
            let currency = ["USD", "SGD"][Int(random.next() % 2)]
            return "uqpay,\(Self.uuid(&random)),\(amount),\(currency),\(reference),\(remark),,,\n"
        default:
            return "paycertify,\(Self.uuid(&random)),\(amount),USD,\(reference),\(remark),,,\n"
        }
    }

    static func uuid(_ random: inout SplitMix64) -> String {
        let a = random.next()
        let b = random.next()
        return String(
            format: "%08llx-%04llx-4%03llx-%04llx-%012llx", a >> 32, (a >> 16) & 0xFFFF, a & 0xFFF,
            0x8000 | (b >> 48) & 0x3FFF, b & 0xFFFF_FFFF_FFFF)
    }
}

/// A small, fast, seedable random number generator (SplitMix64), so generated files are reproducible.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
