import Foundation
import RechargeCore
import RechargeEngine
import RechargeReport
import RechargeStore

/// What a finished run tells the operator, and the exit code its outcome calls for.
package enum RunSummary {
    /// Writes the run's summary and each batch's status to `messages`; returns the exit code the outcome calls for.
    package static func report(_ result: RunResult, database: RechargeDatabase, to messages: OperatorMessages) throws -> RechargeExit {
        var batches: [(BatchRecord, [StatusRow])] = []
        for batchID in result.batchIDs {
            guard let batch = try database.batch(id: batchID) else { continue }
            batches.append((batch, try database.status(batchID: batchID)))
        }
        return Self.report(result, batches: batches, to: messages)
    }

    /// The same, from each batch of the run with its status rows, read from whichever store holds them.
    package static func report(_ result: RunResult, batches: [(BatchRecord, [StatusRow])], to messages: OperatorMessages) -> RechargeExit {
        let snapshot = result.progress
        let seconds = snapshot.elapsed.timeInterval
        messages.note(
            "run \(result.ending.rawValue) in \(String(format: "%.1f", seconds)) s: \(snapshot.settled) lines settled "
                + "(\(String(format: "%.0f", snapshot.linesPerSecond)) lines/s)")
        if let previous = result.tookOverFrom {
            messages.note("took over from runner \(previous.holder), last heartbeat \(previous.heartbeatAt)")
        }
        var states: [LineState: Int] = [:]
        var processing: [String: Int] = [:]
        for (batch, rows) in batches {
            for row in rows {
                states[row.state, default: 0] += row.count
                if row.state == .processing { processing[row.account, default: 0] += row.count }
            }
            messages.note("")
            messages.note(StatusReport(batch: batch, batches: [], rows: rows).text())
        }
        if let error = result.storeError {
            messages.problem("recharge: error: the database failed during the run: \(error.message)")
            return .ioError
        }
        for account in result.unreachableAccounts {
            messages.problem(Self.unreachableMessage(account, processing: processing[account.name, default: 0]))
        }
        let verdict = Self.verdict(ending: result.ending, states: states)
        if let advice = verdict.advice { messages.problem(advice) }
        return verdict.exit
    }

    /// The exit-code policy of a run the store did not fail: how it ended and the states its lines are left in
    /// give the code, and what the operator does next.
    ///
    /// Lines left PENDING or PROCESSING, or a run that stopped early, give 12 (run again); otherwise UNKNOWN lines
    /// give 11, FAILED lines 10, and a batch of settled lines 0. An account given up whose lines all settled anyway
    /// (its last requests were answered) left nothing undone.
    package static func verdict(ending: RunResult.Ending, states: [LineState: Int]) -> (exit: RechargeExit, advice: String?) {
        let unfinished = states[.pending, default: 0] + states[.processing, default: 0]
        let stoppedEarly = ending != .completed && !(ending == .accountsUnreachable && unfinished == 0)
        if unfinished > 0 || stoppedEarly {
            return (.unfinished, "recharge: \(unfinished) lines are not final yet; run again to resume (`recharge run`)")
        }
        if let unknown = states[.unknown], unknown > 0 {
            return (.someUnknown, "recharge: \(unknown) lines are UNKNOWN: check them with the provider, then `recharge resolve`")
        }
        if let failed = states[.failed], failed > 0 {
            return (
                .someFailed, "recharge: \(failed) lines FAILED (see `recharge status`; `recharge retry BATCH --failed` sends them again)"
            )
        }
        return (.success, nil)
    }

    /// What the operator reads when an account was given up: which one, for how long, and what to do.
    package static func unreachableMessage(_ account: RunProgress.Account, processing: Int) -> String {
        let seconds = Int((account.unreachableFor ?? .zero).timeInterval)
        let time = seconds >= 60 ? "\(seconds / 60) min" : "\(seconds) s"
        var message =
            "recharge: provider account \(account.name.terminalSafe) has been unreachable for \(time): its lines are left PENDING; "
            + "run again when it is back"
        if processing > 0 {
            message += " (\(processing) lines whose answer was lost stay PROCESSING; the next run resolves them first)"
        }
        return message
    }
}
