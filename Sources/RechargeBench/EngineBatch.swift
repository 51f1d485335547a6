import ArgumentParser
import Foundation

/// How the lines of an execution benchmark batch are shared among the five providers.
enum LineMix: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// The same number of lines for every provider.
    case even
    /// The same number of requests for every provider: VCC and PayCertify read the card before each top-up (two
    /// requests a line), so they get half as many lines as the others.
    case balanced

    /// One cycle of providers, repeated down the file.
    var cycle: [String] {
        switch self {
        case .even: ["vcc", "hypercard", "pagsmile", "uqpay", "paycertify"]
        case .balanced: ["vcc", "hypercard", "hypercard", "pagsmile", "pagsmile", "uqpay", "uqpay", "paycertify"]
        }
    }
}

/// Writes the batch an execution benchmark runs: providers interleaved in file order, each provider's lines spread
/// over its own cards (`linesPerCard` lines each, far apart in the file), cards of each provider's shape with one
/// currency per card, unique references.
enum EngineBatch {
    /// Writes `lines` lines as CSV to `path`, taking providers from `cycle` in turn.
    static func writeCSV(lines: Int, linesPerCard: Int, cycle: [String], seed: UInt64, to path: String) throws {
        guard !cycle.isEmpty else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        var perProvider: [String: Int] = [:]
        for index in 0..<lines { perProvider[cycle[index % cycle.count], default: 0] += 1 }
        let cards = perProvider.mapValues { max(1, ($0 + linesPerCard - 1) / linesPerCard) }

        var random = SplitMix64(seed: seed)
        var text = "provider,card_id,amount,currency,reference,remark,pay_coin,pay_account_num,on_behalf_of\n"
        var seen: [String: Int] = [:]
        for index in 0..<lines {
            let provider = cycle[index % cycle.count]
            let ordinal = seen[provider, default: 0]
            seen[provider] = ordinal + 1
            let card = ordinal % cards[provider]!
            let cents = 100 + random.next() % 100_000
            let amount = "\(cents / 100).\(String(format: "%02d", Int(cents % 100)))"
            let (cardID, currency) = Self.card(provider, card, seed: seed)
            let extras =
                switch provider {
                case "hypercard": "usdt,,"
                case "pagsmile": ",PA-7700120045,"
                default: ",,"
                }
            text += "\(provider),\(cardID),\(amount),\(currency),BENCH-\(index + 1),,\(extras)\n"
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    /// The id and currency of a provider's card number `index`, in the provider's card id shape.
    static func card(_ provider: String, _ index: Int, seed: UInt64) -> (id: String, currency: String) {
        switch provider {
        case "vcc":
            return (String(100_000_000 + index), ["USD", "EUR"][index % 2])
        case "hypercard":
            return (String(format: "%023lld", Int64(3_454_323_400_000_000 + index)), "USD")
        case "pagsmile":
            return ("CT" + String(format: "%012lld", Int64(880_000_000 + index)), ["BRL", "MXN"][index % 2])
        case "uqpay":
            var random = SplitMix64(seed: seed &+ 0x5551 &* UInt64(index + 1))
            return (BatchFileGenerator.uuid(&random), ["USD", "SGD"][index % 2])
        default:
            var random = SplitMix64(seed: seed &+ 0x7043 &* UInt64(index + 1))
            return (BatchFileGenerator.uuid(&random), "USD")
        }
    }
}
