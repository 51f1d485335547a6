import Foundation

/// Display columns of text on a terminal, for output that must fit its width: a wide (CJK, emoji) character takes
/// two columns, a combining mark or a zero-width format character none, everything else one.
///
/// Counted per grapheme cluster (a `Character`), by its first scalar, as `wcwidth` does, without depending on the
/// process's locale. Text is expected to be `terminalSafe` already: control characters are not measured here.
enum TerminalColumns {
    /// The columns `text` takes on a terminal.
    static func width(_ text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + Self.width(of: $1) }
    }

    /// The columns one character takes: 0, 1 or 2.
    static func width(of character: Character) -> Int {
        guard let first = character.unicodeScalars.first else { return 0 }
        if first.isASCII { return 1 }
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if character.unicodeScalars.contains(where: { $0.properties.isEmojiPresentation || $0.value == 0xFE0F }) { return 2 }
        return Self.isWide(first) ? 2 : 1
    }

    /// East Asian Wide and Fullwidth characters (the ranges `wcwidth` treats as two columns).
    private static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x115F, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
            0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            true
        default: false
        }
    }

    /// `text` cut to at most `columns` columns, ending with `…` where something was cut.
    static func truncated(_ text: String, to columns: Int) -> String {
        guard Self.width(text) > columns else { return text }
        guard columns > 0 else { return "" }
        var result = ""
        var used = 0
        for character in text {
            let width = Self.width(of: character)
            if used + width > columns - 1 { break }
            result.append(character)
            used += width
        }
        return result + "…"
    }

    /// `text` cut to `columns` columns (see ``truncated(_:to:)``) and padded with spaces to exactly that many.
    static func padded(_ text: String, to columns: Int) -> String {
        let cut = Self.truncated(text, to: columns)
        return cut + String(repeating: " ", count: max(0, columns - Self.width(cut)))
    }
}

/// The width of the terminal the live progress is drawn on.
enum TerminalSize {
    /// The columns of the terminal on standard error: its window size (`TIOCGWINSZ`), else `$COLUMNS`, else 80.
    static func columns() -> Int {
        Self.columns(queried: Self.queryColumns(STDERR_FILENO), environment: ProcessInfo.processInfo.environment)
    }

    /// The columns from a window-size query's answer (`nil`: not a terminal, or it did not say), else `$COLUMNS`,
    /// else 80.
    static func columns(queried: Int?, environment: [String: String]) -> Int {
        if let queried, queried > 0 { return queried }
        if let text = environment["COLUMNS"], let columns = Int(text.trimmingCharacters(in: .whitespaces)), columns > 0 {
            return columns
        }
        return 80
    }

    /// The window size's columns of the terminal on `descriptor`, if it is one and reports them.
    static func queryColumns(_ descriptor: Int32) -> Int? {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}
