/// Text from outside the program — file names, batch names, references, remarks, notes, provider messages — made
/// safe to print on an operator's terminal or into a log that will be read on one.
///
/// A file dropped into the inbox chooses its own name, so anything printed is attacker-controlled: an `ESC [2J`
/// clears the screen, an OSC 0 sets the window title, an OSC 52 writes the clipboard, a C1 CSI (U+009B) does the
/// same without an ESC, and a right-to-left override (U+202E) makes `gpj.exe` read as `exe.jpg`. Every such
/// character is shown as a visible `\u{…}` escape instead, so the operator sees that it is there and what it is.
public enum TerminalText {
    /// `text` with every control, bidi and line-breaking format character shown as `\u{XX}`: one field, one line.
    public static func escaped(_ text: some StringProtocol) -> String {
        Self.escape(text, keepingLineBreaks: false)
    }

    /// `text` with the same characters escaped except newline and tab, for a whole message the program composed
    /// (several lines of its own) whose fields may not all have been escaped one by one.
    public static func escapedKeepingLines(_ text: some StringProtocol) -> String {
        Self.escape(text, keepingLineBreaks: true)
    }

    /// Whether `text` holds a character `escaped` would rewrite.
    public static func needsEscaping(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains { Self.isUnsafe($0) }
    }

    /// C0 and DEL, C1, and the Unicode format characters that reorder or break what is displayed: the bidi
    /// embeddings, overrides and isolates, the directional marks, and the line and paragraph separators.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    private static func escape(_ text: some StringProtocol, keepingLineBreaks: Bool) -> String {
        guard Self.needsEscaping(text) else { return String(text) }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if keepingLineBreaks, scalar == "\n" || scalar == "\t" {
                result.unicodeScalars.append(scalar)
            } else if Self.isUnsafe(scalar) {
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

extension String {
    /// This text escaped for a terminal or a log: see `TerminalText.escaped`.
    public var terminalSafe: String { TerminalText.escaped(self) }
}
