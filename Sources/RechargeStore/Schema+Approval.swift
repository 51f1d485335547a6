extension Schema {
    /// Batch approval, enforced by the database so that no code path (CLI, console, a script against the file)
    /// can send a line of a batch that is not approved, or approve its own upload.
    ///
    /// A batch's approval state is its own small state machine beside the lines': IMPORTING while its lines go in
    /// (inside the import's transaction, so never seen committed), then NOT_REQUIRED or AWAITING_APPROVAL; from
    /// AWAITING_APPROVAL to APPROVED once enough decisions approve it, or to REJECTED by one rejection. Batches
    /// stored before approval existed are NOT_REQUIRED: they ran under the rules of their day.
    static let approvalSQL = """
        ALTER TABLE batch ADD COLUMN approval_state TEXT NOT NULL DEFAULT 'NOT_REQUIRED'
            CHECK (approval_state IN ('IMPORTING', 'NOT_REQUIRED', 'AWAITING_APPROVAL', 'APPROVED', 'REJECTED'));
        ALTER TABLE batch ADD COLUMN approvals_required INTEGER NOT NULL DEFAULT 0 CHECK (approvals_required BETWEEN 0 AND 2);
        -- Who imported the batch: the one person who may never decide on it.
        ALTER TABLE batch ADD COLUMN uploaded_by TEXT;

        -- One decision per person per batch, append-only, recording exactly what the person was shown.
        CREATE TABLE batch_approval (
            id INTEGER PRIMARY KEY,
            batch_id INTEGER NOT NULL REFERENCES batch(id),
            approver TEXT NOT NULL CHECK (length(approver) > 0),
            decision TEXT NOT NULL CHECK (decision IN ('APPROVED', 'REJECTED')),
            at TEXT NOT NULL,
            source_sha256 TEXT NOT NULL CHECK (length(source_sha256) = 64),
            line_count INTEGER NOT NULL,
            totals TEXT NOT NULL,
            reason TEXT,
            CHECK (decision = 'APPROVED' OR length(reason) > 0),
            UNIQUE (batch_id, approver)
        );
        CREATE TRIGGER batch_approval_not_by_uploader BEFORE INSERT ON batch_approval
        WHEN NEW.approver IS (SELECT uploaded_by FROM batch WHERE id = NEW.batch_id)
        BEGIN
            SELECT RAISE(ABORT, 'four eyes: the person who imported a batch cannot approve or reject it');
        END;
        CREATE TRIGGER batch_approval_only_when_awaiting BEFORE INSERT ON batch_approval
        WHEN (SELECT approval_state FROM batch WHERE id = NEW.batch_id) IS NOT 'AWAITING_APPROVAL'
        BEGIN
            SELECT RAISE(ABORT, 'the batch is not awaiting approval');
        END;
        CREATE TRIGGER batch_approval_of_the_content BEFORE INSERT ON batch_approval
        WHEN NEW.source_sha256 IS NOT (SELECT source_sha256 FROM batch WHERE id = NEW.batch_id)
            OR NEW.line_count IS NOT (SELECT line_count FROM batch WHERE id = NEW.batch_id)
        BEGIN
            SELECT RAISE(ABORT, 'the decision names other content than the batch holds');
        END;
        CREATE TRIGGER batch_approval_no_update BEFORE UPDATE ON batch_approval
        BEGIN
            SELECT RAISE(ABORT, 'approval decisions are append-only');
        END;
        CREATE TRIGGER batch_approval_no_delete BEFORE DELETE ON batch_approval
        BEGIN
            SELECT RAISE(ABORT, 'approval decisions are append-only');
        END;

        CREATE TRIGGER batch_approval_transition BEFORE UPDATE OF approval_state ON batch
        WHEN NEW.approval_state IS NOT OLD.approval_state AND NOT (
            (OLD.approval_state = 'IMPORTING' AND (
                (NEW.approval_state = 'NOT_REQUIRED' AND NEW.approvals_required = 0) OR
                (NEW.approval_state = 'AWAITING_APPROVAL' AND NEW.approvals_required > 0))) OR
            (OLD.approval_state = 'AWAITING_APPROVAL' AND NEW.approval_state = 'APPROVED' AND
                (SELECT count(*) FROM batch_approval WHERE batch_id = NEW.id AND decision = 'APPROVED') >= NEW.approvals_required) OR
            (OLD.approval_state = 'AWAITING_APPROVAL' AND NEW.approval_state = 'REJECTED' AND
                EXISTS (SELECT 1 FROM batch_approval WHERE batch_id = NEW.id AND decision = 'REJECTED'))
        )
        BEGIN
            SELECT RAISE(ABORT, 'illegal batch approval transition');
        END;
        -- What was approved is what runs: once imported, a batch's content and its approval rule are fixed.
        CREATE TRIGGER batch_content_fixed BEFORE UPDATE OF source_sha256, source_bytes, source_format, line_count,
            control_line_count, approvals_required, uploaded_by ON batch
        WHEN OLD.approval_state <> 'IMPORTING'
        BEGIN
            SELECT RAISE(ABORT, 'a batch''s content cannot change after its import');
        END;
        CREATE TRIGGER batch_control_total_fixed BEFORE INSERT ON batch_control_total
        WHEN (SELECT approval_state FROM batch WHERE id = NEW.batch_id) IN ('AWAITING_APPROVAL', 'APPROVED', 'REJECTED')
        BEGIN
            SELECT RAISE(ABORT, 'a batch''s content cannot change after its import');
        END;
        CREATE TRIGGER line_content_fixed BEFORE UPDATE OF batch_id, line_number, reference, account, card_id, amount_minor,
            currency, remark, pay_coin, pay_account_num, on_behalf_of, item_number ON line
        BEGIN
            SELECT RAISE(ABORT, 'a line''s content cannot change after its import');
        END;
        CREATE TRIGGER line_no_delete BEFORE DELETE ON line
        BEGIN
            SELECT RAISE(ABORT, 'lines are never deleted');
        END;
        -- The gate: a line is sent only after its claim, and no line of a batch awaiting approval (or rejected) is claimed.
        CREATE TRIGGER line_claim_needs_approval BEFORE UPDATE OF state ON line
        WHEN OLD.state = 'PENDING' AND NEW.state = 'PROCESSING'
            AND (SELECT approval_state FROM batch WHERE id = NEW.batch_id) NOT IN ('NOT_REQUIRED', 'APPROVED')
        BEGIN
            SELECT RAISE(ABORT, 'the batch is not approved: none of its lines may be sent');
        END;
        """
}
