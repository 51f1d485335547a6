import RechargeCore
import RechargeProviders

/// libFuzzer's driver. With `-sanitize=fuzzer` libFuzzer would provide `main`, but SwiftPM points an executable's
/// `main` at the module's own entry point (`NAME_main`), so each target's entry point starts the driver itself.
@_extern(c, "LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafeRawPointer, Int) -> CInt
) -> CInt

/// Runs libFuzzer with the process's arguments on `callback` (a target's `LLVMFuzzerTestOneInput`).
public func runFuzzer(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ callback: @convention(c) (UnsafeRawPointer, Int) -> CInt
) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, callback)
}

/// Any bytes as a batch file: the reader must return a result or a diagnosed error for every input — never crash,
/// hang or grow without bound — and a line it accepts must satisfy the validator's promises.
public func fuzzBatch(_ start: UnsafeRawPointer, _ count: Int, format: BatchFormat) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let reader = BatchReader(configuration: .builtInDefault, profiles: .all, diagnosticLimit: 20)
    _ = try? reader.read(bytes: bytes, name: "fuzz.\(format.rawValue)", format: format) { line in
        precondition(line.amount.minorUnits > 0, "an accepted line has a positive amount")
        precondition(!line.reference.isEmpty, "an accepted line has a reference")
    }
    return 0
}
