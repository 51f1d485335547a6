/// A configuration file as a JSON tree, read before the file's settings are decoded so that the `RECHARGE_…`
/// environment overrides can be applied to it (``EnvironmentOverrides``) and the result decoded as if the file said so.
///
/// No money passes through `.number`: amounts in a configuration are decimal strings, and a number where one is
/// expected is refused by the decoding that follows.
enum ConfigurationJSON: Codable, Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([ConfigurationJSON])
    case object([String: ConfigurationJSON])

    init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer()
        if value.decodeNil() {
            self = .null
        } else if let bool = try? value.decode(Bool.self) {
            self = .bool(bool)
        } else if let integer = try? value.decode(Int.self) {
            self = .integer(integer)
        } else if let number = try? value.decode(Double.self) {
            self = .number(number)
        } else if let string = try? value.decode(String.self) {
            self = .string(string)
        } else if let array = try? value.decode([ConfigurationJSON].self) {
            self = .array(array)
        } else {
            self = .object(try value.decode([String: ConfigurationJSON].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var value = encoder.singleValueContainer()
        switch self {
        case .null: try value.encodeNil()
        case .bool(let bool): try value.encode(bool)
        case .integer(let integer): try value.encode(integer)
        case .number(let number): try value.encode(number)
        case .string(let string): try value.encode(string)
        case .array(let array): try value.encode(array)
        case .object(let object): try value.encode(object)
        }
    }

    var object: [String: ConfigurationJSON]? {
        if case .object(let object) = self { return object }
        return nil
    }

    var array: [ConfigurationJSON]? {
        if case .array(let array) = self { return array }
        return nil
    }

    var string: String? {
        if case .string(let string) = self { return string }
        return nil
    }
}
