/// The outcome codes of the processor's operations, stable for scripts and schedulers: `recharge` exits with them
/// (see docs/operations.md), and whatever hosts a run reports them.
package struct RechargeExit: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    package let rawValue: Int32

    package init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    package init(_ rawValue: Int32) {
        self.rawValue = rawValue
    }

    package var description: String { String(self.rawValue) }

    /// Everything asked for was done.
    package static let success = RechargeExit(0)
    /// The run finished; some lines FAILED (the provider refused them, or they were not applied after every
    /// attempt). Nothing is in doubt.
    package static let someFailed = RechargeExit(10)
    /// The run finished; some lines are UNKNOWN and need an operator (`recharge resolve`).
    package static let someUnknown = RechargeExit(11)
    /// The run stopped before every line was final (a signal, a lost lease, a provider account given up after its
    /// breaker stayed open for `timeouts.breakerGiveUpSeconds`); run again to resume.
    package static let unfinished = RechargeExit(12)
    /// Verification found lines the providers' records contradict (`recharge reconcile`).
    package static let mismatches = RechargeExit(13)
    /// A batch asked for awaits approval by someone other than its uploader (`recharge approve`): none of its lines
    /// was sent. Everything else asked for was done.
    package static let awaitingApproval = RechargeExit(14)
    /// A decision the four-eyes rules refuse: the uploader approving or rejecting, a second decision by the same
    /// person, a SHA-256 other than the batch's content, a batch not awaiting approval. Nothing was recorded.
    package static let notPermitted = RechargeExit(77)
    /// Another runner holds the database; nothing was done.
    package static let leaseHeld = RechargeExit(75)
    /// The command line was wrong (unknown flag, missing argument).
    package static let usage = RechargeExit(64)
    /// The batch file or a stored batch has a problem: validation errors, duplicate import, unknown batch.
    package static let dataError = RechargeExit(65)
    /// An input file could not be opened.
    package static let noInput = RechargeExit(66)
    /// A database or file could not be read or written.
    package static let ioError = RechargeExit(74)
    /// The configuration file is unusable.
    package static let configError = RechargeExit(78)
}

/// An error already put in words for the operator, ending the operation with one of ``RechargeExit``'s codes.
package struct RechargeFailure: Error, Sendable, CustomStringConvertible {
    package let exit: RechargeExit
    package let message: String

    package init(exitCode: RechargeExit, message: String) {
        self.exit = exitCode
        self.message = message
    }

    /// The code as the process exits with it, for the metrics file and the inbox's summary.
    package var exitCode: Int32 { self.exit.rawValue }

    package var description: String { self.message }
}
