import Foundation
import GRDB
import RechargeCore

/// A stored batch.
package struct BatchRecord: Hashable, Sendable, Codable, FetchableRecord {
    package var id: Int64
    package var uid: String
    package var name: String
    package var reference: String?
    package var sourceFile: String
    package var sourceSHA256: String
    package var sourceFormat: String
    package var sourceBytes: Int64
    package var lineCount: Int
    package var controlLineCount: Int?
    package var forced: Bool
    package var importedAt: String
    /// IMPORTING (never seen committed), NOT_REQUIRED, AWAITING_APPROVAL, APPROVED or REJECTED.
    package var approvalState: BatchApprovalState
    /// How many people other than the uploader must approve it: 0, 1 or 2.
    package var approvalsRequired: Int
    /// Who imported it; `nil` for batches stored before approval existed.
    package var uploadedBy: String?

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
        case approvalState = "approval_state"
        case approvalsRequired = "approvals_required"
        case uploadedBy = "uploaded_by"
    }

    package init(
        id: Int64, uid: String, name: String, reference: String?, sourceFile: String, sourceSHA256: String, sourceFormat: String,
        sourceBytes: Int64, lineCount: Int, controlLineCount: Int?, forced: Bool, importedAt: String, approvalState: BatchApprovalState,
        approvalsRequired: Int, uploadedBy: String?
    ) {
        self.id = id
        self.uid = uid
        self.name = name
        self.reference = reference
        self.sourceFile = sourceFile
        self.sourceSHA256 = sourceSHA256
        self.sourceFormat = sourceFormat
        self.sourceBytes = sourceBytes
        self.lineCount = lineCount
        self.controlLineCount = controlLineCount
        self.forced = forced
        self.importedAt = importedAt
        self.approvalState = approvalState
        self.approvalsRequired = approvalsRequired
        self.uploadedBy = uploadedBy
    }
}

extension LineRecord: FetchableRecord {}

/// An entry of the append-only event log.
package struct EventRecord: Hashable, Sendable, Codable, FetchableRecord {
    package var id: Int64
    package var batchID: Int64
    package var lineID: Int64?
    package var at: String
    package var actor: String
    package var kind: String
    package var fromState: String?
    package var toState: String?
    package var detail: String?

    enum CodingKeys: String, CodingKey {
        case id
        case batchID = "batch_id"
        case lineID = "line_id"
        case at, actor, kind
        case fromState = "from_state"
        case toState = "to_state"
        case detail
    }

    package init(
        id: Int64, batchID: Int64, lineID: Int64?, at: String, actor: String, kind: String, fromState: String?, toState: String?,
        detail: String?
    ) {
        self.id = id
        self.batchID = batchID
        self.lineID = lineID
        self.at = at
        self.actor = actor
        self.kind = kind
        self.fromState = fromState
        self.toState = toState
        self.detail = detail
    }
}

/// One group of the status view: lines of one account, currency and state.
package struct StatusRow: Hashable, Sendable {
    package var account: String
    package var currency: String
    package var state: LineState
    package var count: Int
    package var sumMinor: Int64

    package init(account: String, currency: String, state: LineState, count: Int, sumMinor: Int64) {
        self.account = account
        self.currency = currency
        self.state = state
        self.count = count
        self.sumMinor = sumMinor
    }
}
