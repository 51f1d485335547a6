import Foundation

/// Writes the flat JSON objects of string members that VCC, HyperCard and Pagsmile requests are made of, with
/// members in the given order, so that requests are byte-for-byte reproducible (known-answer tests pin them).
enum FlatJSON {
    /// `{"name":"value",…}` in the given order.
    static func object(_ members: [(String, String)]) -> [UInt8] {
        var out = "{"
        for (index, (name, value)) in members.enumerated() {
            if index > 0 { out += "," }
            out += Self.string(name) + ":" + Self.string(value)
        }
        return Array((out + "}").utf8)
    }

    /// A JSON string literal.
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
