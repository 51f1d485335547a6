/// The rules for a batch's name, and how a command line names a batch.
///
/// Commands take a batch as its id or its name. A name that reads as an id (`3`) would make `status 3` and
/// `cancel 3` ambiguous, so such names are refused at import, and the explicit forms `id:3` and `name:3` say
/// which is meant when a database holds an older batch with such a name.
public enum BatchName {
    /// The longest name a batch may have, in characters.
    public static let maximumLength = 200

    /// Why `name` cannot be a batch's name, or nil when it can.
    public static func problem(_ name: String) -> String? {
        if name.allSatisfy(\.isWhitespace) { return "a batch name cannot be empty" }
        if name.count > Self.maximumLength {
            return "a batch name has at most \(Self.maximumLength) characters (this one has \(name.count))"
        }
        if name.allSatisfy(\.isASCIIDigit) {
            return "'\(name)' reads as a batch id; give a name with a letter in it, such as 'batch-\(name)'"
        }
        if name.hasPrefix("id:") || name.hasPrefix("name:") {
            return "a batch name cannot start with 'id:' or 'name:', the forms that say how a batch is named"
        }
        if TerminalText.needsEscaping(name) {
            return "'\(name.terminalSafe)' holds control or text-direction characters; use printable characters only"
        }
        return nil
    }

    /// A name made from a file name: its control and text-direction characters shown as escapes, cut to the
    /// longest name. The file system allows any name; the batch's name must print safely.
    public static func from(fileName: String) -> String {
        String(fileName.terminalSafe.prefix(Self.maximumLength))
    }
}

/// How a command line names a batch: `3` (an id, or a name if no batch has that id), `id:3`, or `name:november`.
public enum BatchReference: Hashable, Sendable, CustomStringConvertible {
    /// `id:N`: only a batch id.
    case id(Int64)
    /// `name:TEXT`: only a batch name.
    case name(String)
    /// A bare word: the batch with that id if it is a number, else the batch with that name.
    case idOrName(String)

    public init(_ text: String) {
        if text.hasPrefix("id:"), let id = Int64(text.dropFirst(3)) {
            self = .id(id)
        } else if text.hasPrefix("name:") {
            self = .name(String(text.dropFirst(5)))
        } else {
            self = .idOrName(text)
        }
    }

    public var description: String {
        switch self {
        case .id(let id): "id:\(id)"
        case .name(let name): "name:\(name.terminalSafe)"
        case .idOrName(let text): text.terminalSafe
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { self.isASCII && self.isNumber }
}
