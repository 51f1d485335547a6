import ArgumentParser

/// The exit codes of `recharge`, stable for scripts and schedulers (see docs/operations.md).
public enum RechargeExit {
    /// Everything asked for was done.
    public static let success = ExitCode(0)
    /// The run finished; some lines FAILED (the provider refused them, or they were not applied after every
    /// attempt). Nothing is in doubt.
    public static let someFailed = ExitCode(10)
    /// The run finished; some lines are UNKNOWN and need an operator (`recharge resolve`).
    public static let someUnknown = ExitCode(11)
    /// The run stopped before every line was final (a signal, a lost lease, a provider account given up after its
    /// breaker stayed open for `timeouts.breakerGiveUpSeconds`); run again to resume.
    public static let unfinished = ExitCode(12)
    /// Verification found lines the providers' records contradict (`recharge reconcile`).
    public static let mismatches = ExitCode(13)
    /// Another runner holds the database; nothing was done.
    public static let leaseHeld = ExitCode(75)
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
