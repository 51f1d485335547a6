import Foundation
import HTTPTypes

/// A JSON value the simulator writes: members keep their order, `null` is written out, and numbers are
/// written from their exact decimal text (`100.02`), never through a binary floating-point value.
indirect enum SimJSON: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral
{
    case string(String)
    /// A number written as this exact text.
    case number(String)
    case bool(Bool)
    case null
    case object([(String, SimJSON)])
    case array([SimJSON])

    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .number(String(value)) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(dictionaryLiteral elements: (String, SimJSON)...) { self = .object(elements) }
    init(arrayLiteral elements: SimJSON...) { self = .array(elements) }
    init(nilLiteral: ()) { self = .null }

    static func int(_ value: Int) -> SimJSON { .number(String(value)) }
    static func optional(_ value: String?) -> SimJSON { value.map { .string($0) } ?? .null }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        self.write(into: &out)
        return out
    }

    private func write(into out: inout [UInt8]) {
        switch self {
        case .string(let text): Self.writeString(text, into: &out)
        case .number(let text): out += Array(text.utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .null: out += Array("null".utf8)
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                element.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    private static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += [0x5C, 0x22]
            case "\\": out += [0x5C, 0x5C]
            case "\n": out += [0x5C, UInt8(ascii: "n")]
            case "\r": out += [0x5C, UInt8(ascii: "r")]
            case "\t": out += [0x5C, UInt8(ascii: "t")]
            case _ where scalar.value < 0x20:
                out += Array(String(format: "\\u%04x", scalar.value).utf8)
            default: out += Array(String(scalar).utf8)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension SimResponse {
    /// A JSON answer written with ``SimJSON``.
    static func json(_ status: HTTPResponse.Status, _ value: SimJSON, rejection: String? = nil, applied: Bool = false) -> SimResponse {
        SimResponse(status: status, body: value.bytes, applied: applied, rejection: rejection)
    }

    /// A JSON answer with status 200.
    static func json(_ value: SimJSON, rejection: String? = nil, applied: Bool = false) -> SimResponse {
        SimResponse(status: .ok, body: value.bytes, applied: applied, rejection: rejection)
    }
}

/// Reads a request body as a JSON object; `nil` when it is not one.
func jsonObject(_ body: [UInt8]) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
}

/// A member that may be a string or an integer (VCC's ids), as text.
func textOrInteger(_ value: Any?) -> String? {
    if let text = value as? String { return text }
    if let number = value as? NSNumber {
        let text = number.stringValue
        return text.allSatisfy(\.isASCIIDigit) ? text : nil
    }
    return nil
}
