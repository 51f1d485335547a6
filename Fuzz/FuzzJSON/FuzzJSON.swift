import RechargeCore

/// libFuzzer entry point: any bytes as a JSON batch. The reader must return a result or a diagnosed error for every
/// input — never crash, hang or grow without bound; a line it accepts must satisfy the validator's promises.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let reader = BatchReader(configuration: .builtInDefault, diagnosticLimit: 20)
    _ = try? reader.read(bytes: bytes, name: "fuzz.json", format: .json) { line in
        precondition(line.amount.minorUnits > 0, "an accepted line has a positive amount")
        precondition(!line.reference.isEmpty, "an accepted line has a reference")
    }
    return 0
}

/// libFuzzer's driver, called from the entry point SwiftPM gives an executable (`FuzzJSON_main`): with
/// `-sanitize=fuzzer` libFuzzer would provide `main`, but SwiftPM points `main` at the module's own entry point.
@_extern(c, "LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafeRawPointer, Int) -> CInt
) -> CInt

@_cdecl("FuzzJSON_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzz)
}
