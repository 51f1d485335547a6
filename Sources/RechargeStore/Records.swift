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

/// A stored line with its execution state.
public struct LineRecord: Hashable, Sendable, Codable, FetchableRecord {
    public var id: Int64
    public var batchID: Int64
    public var lineNumber: Int
    public var reference: String
    public var account: String
    public var cardID: String
    public var amountMinor: Int64
    public var currency: String
    public var remark: String?
    public var payCoin: String?
    public var payAccountNumber: String?
    public var onBehalfOf: String?
    public var state: LineState
    public var generation: Int
    public var idempotencyKey: String?
    public var attempts: Int
    public var providerReference: String?
    public var lastErrorCode: String?
    public var lastErrorMessage: String?
    public var updatedAt: String
    /// What the provider said reached the card and what it charged, where it reports them.
    public var creditedMinor: Int64?
    public var creditedCurrency: String?
    public var feeMinor: Int64?
    public var feeCurrency: String?
    /// When the line was first claimed for sending, and when it reached a final state.
    public var firstSentAt: String?
    public var completedAt: String?
    /// The line's position among its file's records (1..N); `nil` only for a line stored outside an import.
    public var itemNumber: Int?

    enum CodingKeys: String, CodingKey {
        case id
        case batchID = "batch_id"
        case lineNumber = "line_number"
        case itemNumber = "item_number"
        case reference, account
        case cardID = "card_id"
        case amountMinor = "amount_minor"
        case currency, remark
        case payCoin = "pay_coin"
        case payAccountNumber = "pay_account_num"
        case onBehalfOf = "on_behalf_of"
        case state, generation
        case idempotencyKey = "idempotency_key"
        case attempts
        case providerReference = "provider_reference"
        case lastErrorCode = "last_error_code"
        case lastErrorMessage = "last_error_message"
        case updatedAt = "updated_at"
        case creditedMinor = "credited_minor"
        case creditedCurrency = "credited_currency"
        case feeMinor = "fee_minor"
        case feeCurrency = "fee_currency"
        case firstSentAt = "first_sent_at"
        case completedAt = "completed_at"
    }
}

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
