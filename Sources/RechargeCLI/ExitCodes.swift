import ArgumentParser

/// The exit codes of `recharge`, stable for scripts and schedulers (see docs/operations.md).
public enum RechargeExit {
    /// Everything asked for was done.
    public static let success = ExitCode(0)
    /// The command line was wrong (unknown flag, missing argument).
    public static let usage = ExitCode(64)
    /// The batch file or a stored batch has a problem: validation errors, duplicate import, unknown batch.
    public static let dataError = ExitCode(65)
    /// An input file could not be opened.
    public static let noInput = ExitCode(66)
    /// A database or file could not be read or written.
    public static let ioError = ExitCode(74)
    /// The configuration file is unusable.
    public static let configError = ExitCode(78)
}
