import FuzzSupport
import RechargeCore

/// libFuzzer entry point: any text as an amount in currencies of exponent 0, 2 and 3. An amount that parses
/// must render back to text that parses to the same minor units: no precision is ever lost or invented.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    for code in ["JPY", "USD", "BHD"] {
        let currency = Currency(code: code)!
        guard let money = try? Money.parse(text, currency: currency) else { continue }
        let rendered = money.decimalString
        let again = try? Money.parse(rendered, currency: currency)
        precondition(again == money, "\(text) → \(money.minorUnits) → \(rendered) does not round-trip")
    }
    return 0
}

@_cdecl("FuzzMoney_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
