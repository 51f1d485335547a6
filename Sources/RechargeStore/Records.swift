import Foundation
import GRDB
import RechargeCore

/// A stored batch.
public struct BatchRecord: Hashable, Sendable, Codable, FetchableRecord {
    public var id: Int64
    public var uid: String
    public var name: String
    public var reference: String?
    public var sourceFile: String
    public var sourceSHA256: String
    public var sourceFormat: String
    public var sourceBytes: Int64
    public var lineCount: Int
    public var controlLineCount: Int?
    public var forced: Bool
    public var importedAt: String

    enum CodingKeys: String, CodingKey {
        case id, uid, name, reference
        case sourceFile = "source_file"
        case sourceSHA256 = "source_sha256"
        case sourceFormat = "source_format"
        case sourceBytes = "source_bytes"
        case lineCount = "line_count"
        case controlLineCount = "control_line_count"
        case forced
        case importedAt = "imported_at"
    }
}

extension LineRecord: FetchableRecord {}

/// An entry of the append-only event log.
public struct EventRecord: Hashable, Sendable, Codable, FetchableRecord {
    public var id: Int64
    public var batchID: Int64
    public var lineID: Int64?
    public var at: String
    public var actor: String
    public var kind: String
    public var fromState: String?
    public var toState: String?
    public var detail: String?

    enum CodingKeys: String, CodingKey {
        case id
        case batchID = "batch_id"
        case lineID = "line_id"
        case at, actor, kind
        case fromState = "from_state"
        case toState = "to_state"
        case detail
    }
}

/// One group of the status view: lines of one account, currency and state.
public struct StatusRow: Hashable, Sendable {
    public var account: String
    public var currency: String
    public var state: LineState
    public var count: Int
    public var sumMinor: Int64
}
