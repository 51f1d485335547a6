import Foundation
import RechargeCore
import RechargeEngine
import TestSupport
import Testing

@testable import RechargeCLI

/// The live progress display as a pure function of (snapshot, width): it fits the terminal, escapes the names the
/// configuration chose, tells the slowest provider's ETA, and redraws over a frame drawn at another width.
@Suite(.ownThread) struct ProgressDisplayTests {
    /// Five accounts mid-run, with names long, wide (CJK, emoji) and hostile (an escape sequence, a bidi override).
    static let snapshot: RunProgress.Snapshot = {
        func account(_ name: String, total: Int, ok: Int, failed: Int = 0, rate: Double) -> RunProgress.Account {
            var account = RunProgress.Account(name: name)
            account.total = total
            account.succeeded = ok
            account.failed = failed
            account.unknown = 3
            account.inFlight = 16
            account.resolving = 2
            account.retried = 41
            account.throttled = 1_250
            account.requests = ok * 2
            account.recentRate = rate
            return account
        }
        var down = account("paycertify-eu-west-reloads-secondary", total: 250_000, ok: 1_000, rate: 0)
        down.unreachableFor = .seconds(610)
        return RunProgress.Snapshot(
            accounts: [
                account("hypercard", total: 1_000_000, ok: 999_000, failed: 12, rate: 350),
                account("vcc", total: 120_000, ok: 100_000, rate: 187),
                account("\u{1B}]0;pwned\u{07}\u{1B}[2J-uqpay", total: 5_000, ok: 10, rate: 2.5),
                account("決済カード-本番-アカウント🚀🚀", total: 700, ok: 1, rate: 0.4),
                down,
            ],
            elapsed: .seconds(3_725))
    }()

    @Test(arguments: [80, 40]) func everyLineFitsTheTerminalWidth(width: Int) {
        let lines = ProgressDisplay.render(Self.snapshot, width: width)
        #expect(lines.count == 1 + Self.snapshot.accounts.count)
        for line in lines {
            #expect(TerminalColumns.width(line) <= width, "\(TerminalColumns.width(line)) columns: \(line)")
        }
        // What matters survives the narrowing: the run's ETA and why an account stopped.
        #expect(lines[0].contains("ETA 33m15s"), "\(lines[0])")
        #expect(lines[5].contains("unreachable 10m10s"), "\(lines[5])")
    }

    @Test(arguments: [80, 40]) func namesAreEscapedAndCutToFit(width: Int) {
        let lines = ProgressDisplay.render(Self.snapshot, width: width)
        for line in lines {
            #expect(!TerminalText.needsEscaping(line), "a control character reached the terminal: \(line.debugDescription)")
        }
        let hostile = lines[3]
        #expect(hostile.hasPrefix("  \\u{1B"), "the escape is shown, not obeyed: \(hostile)")
        // A name too long for the column is cut with an ellipsis; the counts after it are still there.
        let long = lines[5]
        #expect(long.hasPrefix("  payc") && long.contains(width >= 80 ? "…  1003/250000" : "…  1.0k/250k"), "\(long)")
        #expect(lines[1].contains(width >= 80 ? "999015/1000000" : "999k/1.0M"), "\(lines[1])")
        // At 40 columns every working account still shows its ETA, whole.
        for line in lines[1...4] { #expect(line.range(of: #"ETA (\d+[hms])+"#, options: .regularExpression) != nil, "\(line)") }
    }

    @Test func theTotalLineTellsTheSlowestProvidersETA() {
        var fast = RunProgress.Account(name: "hypercard")
        fast.total = 10_000
        fast.succeeded = 9_000
        fast.recentRate = 500
        var slow = RunProgress.Account(name: "vcc")
        slow.total = 2_000
        slow.succeeded = 1_893
        slow.recentRate = 1
        let lines = ProgressDisplay.render(RunProgress.Snapshot(accounts: [fast, slow], elapsed: .seconds(30)), width: 80)

        // 1107 left at 501/s would say 3s; VCC alone needs 107 s.
        #expect(lines[0].contains("ETA 1m47s (vcc)"), "\(lines[0])")
        #expect(lines[2].contains("ETA 1m47s"), "\(lines[2])")
        #expect(lines[1].contains("ETA 2s"), "\(lines[1])")
    }

    @Test func aStoppedAccountSaysWhyAndHowManyLinesWait() {
        let lines = ProgressDisplay.render(Self.snapshot, width: 80)
        #expect(lines[5].contains("stopped: unreachable 10m10s"), "\(lines[5])")
        #expect(lines[5].contains("248997 left PENDING"), "\(lines[5])")
    }

    @Test func aRedrawAfterTheTerminalNarrowedClearsEveryRowTheOldFrameNowTakes() {
        // Three lines drawn at 80 columns (80, 80 and 30 wide), redrawn at 40: a terminal that re-wraps them shows
        // 2 + 2 + 1 rows.
        let text = ProgressDisplay.frame(["new 1", "new 2"], replacing: [80, 80, 30], width: 40)
        #expect(text.hasPrefix("\r\u{1B}[5F\u{1B}[J"), "\(text.debugDescription)")
        #expect(text.hasSuffix("new 1\nnew 2\n"))
        // Same width: up over the lines drawn, cleared to the end of the screen.
        #expect(ProgressDisplay.frame(["a"], replacing: [12, 80], width: 80).hasPrefix("\r\u{1B}[2F\u{1B}[J"))
        // The first frame moves nowhere.
        #expect(ProgressDisplay.frame(["a"], replacing: [], width: 80) == "\u{1B}[Ja\n")
    }

    @Test func displayColumnsCountWideCharactersTwiceAndMarksNotAtAll() {
        #expect(TerminalColumns.width("vcc") == 3)
        #expect(TerminalColumns.width("決済") == 4)
        #expect(TerminalColumns.width("🚀") == 2)
        #expect(TerminalColumns.width("e\u{301}") == 1)
        #expect(TerminalColumns.width("·…") == 2)
        #expect(TerminalColumns.truncated("決済カード", to: 6) == "決済…")
        #expect(TerminalColumns.width(TerminalColumns.truncated("決済カード", to: 6)) <= 6)
        #expect(TerminalColumns.padded("ab", to: 4) == "ab  ")
    }

    @Test func countsAreCompactedToFourColumns() {
        #expect(ProgressDisplay.count(950) == "950")
        #expect(ProgressDisplay.count(9_540) == "9.5k")
        #expect(ProgressDisplay.count(999_015) == "999k")
        #expect(ProgressDisplay.count(1_000_000) == "1.0M")
        #expect(ProgressDisplay.count(120_000) == "120k")
    }

    @Test func theWidthComesFromTheTerminalThenColumnsThen80() {
        #expect(TerminalSize.columns(queried: 132, environment: ["COLUMNS": "100"]) == 132)
        #expect(TerminalSize.columns(queried: nil, environment: ["COLUMNS": "100"]) == 100)
        #expect(TerminalSize.columns(queried: 0, environment: ["COLUMNS": "wide"]) == 80)
        #expect(TerminalSize.columns(queried: nil, environment: [:]) == 80)
    }
}
