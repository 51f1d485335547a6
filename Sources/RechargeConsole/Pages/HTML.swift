/// HTML that escapes by default: anything interpolated into it is text (a file name, a batch name, a reason, all
/// attacker-controlled) unless it is itself `HTML`.
struct HTML: ExpressibleByStringInterpolation, Sendable {
    private(set) var text: String

    init(stringLiteral value: String) { self.text = value }
    init(stringInterpolation: Interpolation) { self.text = stringInterpolation.text }
    private init(raw: String) { self.text = raw }

    struct Interpolation: StringInterpolationProtocol {
        var text = ""
        init(literalCapacity: Int, interpolationCount: Int) { self.text.reserveCapacity(literalCapacity * 2) }
        mutating func appendLiteral(_ literal: String) { self.text += literal }
        /// Text, escaped for element content and quoted attribute values alike.
        mutating func appendInterpolation(_ value: String) { self.text += HTML.escape(value) }
        mutating func appendInterpolation(_ value: some BinaryInteger) { self.text += String(value) }
        mutating func appendInterpolation(_ value: HTML) { self.text += value.text }
        mutating func appendInterpolation(_ values: [HTML]) { self.text += values.map(\.text).joined() }
    }

    static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters never reach a page (a name with an escape sequence in it shows as U+FFFD).
                if character.value < 0x20 && character != "\n" && character != "\t" || (0x7F...0x9F).contains(character.value) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(character)
                }
            }
        }
        return out
    }

    static func join(_ parts: [HTML], separator: HTML = "") -> HTML {
        HTML(raw: parts.map(\.text).joined(separator: separator.text))
    }
}
