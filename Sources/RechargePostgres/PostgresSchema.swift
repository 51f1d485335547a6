import Foundation

/// The PostgreSQL schema as frozen, numbered migrations: a shipped migration is never edited, only followed by new ones.
///
/// It keeps the SQLite store's invariants in the database itself — closed lists of states, the line state machine as a
/// trigger, positive integer amounts, unique keys and references, an append-only event log, four-eyes approval — and
/// adds what several runners need: each claim stamped with its runner and a fencing token (`claim_token`, from one
/// sequence), runner heartbeats timed by the database's clock, one rate budget per provider account, and a turn
/// counter per card for the providers that take one recharge per card at a time.
///
/// Line, attempt and event times are the same ISO-8601 texts as in SQLite (``Timestamp``), so the records and reports
/// are the same; the times several machines must agree on (heartbeats, lease expiry, the rate budget) are
/// `timestamptz` from the server's own clock.
enum PostgresSchema {
    struct Migration {
        var version: Int
        var name: String
        var sql: String
    }

    /// A migration's statements: each ends with a line ending in `;` outside a `$$` function body.
    static func statements(of sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var inBody = false
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            current += line + "\n"
            if line.components(separatedBy: "$$").count % 2 == 0 { inBody.toggle() }
            if !inBody && line.trimmingCharacters(in: .whitespaces).hasSuffix(";") {
                statements.append(current)
                current = ""
            }
        }
        if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { statements.append(current) }
        return statements
    }

    static let migrations: [Migration] = [
        Migration(version: 1, name: "batches, lines, attempts, events, approval, runners, rate budgets", sql: v1),
        Migration(version: 2, name: "one runner per account of a provider with one session per client", sql: v2),
    ]

    static let v2 = """
        -- Providers whose new token invalidates every older one (UQPay): one runner at a time works the account. The hold
        -- lasts as long as its runner's lease; a runner whose lease expired loses it to the next that asks.
        CREATE TABLE account_session (
            account TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            since timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        """

    static let v1 = """
        CREATE TABLE batch (
            id BIGSERIAL PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE CHECK (length(uid) = 36),
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
            reference TEXT CHECK (reference IS NULL OR length(reference) BETWEEN 1 AND 200),
            source_file TEXT NOT NULL,
            source_sha256 TEXT NOT NULL CHECK (length(source_sha256) = 64),
            source_format TEXT NOT NULL CHECK (source_format IN ('csv', 'json', 'ndjson')),
            source_bytes BIGINT NOT NULL CHECK (source_bytes >= 0),
            line_count INTEGER NOT NULL CHECK (line_count >= 0),
            control_line_count INTEGER CHECK (control_line_count IS NULL OR control_line_count >= 0),
            forced BOOLEAN NOT NULL DEFAULT false,
            imported_at TEXT NOT NULL,
            approval_state TEXT NOT NULL DEFAULT 'IMPORTING'
                CHECK (approval_state IN ('IMPORTING', 'NOT_REQUIRED', 'AWAITING_APPROVAL', 'APPROVED', 'REJECTED')),
            approvals_required INTEGER NOT NULL DEFAULT 0 CHECK (approvals_required BETWEEN 0 AND 2),
            uploaded_by TEXT
        );
        CREATE INDEX batch_by_sha256 ON batch(source_sha256);
        CREATE INDEX batch_by_reference ON batch(reference);

        CREATE TABLE batch_control_total (
            batch_id BIGINT NOT NULL REFERENCES batch(id),
            currency TEXT NOT NULL CHECK (length(currency) = 3),
            amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
            PRIMARY KEY (batch_id, currency)
        );

        -- One sequence for every claim of every line: a claim's token is larger than any issued before it, so a
        -- runner holding an older token for a line has lost that line, whoever holds it now.
        CREATE SEQUENCE claim_token_seq;

        CREATE TABLE line (
            id BIGSERIAL PRIMARY KEY,
            batch_id BIGINT NOT NULL REFERENCES batch(id),
            line_number INTEGER NOT NULL CHECK (line_number > 0),
            item_number INTEGER CHECK (item_number IS NULL OR item_number > 0),
            reference TEXT NOT NULL CHECK (length(reference) > 0),
            account TEXT NOT NULL CHECK (length(account) > 0),
            card_id TEXT NOT NULL CHECK (length(card_id) > 0),
            amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
            currency TEXT NOT NULL CHECK (length(currency) = 3),
            remark TEXT,
            pay_coin TEXT,
            pay_account_num TEXT,
            on_behalf_of TEXT,
            state TEXT NOT NULL DEFAULT 'PENDING'
                CHECK (state IN ('PENDING', 'PROCESSING', 'SUCCESS', 'FAILED', 'CANCELLED', 'UNKNOWN')),
            generation INTEGER NOT NULL DEFAULT 0 CHECK (generation >= 0),
            idempotency_key TEXT,
            attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            next_attempt_at TEXT,
            provider_reference TEXT,
            last_error_code TEXT,
            last_error_message TEXT,
            updated_at TEXT NOT NULL,
            credited_minor BIGINT,
            credited_currency TEXT,
            fee_minor BIGINT,
            fee_currency TEXT,
            first_sent_at TEXT,
            completed_at TEXT,
            -- The runner that holds the line in flight and its fencing token: every write of a PROCESSING line names
            -- the token it was claimed (or adopted) under.
            claimed_by TEXT,
            claim_token BIGINT NOT NULL DEFAULT 0,
            UNIQUE (batch_id, line_number),
            UNIQUE (batch_id, reference),
            CHECK (state <> 'PROCESSING' OR (idempotency_key IS NOT NULL AND claimed_by IS NOT NULL))
        );
        CREATE UNIQUE INDEX line_by_idempotency_key ON line(idempotency_key) WHERE idempotency_key IS NOT NULL;
        CREATE INDEX line_by_batch_state ON line(batch_id, state);
        CREATE INDEX line_pending ON line(account, batch_id, line_number) WHERE state = 'PENDING';
        CREATE INDEX line_processing_by_card ON line(account, card_id) WHERE state = 'PROCESSING';
        CREATE INDEX line_processing_by_runner ON line(claimed_by) WHERE state = 'PROCESSING';

        CREATE FUNCTION line_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (NEW.batch_id, NEW.line_number, NEW.reference, NEW.account, NEW.card_id, NEW.amount_minor, NEW.currency,
                    NEW.remark, NEW.pay_coin, NEW.pay_account_num, NEW.on_behalf_of, NEW.item_number)
                IS DISTINCT FROM (OLD.batch_id, OLD.line_number, OLD.reference, OLD.account, OLD.card_id, OLD.amount_minor,
                    OLD.currency, OLD.remark, OLD.pay_coin, OLD.pay_account_num, OLD.on_behalf_of, OLD.item_number) THEN
                RAISE EXCEPTION 'a line''s content cannot change after its import' USING ERRCODE = 'check_violation';
            END IF;
            IF NEW.state <> OLD.state AND NOT (
                (OLD.state = 'PENDING' AND NEW.state IN ('PROCESSING', 'CANCELLED')) OR
                (OLD.state = 'PROCESSING' AND NEW.state IN ('SUCCESS', 'FAILED', 'PENDING', 'UNKNOWN')) OR
                (OLD.state = 'FAILED' AND NEW.state = 'PENDING') OR
                (OLD.state = 'UNKNOWN' AND NEW.state IN ('SUCCESS', 'FAILED'))
            ) THEN
                RAISE EXCEPTION 'illegal line state transition % -> %', OLD.state, NEW.state USING ERRCODE = 'check_violation';
            END IF;
            IF NEW.generation < OLD.generation THEN
                RAISE EXCEPTION 'a line key generation cannot go down' USING ERRCODE = 'check_violation';
            END IF;
            IF NEW.claim_token < OLD.claim_token THEN
                RAISE EXCEPTION 'a claim token cannot go down' USING ERRCODE = 'check_violation';
            END IF;
            IF OLD.state = 'PENDING' AND NEW.state = 'PROCESSING' AND
                (SELECT approval_state FROM batch WHERE id = NEW.batch_id) NOT IN ('NOT_REQUIRED', 'APPROVED') THEN
                RAISE EXCEPTION 'the batch is not approved: none of its lines may be sent' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER line_guard BEFORE UPDATE ON line FOR EACH ROW EXECUTE FUNCTION line_guard();

        CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'check_violation';
        END $$;
        CREATE TRIGGER line_no_delete BEFORE DELETE ON line FOR EACH ROW EXECUTE FUNCTION refuse_change('lines are never deleted');

        CREATE TABLE attempt (
            id BIGSERIAL PRIMARY KEY,
            line_id BIGINT NOT NULL REFERENCES line(id),
            number INTEGER NOT NULL CHECK (number > 0),
            generation INTEGER NOT NULL CHECK (generation >= 0),
            idempotency_key TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('recharge', 'status')),
            started_at TEXT NOT NULL,
            finished_at TEXT,
            outcome TEXT,
            http_status INTEGER,
            error_code TEXT,
            error_message TEXT,
            evidence TEXT,
            sent_at TEXT,
            -- Who claimed it, under which token (the claim generation).
            runner TEXT NOT NULL,
            claim_token BIGINT NOT NULL,
            UNIQUE (line_id, number)
        );

        CREATE TABLE event (
            id BIGSERIAL PRIMARY KEY,
            batch_id BIGINT NOT NULL REFERENCES batch(id),
            line_id BIGINT REFERENCES line(id),
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            kind TEXT NOT NULL,
            from_state TEXT,
            to_state TEXT,
            detail TEXT
        );
        CREATE INDEX event_by_line ON event(line_id);
        CREATE INDEX event_by_batch ON event(batch_id) WHERE line_id IS NULL;
        CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON event
            FOR EACH ROW EXECUTE FUNCTION refuse_change('the event log is append-only');

        CREATE TABLE mismatch (
            id BIGSERIAL PRIMARY KEY,
            line_id BIGINT NOT NULL REFERENCES line(id),
            found_at TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (length(kind) > 0),
            detail TEXT
        );
        CREATE INDEX mismatch_by_line ON mismatch(line_id);

        CREATE TABLE batch_approval (
            id BIGSERIAL PRIMARY KEY,
            batch_id BIGINT NOT NULL REFERENCES batch(id),
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
        CREATE FUNCTION batch_approval_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE b batch%ROWTYPE;
        BEGIN
            SELECT * INTO b FROM batch WHERE id = NEW.batch_id FOR UPDATE;
            IF NEW.approver IS NOT DISTINCT FROM b.uploaded_by THEN
                RAISE EXCEPTION 'four eyes: the person who imported a batch cannot approve or reject it' USING ERRCODE = 'check_violation';
            END IF;
            IF b.approval_state <> 'AWAITING_APPROVAL' THEN
                RAISE EXCEPTION 'the batch is not awaiting approval' USING ERRCODE = 'check_violation';
            END IF;
            IF NEW.source_sha256 <> b.source_sha256 OR NEW.line_count <> b.line_count THEN
                RAISE EXCEPTION 'the decision names other content than the batch holds' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER batch_approval_guard BEFORE INSERT ON batch_approval FOR EACH ROW EXECUTE FUNCTION batch_approval_guard();
        CREATE TRIGGER batch_approval_append_only BEFORE UPDATE OR DELETE ON batch_approval
            FOR EACH ROW EXECUTE FUNCTION refuse_change('approval decisions are append-only');

        CREATE FUNCTION batch_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.approval_state <> 'IMPORTING' AND (NEW.source_sha256, NEW.source_bytes, NEW.source_format, NEW.line_count,
                    NEW.control_line_count, NEW.approvals_required, NEW.uploaded_by)
                IS DISTINCT FROM (OLD.source_sha256, OLD.source_bytes, OLD.source_format, OLD.line_count,
                    OLD.control_line_count, OLD.approvals_required, OLD.uploaded_by) THEN
                RAISE EXCEPTION 'a batch''s content cannot change after its import' USING ERRCODE = 'check_violation';
            END IF;
            IF NEW.approval_state IS DISTINCT FROM OLD.approval_state AND NOT (
                (OLD.approval_state = 'IMPORTING' AND (
                    (NEW.approval_state = 'NOT_REQUIRED' AND NEW.approvals_required = 0) OR
                    (NEW.approval_state = 'AWAITING_APPROVAL' AND NEW.approvals_required > 0))) OR
                (OLD.approval_state = 'AWAITING_APPROVAL' AND NEW.approval_state = 'APPROVED' AND
                    (SELECT count(*) FROM batch_approval WHERE batch_id = NEW.id AND decision = 'APPROVED') >= NEW.approvals_required) OR
                (OLD.approval_state = 'AWAITING_APPROVAL' AND NEW.approval_state = 'REJECTED' AND
                    EXISTS (SELECT 1 FROM batch_approval WHERE batch_id = NEW.id AND decision = 'REJECTED'))
            ) THEN
                RAISE EXCEPTION 'illegal batch approval transition' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER batch_guard BEFORE UPDATE ON batch FOR EACH ROW EXECUTE FUNCTION batch_guard();

        CREATE FUNCTION batch_content_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (SELECT approval_state FROM batch WHERE id = NEW.batch_id) <> 'IMPORTING' THEN
                RAISE EXCEPTION 'a batch''s content cannot change after its import' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$;
        -- Lines and control totals go in only while their batch is being imported, inside the import's transaction.
        CREATE TRIGGER batch_control_total_fixed BEFORE INSERT ON batch_control_total
            FOR EACH ROW EXECUTE FUNCTION batch_content_fixed();
        CREATE TRIGGER line_insert_only_while_importing BEFORE INSERT ON line
            FOR EACH ROW EXECUTE FUNCTION batch_content_fixed();

        -- Every runner that works on this database: its heartbeat, on the server's clock. A runner whose lease expired
        -- has lost its lines: another runner adopts them (a new claim token) and resolves them by a lookup.
        CREATE TABLE runner (
            holder TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            acquired_at timestamptz NOT NULL,
            heartbeat_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            stopped_at timestamptz
        );

        CREATE TABLE run (
            id BIGSERIAL PRIMARY KEY,
            holder TEXT NOT NULL,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            batch_id BIGINT REFERENCES batch(id),
            started_at TEXT NOT NULL,
            finished_at TEXT,
            outcome TEXT
        );

        -- One rate budget per provider account, shared by every runner: GCRA's theoretical arrival time, on the
        -- server's clock.
        CREATE TABLE rate_budget (
            account TEXT PRIMARY KEY,
            tat timestamptz NOT NULL
        );

        -- For providers that take one recharge per card at a time: a counter bumped by every claim of one of the card's
        -- lines. A claim names the value it read before the card read; a changed value means another claim came between.
        CREATE TABLE card_turn (
            account TEXT NOT NULL,
            card_id TEXT NOT NULL,
            turn BIGINT NOT NULL,
            PRIMARY KEY (account, card_id)
        );
        """
}
