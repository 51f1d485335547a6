import GRDB
import RechargeCore

/// The database schema as frozen migrations: a shipped migration is never edited, only followed by new ones.
///
/// The schema enforces the invariants itself, so no code path can store an impossible line: states are a
/// closed list, state changes follow the line state machine (a trigger refuses any other), amounts are
/// positive integers of minor units, references and line numbers are unique per batch, idempotency keys
/// are unique across the database, and the event log is append-only.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: batches, lines, attempts, events") { db in
            try db.execute(
                sql: """
                    CREATE TABLE batch (
                        id INTEGER PRIMARY KEY,
                        uid TEXT NOT NULL UNIQUE CHECK (length(uid) = 36),
                        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
                        reference TEXT CHECK (reference IS NULL OR length(reference) BETWEEN 1 AND 200),
                        source_file TEXT NOT NULL,
                        source_sha256 TEXT NOT NULL CHECK (length(source_sha256) = 64),
                        source_format TEXT NOT NULL CHECK (source_format IN ('csv', 'json', 'ndjson')),
                        source_bytes INTEGER NOT NULL CHECK (source_bytes >= 0),
                        line_count INTEGER NOT NULL CHECK (line_count >= 0),
                        control_line_count INTEGER CHECK (control_line_count IS NULL OR control_line_count >= 0),
                        forced INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0, 1)),
                        imported_at TEXT NOT NULL
                    );
                    CREATE INDEX batch_by_sha256 ON batch(source_sha256);
                    CREATE INDEX batch_by_reference ON batch(reference);

                    CREATE TABLE batch_control_total (
                        batch_id INTEGER NOT NULL REFERENCES batch(id),
                        currency TEXT NOT NULL CHECK (length(currency) = 3),
                        amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
                        PRIMARY KEY (batch_id, currency)
                    ) WITHOUT ROWID;

                    CREATE TABLE line (
                        id INTEGER PRIMARY KEY,
                        batch_id INTEGER NOT NULL REFERENCES batch(id),
                        line_number INTEGER NOT NULL CHECK (line_number > 0),
                        reference TEXT NOT NULL CHECK (length(reference) > 0),
                        account TEXT NOT NULL CHECK (length(account) > 0),
                        card_id TEXT NOT NULL CHECK (length(card_id) > 0),
                        amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
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
                        UNIQUE (batch_id, line_number),
                        UNIQUE (batch_id, reference),
                        -- A line in flight always has the key it was sent with.
                        CHECK (state <> 'PROCESSING' OR idempotency_key IS NOT NULL)
                    );
                    CREATE UNIQUE INDEX line_by_idempotency_key ON line(idempotency_key) WHERE idempotency_key IS NOT NULL;
                    CREATE INDEX line_by_batch_state ON line(batch_id, state);

                    -- The line state machine, enforced by the database as well as by the code.
                    CREATE TRIGGER line_state_transition BEFORE UPDATE OF state ON line
                    WHEN NEW.state <> OLD.state AND NOT (
                        (OLD.state = 'PENDING' AND NEW.state IN ('PROCESSING', 'CANCELLED')) OR
                        (OLD.state = 'PROCESSING' AND NEW.state IN ('SUCCESS', 'FAILED', 'PENDING', 'UNKNOWN')) OR
                        (OLD.state = 'FAILED' AND NEW.state = 'PENDING') OR
                        (OLD.state = 'UNKNOWN' AND NEW.state IN ('SUCCESS', 'FAILED'))
                    )
                    BEGIN
                        SELECT RAISE(ABORT, 'illegal line state transition');
                    END;

                    -- A key generation only ever goes up: an old key is never reused for a new send.
                    CREATE TRIGGER line_generation_monotonic BEFORE UPDATE OF generation ON line
                    WHEN NEW.generation < OLD.generation
                    BEGIN
                        SELECT RAISE(ABORT, 'a line key generation cannot go down');
                    END;

                    CREATE TABLE attempt (
                        id INTEGER PRIMARY KEY,
                        line_id INTEGER NOT NULL REFERENCES line(id),
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
                        UNIQUE (line_id, number)
                    );

                    CREATE TABLE event (
                        id INTEGER PRIMARY KEY,
                        batch_id INTEGER NOT NULL REFERENCES batch(id),
                        line_id INTEGER REFERENCES line(id),
                        at TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        from_state TEXT,
                        to_state TEXT,
                        detail TEXT
                    );
                    CREATE INDEX event_by_line ON event(line_id);
                    CREATE TRIGGER event_append_only_update BEFORE UPDATE ON event
                    BEGIN
                        SELECT RAISE(ABORT, 'the event log is append-only');
                    END;
                    CREATE TRIGGER event_append_only_delete BEFORE DELETE ON event
                    BEGIN
                        SELECT RAISE(ABORT, 'the event log is append-only');
                    END;
                    """)
        }
        migrator.registerMigration("v2: attempt evidence, runner lease") { db in
            try db.execute(
                sql: """
                    -- What an adapter recorded before sending (a card snapshot), to resolve the attempt if its answer is lost.
                    ALTER TABLE attempt ADD COLUMN evidence TEXT;
                    CREATE INDEX attempt_by_line ON attempt(line_id, number);
                    CREATE INDEX line_by_account_card_state ON line(account, card_id, state);

                    -- One runner per database: a single row, taken over only when its heartbeat is stale.
                    CREATE TABLE lease (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        holder TEXT NOT NULL,
                        host TEXT NOT NULL,
                        pid INTEGER NOT NULL,
                        acquired_at TEXT NOT NULL,
                        heartbeat_at TEXT NOT NULL,
                        expires_at TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v3: receipts, line times, runs") { db in
            try db.execute(
                sql: """
                    -- What the provider reported reaching the card and what it charged (HyperCard credits less its fee).
                    ALTER TABLE line ADD COLUMN credited_minor INTEGER;
                    ALTER TABLE line ADD COLUMN credited_currency TEXT;
                    ALTER TABLE line ADD COLUMN fee_minor INTEGER;
                    ALTER TABLE line ADD COLUMN fee_currency TEXT;
                    ALTER TABLE line ADD COLUMN first_sent_at TEXT;
                    ALTER TABLE line ADD COLUMN completed_at TEXT;

                    -- The claim query's index: only pending lines, so it shrinks as a batch is worked through.
                    CREATE INDEX line_pending ON line(account, batch_id, line_number) WHERE state = 'PENDING';

                    -- Each execution of `recharge run`: who ran it where, and how it ended.
                    CREATE TABLE run (
                        id INTEGER PRIMARY KEY,
                        holder TEXT NOT NULL,
                        host TEXT NOT NULL,
                        pid INTEGER NOT NULL,
                        batch_id INTEGER REFERENCES batch(id),
                        started_at TEXT NOT NULL,
                        finished_at TEXT,
                        outcome TEXT
                    );
                    """)
        }
        migrator.registerMigration("v4: verification mismatches") { db in
            try db.execute(
                sql: """
                    -- What a check against the provider's own records found to disagree with a line (recorded by reconcile).
                    CREATE TABLE mismatch (
                        id INTEGER PRIMARY KEY,
                        line_id INTEGER NOT NULL REFERENCES line(id),
                        found_at TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (length(kind) > 0),
                        detail TEXT
                    );
                    CREATE INDEX mismatch_by_line ON mismatch(line_id);

                    -- The report lists operator resolutions per batch; a partial index costs the engine's event inserts nothing.
                    CREATE INDEX event_resolved ON event(batch_id, line_id) WHERE kind IN ('resolved-success', 'resolved-failed');
                    """)
        }
        migrator.registerMigration("v5: the moment each request left") { db in
            try db.execute(
                sql: """
                    -- When the request actually left (after admission by the rate limiter), as opposed to the claim
                    -- (started_at): every "not before" rule and every provider dedupe window is timed from it.
                    ALTER TABLE attempt ADD COLUMN sent_at TEXT;
                    CREATE INDEX attempt_by_key ON attempt(idempotency_key);
                    """)
        }
        migrator.registerMigration("v6: each line's position in its file") { db in
            try db.execute(
                sql: """
                    -- The record's position among the file's records (1..N), as a person counts them, beside line_number
                    -- (the physical line in CSV and NDJSON, the item index in JSON), which a CSV header or a line break
                    -- in a quoted field makes differ. line_number stays what idempotency keys derive from.
                    ALTER TABLE line ADD COLUMN item_number INTEGER CHECK (item_number IS NULL OR item_number > 0);
                    -- An import stores every record of a file or none, so a stored line's position is its rank by
                    -- line_number within its batch.
                    UPDATE line SET item_number = ranked.position
                    FROM (SELECT id, row_number() OVER (PARTITION BY batch_id ORDER BY line_number) AS position FROM line) AS ranked
                    WHERE line.id = ranked.id;
                    """)
        }
        migrator.registerMigration("v7: indexes the engine's queries use, and no others") { db in
            try db.execute(
                sql: """
                    -- The one-per-card rule only asks whether a card has a line in flight: indexing only PROCESSING lines
                    -- keeps the index a few rows long, where one over every line's random card id made each imported line
                    -- a random B-tree insert and took an import of a million lines from 180,000 to 23,000 lines/s.
                    DROP INDEX line_by_account_card_state;
                    CREATE INDEX line_processing_by_card ON line(account, card_id) WHERE state = 'PROCESSING';
                    -- Every query of attempts by key also names the line, which attempt_by_line serves.
                    DROP INDEX attempt_by_key;
                    """)
        }
        migrator.registerMigration("v8: four-eyes approval of batches") { db in
            try db.execute(sql: Self.approvalSQL)
        }
        migrator.registerMigration("v9: console users and sessions") { db in
            try db.execute(sql: Self.consoleSQL)
        }
        return migrator
    }
}
