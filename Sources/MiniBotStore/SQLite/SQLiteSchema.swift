/// The SQLite schema, one migration per version, applied in order and never
/// edited once released: add a new one instead. Times are milliseconds since
/// 1970 (UTC), booleans 0/1.
enum SQLiteSchema {
    static let migrations: [(version: Int, name: String, sql: String)] = [
        (1, "contacts, campaigns, queue, calls, interactions", """
        CREATE TABLE contacts (
            phone TEXT PRIMARY KEY NOT NULL,
            first_name TEXT NOT NULL DEFAULT '',
            last_name TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            company TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'New',
            attempts INTEGER NOT NULL DEFAULT 0,
            last_attempt_at INTEGER,
            opt_out INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX contacts_status ON contacts (status, phone);

        CREATE TABLE campaigns (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            scenario TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active',
            total INTEGER NOT NULL DEFAULT 0,
            answered INTEGER NOT NULL DEFAULT 0,
            machine INTEGER NOT NULL DEFAULT 0,
            leads INTEGER NOT NULL DEFAULT 0,
            not_interested INTEGER NOT NULL DEFAULT 0,
            no_answer INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );

        CREATE TABLE call_queue (
            campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
            phone TEXT NOT NULL REFERENCES contacts (phone) ON DELETE CASCADE,
            priority INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            max_attempts INTEGER NOT NULL DEFAULT 3,
            next_attempt_at INTEGER NOT NULL,
            lease_owner TEXT,
            lease_expires_at INTEGER,
            PRIMARY KEY (campaign_id, phone)
        );
        CREATE INDEX call_queue_due ON call_queue (status, next_attempt_at, priority);
        CREATE INDEX call_queue_phone ON call_queue (phone);

        CREATE TABLE calls (
            call_id TEXT PRIMARY KEY NOT NULL,
            phone TEXT NOT NULL,
            campaign_id TEXT REFERENCES campaigns (id) ON DELETE SET NULL,
            status TEXT NOT NULL,
            amd_result TEXT,
            final_intent TEXT,
            is_lead INTEGER NOT NULL DEFAULT 0,
            duration REAL NOT NULL DEFAULT 0,
            recording_path TEXT,
            transcript_path TEXT,
            started_at INTEGER NOT NULL,
            answered_at INTEGER,
            ended_at INTEGER,
            hangup_cause TEXT
        );
        CREATE INDEX calls_phone ON calls (phone, started_at);
        CREATE INDEX calls_campaign ON calls (campaign_id, started_at);
        CREATE INDEX calls_started ON calls (started_at);

        CREATE TABLE call_interactions (
            call_id TEXT NOT NULL REFERENCES calls (call_id) ON DELETE CASCADE,
            sequence INTEGER NOT NULL,
            step TEXT NOT NULL,
            prompt TEXT NOT NULL DEFAULT '',
            transcription TEXT NOT NULL DEFAULT '',
            intent TEXT,
            confidence REAL,
            response_duration REAL NOT NULL DEFAULT 0,
            started_at INTEGER NOT NULL,
            ended_at INTEGER NOT NULL,
            transcription_seconds REAL,
            PRIMARY KEY (call_id, sequence)
        );
        """),
        (2, "dialer: consent, campaign settings, call outcomes, queue leases, opt-out list", """
        ALTER TABLE contacts ADD COLUMN consent_at INTEGER;
        ALTER TABLE contacts ADD COLUMN consent_source TEXT NOT NULL DEFAULT '';

        ALTER TABLE campaigns ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
        CREATE INDEX campaigns_created ON campaigns (created_at, id);

        ALTER TABLE calls ADD COLUMN outcome TEXT;
        ALTER TABLE calls ADD COLUMN end_reason TEXT;
        CREATE INDEX calls_phone_outcome ON calls (phone, outcome, started_at);

        ALTER TABLE call_interactions ADD COLUMN error TEXT;
        ALTER TABLE call_interactions ADD COLUMN clip_path TEXT;

        ALTER TABLE call_queue ADD COLUMN call_id TEXT;
        ALTER TABLE call_queue ADD COLUMN last_outcome TEXT;
        ALTER TABLE call_queue ADD COLUMN skip_reason TEXT;
        ALTER TABLE call_queue ADD COLUMN updated_at INTEGER;
        -- Version 1 had a 'failed' queue state: such rows are done.
        UPDATE call_queue SET status = 'completed', last_outcome = coalesce(last_outcome, 'Failed') WHERE status = 'failed';
        DROP INDEX call_queue_due;
        CREATE INDEX call_queue_due ON call_queue (campaign_id, status, priority DESC, next_attempt_at);
        CREATE INDEX call_queue_lease ON call_queue (lease_owner, status);
        CREATE INDEX call_queue_expiry ON call_queue (status, lease_expires_at);

        CREATE TABLE opt_outs (
            key TEXT PRIMARY KEY NOT NULL,
            hashed INTEGER NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            added_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX opt_outs_added ON opt_outs (added_at, key);
        """),
        (3, "HTTP API: keys, call filters", """
        CREATE TABLE api_keys (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            scope TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER
        );
        CREATE INDEX calls_status ON calls (status, started_at);
        """),
        (4, "web panel: users, sessions; calls by campaign and status", """
        CREATE TABLE panel_users (
            name TEXT PRIMARY KEY NOT NULL,
            password_hash TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE panel_sessions (
            token_hash TEXT PRIMARY KEY NOT NULL,
            user_name TEXT NOT NULL REFERENCES panel_users (name) ON DELETE CASCADE,
            csrf_token TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );
        CREATE INDEX panel_sessions_user ON panel_sessions (user_name);
        CREATE INDEX panel_sessions_expiry ON panel_sessions (expires_at);
        -- The panel's (and the API's) calls of a campaign with a status, counted without reading the rows.
        CREATE INDEX calls_campaign_status ON calls (campaign_id, status, started_at);
        -- The dashboard's calls per hour, read from the index alone.
        CREATE INDEX calls_activity ON calls (started_at, status, outcome, is_lead);
        """),
        (5, "retention and erasure: lead exports, purged call files", """
        ALTER TABLE contacts ADD COLUMN exported_at INTEGER;
        ALTER TABLE calls ADD COLUMN files_purged_at INTEGER;
        """),
        (6, "events and webhook delivery", """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            call_id TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX events_call ON events (call_id);
        CREATE TABLE webhook_cursors (
            endpoint TEXT PRIMARY KEY NOT NULL,
            last_event_id INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER,
            last_error TEXT,
            delivered INTEGER NOT NULL DEFAULT 0,
            abandoned INTEGER NOT NULL DEFAULT 0,
            lease_owner TEXT,
            lease_expires_at INTEGER,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE webhook_failures (
            endpoint TEXT NOT NULL,
            event_id INTEGER NOT NULL,
            attempts INTEGER NOT NULL,
            error TEXT NOT NULL,
            failed_at INTEGER NOT NULL,
            PRIMARY KEY (endpoint, event_id)
        ) WITHOUT ROWID;
        """),
        (7, "call listings in the API's order", """
        CREATE INDEX calls_newest ON calls (started_at DESC, call_id DESC);
        CREATE INDEX calls_campaign_newest ON calls (campaign_id, started_at DESC, call_id DESC);
        DROP INDEX calls_campaign;
        """),
        // What the call summary and the unfiltered total read instead of
        // grouping every call: triggers keep it as calls are written. (No
        // OR IGNORE in them: a conflict clause inside a trigger gives way to
        // the outer statement's, and saving a call is an upsert.)
        (8, "call totals kept by triggers", """
        CREATE TABLE call_totals (
            status TEXT NOT NULL,
            outcome TEXT NOT NULL,
            calls INTEGER NOT NULL DEFAULT 0,
            leads INTEGER NOT NULL DEFAULT 0,
            answered INTEGER NOT NULL DEFAULT 0,
            answered_ms INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (status, outcome)
        ) WITHOUT ROWID;
        INSERT INTO call_totals (status, outcome, calls, leads, answered, answered_ms)
            SELECT status, coalesce(outcome, ''), count(*), sum(is_lead), sum(answered_at IS NOT NULL),
                   coalesce(sum(CASE WHEN answered_at IS NOT NULL THEN CAST(round(duration * 1000) AS INTEGER) END), 0)
            FROM calls GROUP BY 1, 2;
        CREATE TRIGGER calls_totals_insert AFTER INSERT ON calls BEGIN
            INSERT INTO call_totals (status, outcome) SELECT new.status, coalesce(new.outcome, '')
                WHERE NOT EXISTS (SELECT 1 FROM call_totals WHERE status = new.status AND outcome = coalesce(new.outcome, ''));
            UPDATE call_totals SET calls = calls + 1, leads = leads + new.is_lead, answered = answered + (new.answered_at IS NOT NULL),
                answered_ms = answered_ms + CASE WHEN new.answered_at IS NOT NULL THEN CAST(round(new.duration * 1000) AS INTEGER) ELSE 0 END
            WHERE status = new.status AND outcome = coalesce(new.outcome, '');
        END;
        CREATE TRIGGER calls_totals_delete AFTER DELETE ON calls BEGIN
            UPDATE call_totals SET calls = calls - 1, leads = leads - old.is_lead, answered = answered - (old.answered_at IS NOT NULL),
                answered_ms = answered_ms - CASE WHEN old.answered_at IS NOT NULL THEN CAST(round(old.duration * 1000) AS INTEGER) ELSE 0 END
            WHERE status = old.status AND outcome = coalesce(old.outcome, '');
        END;
        CREATE TRIGGER calls_totals_update AFTER UPDATE OF status, outcome, is_lead, answered_at, duration ON calls BEGIN
            UPDATE call_totals SET calls = calls - 1, leads = leads - old.is_lead, answered = answered - (old.answered_at IS NOT NULL),
                answered_ms = answered_ms - CASE WHEN old.answered_at IS NOT NULL THEN CAST(round(old.duration * 1000) AS INTEGER) ELSE 0 END
            WHERE status = old.status AND outcome = coalesce(old.outcome, '');
            INSERT INTO call_totals (status, outcome) SELECT new.status, coalesce(new.outcome, '')
                WHERE NOT EXISTS (SELECT 1 FROM call_totals WHERE status = new.status AND outcome = coalesce(new.outcome, ''));
            UPDATE call_totals SET calls = calls + 1, leads = leads + new.is_lead, answered = answered + (new.answered_at IS NOT NULL),
                answered_ms = answered_ms + CASE WHEN new.answered_at IS NOT NULL THEN CAST(round(new.duration * 1000) AS INTEGER) ELSE 0 END
            WHERE status = new.status AND outcome = coalesce(new.outcome, '');
        END;
        """),
        // Calls per hour of their start, campaign and status, kept by
        // triggers: a numbered page of the listing skips whole hours by their
        // counts and walks the calls of one hour only (see CallQuery.pagesByHour).
        (9, "calls per hour for numbered pages", """
        CREATE TABLE call_hours (
            hour INTEGER NOT NULL,
            campaign_id TEXT NOT NULL,
            status TEXT NOT NULL,
            calls INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (hour, campaign_id, status)
        ) WITHOUT ROWID;
        INSERT INTO call_hours (hour, campaign_id, status, calls)
            SELECT started_at / 3600000, coalesce(campaign_id, ''), status, count(*) FROM calls GROUP BY 1, 2, 3;
        CREATE TRIGGER calls_hours_insert AFTER INSERT ON calls BEGIN
            INSERT INTO call_hours (hour, campaign_id, status)
                SELECT new.started_at / 3600000, coalesce(new.campaign_id, ''), new.status
                WHERE NOT EXISTS (SELECT 1 FROM call_hours WHERE hour = new.started_at / 3600000 AND campaign_id = coalesce(new.campaign_id, '') AND status = new.status);
            UPDATE call_hours SET calls = calls + 1 WHERE hour = new.started_at / 3600000 AND campaign_id = coalesce(new.campaign_id, '') AND status = new.status;
        END;
        CREATE TRIGGER calls_hours_delete AFTER DELETE ON calls BEGIN
            UPDATE call_hours SET calls = calls - 1 WHERE hour = old.started_at / 3600000 AND campaign_id = coalesce(old.campaign_id, '') AND status = old.status;
        END;
        CREATE TRIGGER calls_hours_update AFTER UPDATE OF started_at, campaign_id, status ON calls
            WHEN old.started_at IS NOT new.started_at OR old.campaign_id IS NOT new.campaign_id OR old.status IS NOT new.status BEGIN
            UPDATE call_hours SET calls = calls - 1 WHERE hour = old.started_at / 3600000 AND campaign_id = coalesce(old.campaign_id, '') AND status = old.status;
            INSERT INTO call_hours (hour, campaign_id, status)
                SELECT new.started_at / 3600000, coalesce(new.campaign_id, ''), new.status
                WHERE NOT EXISTS (SELECT 1 FROM call_hours WHERE hour = new.started_at / 3600000 AND campaign_id = coalesce(new.campaign_id, '') AND status = new.status);
            UPDATE call_hours SET calls = calls + 1 WHERE hour = new.started_at / 3600000 AND campaign_id = coalesce(new.campaign_id, '') AND status = new.status;
        END;
        """),
    ]
}
