/// The PostgreSQL schema, one migration per version, applied in order and
/// never edited once released: add a new one instead.
enum PostgresSchema {
    static let migrations: [(version: Int, name: String, sql: [String])] = [
        (1, "contacts, campaigns, queue, calls, interactions", [
            """
            CREATE TABLE contacts (
                phone text PRIMARY KEY,
                first_name text NOT NULL DEFAULT '',
                last_name text NOT NULL DEFAULT '',
                email text NOT NULL DEFAULT '',
                company text NOT NULL DEFAULT '',
                notes text NOT NULL DEFAULT '',
                status text NOT NULL DEFAULT 'New',
                attempts integer NOT NULL DEFAULT 0,
                last_attempt_at timestamptz,
                opt_out boolean NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX contacts_status ON contacts (status, phone)",
            """
            CREATE TABLE campaigns (
                id text PRIMARY KEY,
                name text NOT NULL,
                scenario text NOT NULL,
                status text NOT NULL DEFAULT 'active',
                total integer NOT NULL DEFAULT 0,
                answered integer NOT NULL DEFAULT 0,
                machine integer NOT NULL DEFAULT 0,
                leads integer NOT NULL DEFAULT 0,
                not_interested integer NOT NULL DEFAULT 0,
                no_answer integer NOT NULL DEFAULT 0,
                failed integer NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE call_queue (
                campaign_id text NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
                phone text NOT NULL REFERENCES contacts (phone) ON DELETE CASCADE,
                priority integer NOT NULL DEFAULT 0,
                status text NOT NULL DEFAULT 'pending',
                attempts integer NOT NULL DEFAULT 0,
                max_attempts integer NOT NULL DEFAULT 3,
                next_attempt_at timestamptz NOT NULL,
                lease_owner text,
                lease_expires_at timestamptz,
                PRIMARY KEY (campaign_id, phone)
            )
            """,
            "CREATE INDEX call_queue_due ON call_queue (status, next_attempt_at, priority)",
            "CREATE INDEX call_queue_phone ON call_queue (phone)",
            """
            CREATE TABLE calls (
                call_id text PRIMARY KEY,
                phone text NOT NULL,
                campaign_id text REFERENCES campaigns (id) ON DELETE SET NULL,
                status text NOT NULL,
                amd_result text,
                final_intent text,
                is_lead boolean NOT NULL DEFAULT false,
                duration double precision NOT NULL DEFAULT 0,
                recording_path text,
                transcript_path text,
                started_at timestamptz NOT NULL,
                answered_at timestamptz,
                ended_at timestamptz,
                hangup_cause text
            )
            """,
            "CREATE INDEX calls_phone ON calls (phone, started_at)",
            "CREATE INDEX calls_campaign ON calls (campaign_id, started_at)",
            "CREATE INDEX calls_started ON calls (started_at)",
            """
            CREATE TABLE call_interactions (
                call_id text NOT NULL REFERENCES calls (call_id) ON DELETE CASCADE,
                sequence integer NOT NULL,
                step text NOT NULL,
                prompt text NOT NULL DEFAULT '',
                transcription text NOT NULL DEFAULT '',
                intent text,
                confidence double precision,
                response_duration double precision NOT NULL DEFAULT 0,
                started_at timestamptz NOT NULL,
                ended_at timestamptz NOT NULL,
                transcription_seconds double precision,
                PRIMARY KEY (call_id, sequence)
            )
            """,
        ]),
        (2, "dialer: consent, campaign settings, call outcomes, queue leases, opt-out list", [
            "ALTER TABLE contacts ADD COLUMN consent_at timestamptz",
            "ALTER TABLE contacts ADD COLUMN consent_source text NOT NULL DEFAULT ''",
            "ALTER TABLE campaigns ADD COLUMN settings text NOT NULL DEFAULT '{}'",
            "CREATE INDEX campaigns_created ON campaigns (created_at, id)",
            "ALTER TABLE calls ADD COLUMN outcome text",
            "ALTER TABLE calls ADD COLUMN end_reason text",
            "CREATE INDEX calls_phone_outcome ON calls (phone, outcome, started_at)",
            "ALTER TABLE call_interactions ADD COLUMN error text",
            "ALTER TABLE call_interactions ADD COLUMN clip_path text",
            "ALTER TABLE call_queue ADD COLUMN call_id text",
            "ALTER TABLE call_queue ADD COLUMN last_outcome text",
            "ALTER TABLE call_queue ADD COLUMN skip_reason text",
            "ALTER TABLE call_queue ADD COLUMN updated_at timestamptz",
            // Version 1 had a 'failed' queue state: such rows are done.
            "UPDATE call_queue SET status = 'completed', last_outcome = coalesce(last_outcome, 'Failed') WHERE status = 'failed'",
            "DROP INDEX call_queue_due",
            "CREATE INDEX call_queue_due ON call_queue (campaign_id, status, priority DESC, next_attempt_at)",
            "CREATE INDEX call_queue_lease ON call_queue (lease_owner, status)",
            "CREATE INDEX call_queue_expiry ON call_queue (status, lease_expires_at)",
            """
            CREATE TABLE opt_outs (
                key text PRIMARY KEY,
                hashed boolean NOT NULL,
                source text NOT NULL DEFAULT '',
                added_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX opt_outs_added ON opt_outs (added_at, key)",
        ]),
        (3, "HTTP API: keys, call filters", [
            """
            CREATE TABLE api_keys (
                id text PRIMARY KEY,
                name text NOT NULL,
                scope text NOT NULL,
                hash text NOT NULL UNIQUE,
                created_at timestamptz NOT NULL,
                revoked_at timestamptz
            )
            """,
            "CREATE INDEX calls_status ON calls (status, started_at)",
        ]),
        (4, "web panel: users, sessions; calls by campaign and status", [
            """
            CREATE TABLE panel_users (
                name text PRIMARY KEY,
                password_hash text NOT NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE panel_sessions (
                token_hash text PRIMARY KEY,
                user_name text NOT NULL REFERENCES panel_users (name) ON DELETE CASCADE,
                csrf_token text NOT NULL,
                created_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX panel_sessions_user ON panel_sessions (user_name)",
            "CREATE INDEX panel_sessions_expiry ON panel_sessions (expires_at)",
            "CREATE INDEX calls_campaign_status ON calls (campaign_id, status, started_at)",
            "CREATE INDEX calls_activity ON calls (started_at, status, outcome, is_lead)",
        ]),
        (5, "retention and erasure: lead exports, purged call files", [
            "ALTER TABLE contacts ADD COLUMN exported_at timestamptz",
            "ALTER TABLE calls ADD COLUMN files_purged_at timestamptz",
        ]),
        (6, "events and webhook delivery", [
            """
            CREATE TABLE events (
                id bigserial PRIMARY KEY,
                kind text NOT NULL,
                call_id text NOT NULL,
                created_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX events_call ON events (call_id)",
            """
            CREATE TABLE webhook_cursors (
                endpoint text PRIMARY KEY,
                last_event_id bigint NOT NULL,
                attempts integer NOT NULL DEFAULT 0,
                next_attempt_at timestamptz,
                last_error text,
                delivered bigint NOT NULL DEFAULT 0,
                abandoned bigint NOT NULL DEFAULT 0,
                lease_owner text,
                lease_expires_at timestamptz,
                updated_at timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE webhook_failures (
                endpoint text NOT NULL,
                event_id bigint NOT NULL,
                attempts integer NOT NULL,
                error text NOT NULL,
                failed_at timestamptz NOT NULL,
                PRIMARY KEY (endpoint, event_id)
            )
            """,
        ]),
        (7, "call listings in the API's order", [
            "CREATE INDEX calls_newest ON calls (started_at DESC, call_id DESC)",
            "CREATE INDEX calls_campaign_newest ON calls (campaign_id, started_at DESC, call_id DESC)",
            "DROP INDEX calls_campaign",
        ]),
        // What the call summary and the unfiltered total read instead of
        // grouping every call. Statement triggers (with transition tables)
        // fold a statement's rows into one upsert, taken in key order, so
        // concurrent writers lock totals rows in the same order.
        (8, "call totals kept by triggers", [
            """
            CREATE TABLE call_totals (
                status text NOT NULL,
                outcome text NOT NULL,
                calls bigint NOT NULL DEFAULT 0,
                leads bigint NOT NULL DEFAULT 0,
                answered bigint NOT NULL DEFAULT 0,
                answered_ms bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (status, outcome)
            )
            """,
            """
            INSERT INTO call_totals (status, outcome, calls, leads, answered, answered_ms)
                SELECT status, coalesce(outcome, ''), count(*), count(*) FILTER (WHERE is_lead), count(answered_at),
                       coalesce(sum(round(duration * 1000)::bigint) FILTER (WHERE answered_at IS NOT NULL), 0)
                FROM calls GROUP BY 1, 2
            """,
            """
            CREATE FUNCTION call_totals_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO call_totals AS t (status, outcome, calls, leads, answered, answered_ms)
                SELECT status, outcome, sum(calls), sum(leads), sum(answered), sum(answered_ms) FROM (
                    SELECT status, coalesce(outcome, '') AS outcome, 1 AS calls, is_lead::int AS leads,
                           (answered_at IS NOT NULL)::int AS answered,
                           CASE WHEN answered_at IS NOT NULL THEN round(duration * 1000)::bigint ELSE 0 END AS answered_ms
                    FROM new_rows
                ) AS d GROUP BY status, outcome
                HAVING sum(calls) <> 0 OR sum(leads) <> 0 OR sum(answered) <> 0 OR sum(answered_ms) <> 0
                ORDER BY status, outcome
                ON CONFLICT (status, outcome) DO UPDATE SET calls = t.calls + excluded.calls, leads = t.leads + excluded.leads,
                    answered = t.answered + excluded.answered, answered_ms = t.answered_ms + excluded.answered_ms;
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE FUNCTION call_totals_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO call_totals AS t (status, outcome, calls, leads, answered, answered_ms)
                SELECT status, outcome, sum(calls), sum(leads), sum(answered), sum(answered_ms) FROM (
                    SELECT status, coalesce(outcome, '') AS outcome, -1 AS calls, -is_lead::int AS leads,
                           -(answered_at IS NOT NULL)::int AS answered,
                           -CASE WHEN answered_at IS NOT NULL THEN round(duration * 1000)::bigint ELSE 0 END AS answered_ms
                    FROM old_rows
                ) AS d GROUP BY status, outcome
                HAVING sum(calls) <> 0 OR sum(leads) <> 0 OR sum(answered) <> 0 OR sum(answered_ms) <> 0
                ORDER BY status, outcome
                ON CONFLICT (status, outcome) DO UPDATE SET calls = t.calls + excluded.calls, leads = t.leads + excluded.leads,
                    answered = t.answered + excluded.answered, answered_ms = t.answered_ms + excluded.answered_ms;
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE FUNCTION call_totals_updated() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO call_totals AS t (status, outcome, calls, leads, answered, answered_ms)
                SELECT status, outcome, sum(calls), sum(leads), sum(answered), sum(answered_ms) FROM (
                    SELECT status, coalesce(outcome, '') AS outcome, 1 AS calls, is_lead::int AS leads,
                           (answered_at IS NOT NULL)::int AS answered,
                           CASE WHEN answered_at IS NOT NULL THEN round(duration * 1000)::bigint ELSE 0 END AS answered_ms
                    FROM new_rows
                    UNION ALL
                    SELECT status, coalesce(outcome, '') AS outcome, -1 AS calls, -is_lead::int AS leads,
                           -(answered_at IS NOT NULL)::int AS answered,
                           -CASE WHEN answered_at IS NOT NULL THEN round(duration * 1000)::bigint ELSE 0 END AS answered_ms
                    FROM old_rows
                ) AS d GROUP BY status, outcome
                HAVING sum(calls) <> 0 OR sum(leads) <> 0 OR sum(answered) <> 0 OR sum(answered_ms) <> 0
                ORDER BY status, outcome
                ON CONFLICT (status, outcome) DO UPDATE SET calls = t.calls + excluded.calls, leads = t.leads + excluded.leads,
                    answered = t.answered + excluded.answered, answered_ms = t.answered_ms + excluded.answered_ms;
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER calls_totals_insert AFTER INSERT ON calls REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION call_totals_inserted()
            """,
            """
            CREATE TRIGGER calls_totals_delete AFTER DELETE ON calls REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION call_totals_deleted()
            """,
            """
            CREATE TRIGGER calls_totals_update AFTER UPDATE ON calls REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION call_totals_updated()
            """,
        ]),
        // Calls per hour of their start, campaign and status, kept by
        // triggers: a numbered page of the listing skips whole hours by their
        // counts and walks the calls of one hour only (see CallQuery.pagesByHour).
        (9, "calls per hour for numbered pages", [
            """
            CREATE TABLE call_hours (
                hour bigint NOT NULL,
                campaign_id text NOT NULL,
                status text NOT NULL,
                calls bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (hour, campaign_id, status)
            )
            """,
            """
            INSERT INTO call_hours (hour, campaign_id, status, calls)
                SELECT floor(extract(epoch FROM started_at) / 3600)::bigint, coalesce(campaign_id, ''), status, count(*) FROM calls GROUP BY 1, 2, 3
            """,
            // One function for the three triggers: each branch reads only the
            // transition tables its event has.
            """
            CREATE FUNCTION call_hours_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    INSERT INTO call_hours AS t (hour, campaign_id, status, calls)
                    SELECT floor(extract(epoch FROM started_at) / 3600)::bigint, coalesce(campaign_id, ''), status, count(*) FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                    ON CONFLICT (hour, campaign_id, status) DO UPDATE SET calls = t.calls + excluded.calls;
                ELSIF TG_OP = 'DELETE' THEN
                    INSERT INTO call_hours AS t (hour, campaign_id, status, calls)
                    SELECT floor(extract(epoch FROM started_at) / 3600)::bigint, coalesce(campaign_id, ''), status, -count(*) FROM old_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                    ON CONFLICT (hour, campaign_id, status) DO UPDATE SET calls = t.calls + excluded.calls;
                ELSE
                    INSERT INTO call_hours AS t (hour, campaign_id, status, calls)
                    SELECT hour, campaign_id, status, sum(calls) FROM (
                        SELECT floor(extract(epoch FROM started_at) / 3600)::bigint AS hour, coalesce(campaign_id, '') AS campaign_id, status, 1 AS calls FROM new_rows
                        UNION ALL
                        SELECT floor(extract(epoch FROM started_at) / 3600)::bigint, coalesce(campaign_id, ''), status, -1 FROM old_rows
                    ) AS d GROUP BY 1, 2, 3 HAVING sum(calls) <> 0 ORDER BY 1, 2, 3
                    ON CONFLICT (hour, campaign_id, status) DO UPDATE SET calls = t.calls + excluded.calls;
                END IF;
                RETURN NULL;
            END
            $$
            """,
            // The hour (since 1970) holding the call at a listing's offset,
            // and the calls of later hours: sums the counts hour by hour,
            // newest first, and stops there. Without hash aggregation and
            // sorting the plan streams from the primary key (a shallow page
            // reads a few hours, not every one: 0.13 ms against 0.55 ms).
            """
            CREATE FUNCTION call_page_hour(p_campaign text, p_status text, p_offset bigint, OUT hour bigint, OUT skipped bigint)
            LANGUAGE plpgsql STABLE SET enable_hashagg = off SET enable_sort = off AS $$
            DECLARE
                r record;
            BEGIN
                skipped := 0;
                FOR r IN SELECT h.hour, sum(h.calls) AS calls FROM call_hours h
                         WHERE (p_campaign IS NULL OR h.campaign_id = p_campaign) AND (p_status IS NULL OR h.status = p_status)
                         GROUP BY h.hour ORDER BY h.hour DESC LOOP
                    IF skipped + r.calls > p_offset THEN
                        hour := r.hour;
                        RETURN;
                    END IF;
                    skipped := skipped + r.calls;
                END LOOP;
            END
            $$
            """,
            """
            CREATE TRIGGER calls_hours_insert AFTER INSERT ON calls REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION call_hours_changed()
            """,
            """
            CREATE TRIGGER calls_hours_delete AFTER DELETE ON calls REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION call_hours_changed()
            """,
            """
            CREATE TRIGGER calls_hours_update AFTER UPDATE ON calls REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION call_hours_changed()
            """,
        ]),
        // Calls per five minutes of their start, campaign and status: once
        // `call_page_hour()` has found the hour holding a numbered page, its
        // slices narrow the walk from up to an hour of calls to five minutes
        // (an hour's walk cost a deep page 1 ms of PostgreSQL's CPU, and the
        // tail of a loaded server with it).
        (10, "calls per five minutes for numbered pages", [
            """
            CREATE TABLE call_slices (
                slice bigint NOT NULL,
                campaign_id text NOT NULL,
                status text NOT NULL,
                calls bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (slice, campaign_id, status)
            )
            """,
            """
            INSERT INTO call_slices (slice, campaign_id, status, calls)
                SELECT floor(extract(epoch FROM started_at) / 300)::bigint, coalesce(campaign_id, ''), status, count(*) FROM calls GROUP BY 1, 2, 3
            """,
            """
            CREATE FUNCTION call_slices_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    INSERT INTO call_slices AS t (slice, campaign_id, status, calls)
                    SELECT floor(extract(epoch FROM started_at) / 300)::bigint, coalesce(campaign_id, ''), status, count(*) FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                    ON CONFLICT (slice, campaign_id, status) DO UPDATE SET calls = t.calls + excluded.calls;
                ELSIF TG_OP = 'DELETE' THEN
                    INSERT INTO call_slices AS t (slice, campaign_id, status, calls)
                    SELECT floor(extract(epoch FROM started_at) / 300)::bigint, coalesce(campaign_id, ''), status, -count(*) FROM old_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                    ON CONFLICT (slice, campaign_id, status) DO UPDATE SET calls = t.calls + excluded.calls;
                ELSE
                    INSERT INTO call_slices AS t (slice, campaign_id, status, calls)
                    SELECT slice, campaign_id, status, sum(calls) FROM (
                        SELECT floor(extract(epoch FROM started_at) / 300)::bigint AS slice, coalesce(campaign_id, '') AS campaign_id, status, 1 AS calls FROM new_rows
                        UNION ALL
                        SELECT floor(extract(epoch FROM started_at) / 300)::bigint, coalesce(campaign_id, ''), status, -1 FROM old_rows
                    ) AS d GROUP BY 1, 2, 3 HAVING sum(calls) <> 0 ORDER BY 1, 2, 3
                    ON CONFLICT (slice, campaign_id, status) DO UPDATE SET calls = t.calls + excluded.calls;
                END IF;
                RETURN NULL;
            END
            $$
            """,
            // Where a numbered page starts: calls started before `before`,
            // `skipped` of the listing's newer calls left out. The hour from
            // call_page_hour(), then its twelve slices newest first.
            """
            CREATE FUNCTION call_page_place(p_campaign text, p_status text, p_offset bigint, OUT before timestamptz, OUT skipped bigint)
            LANGUAGE plpgsql STABLE SET enable_hashagg = off SET enable_sort = off AS $$
            DECLARE
                r record;
                v_hour bigint;
            BEGIN
                SELECT p.hour, p.skipped INTO v_hour, skipped FROM call_page_hour(p_campaign, p_status, p_offset) AS p;
                IF v_hour IS NULL THEN
                    RETURN;
                END IF;
                FOR r IN SELECT s.slice, sum(s.calls) AS calls FROM call_slices s
                         WHERE s.slice >= v_hour * 12 AND s.slice < (v_hour + 1) * 12
                           AND (p_campaign IS NULL OR s.campaign_id = p_campaign) AND (p_status IS NULL OR s.status = p_status)
                         GROUP BY s.slice ORDER BY s.slice DESC LOOP
                    IF skipped + r.calls > p_offset THEN
                        before := to_timestamp((r.slice + 1) * 300);
                        RETURN;
                    END IF;
                    skipped := skipped + r.calls;
                END LOOP;
            END
            $$
            """,
            """
            CREATE TRIGGER calls_slices_insert AFTER INSERT ON calls REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION call_slices_changed()
            """,
            """
            CREATE TRIGGER calls_slices_delete AFTER DELETE ON calls REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION call_slices_changed()
            """,
            """
            CREATE TRIGGER calls_slices_update AFTER UPDATE ON calls REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION call_slices_changed()
            """,
        ]),
        // Numbered pages from counts already summed for each filter shape a
        // page can have: every campaign and status ('*', '*'), one campaign
        // ('c:' || id, '*'), one status ('*', status), or both. A page's
        // statement then finds its hour and its five minutes with running
        // sums read from the key (one row an hour, no grouping, no plpgsql):
        // half of a page's cost in PostgreSQL went to summing the rows of
        // every campaign and status an hour holds, in two nested functions.
        // Replaces migrations 9 and 10's tables, functions and triggers.
        (11, "calls per hour and per five minutes for each filter of numbered pages", [
            "DROP TRIGGER calls_hours_insert ON calls",
            "DROP TRIGGER calls_hours_delete ON calls",
            "DROP TRIGGER calls_hours_update ON calls",
            "DROP TRIGGER calls_slices_insert ON calls",
            "DROP TRIGGER calls_slices_delete ON calls",
            "DROP TRIGGER calls_slices_update ON calls",
            "DROP FUNCTION call_page_place(text, text, bigint)",
            "DROP FUNCTION call_page_hour(text, text, bigint)",
            "DROP FUNCTION call_slices_changed()",
            "DROP FUNCTION call_hours_changed()",
            "DROP TABLE call_slices",
            "DROP TABLE call_hours",
            """
            CREATE TABLE call_page_hours (
                campaign_key text NOT NULL,
                status_key text NOT NULL,
                hour bigint NOT NULL,
                calls bigint NOT NULL,
                PRIMARY KEY (campaign_key, status_key, hour)
            )
            """,
            """
            CREATE TABLE call_page_slices (
                campaign_key text NOT NULL,
                status_key text NOT NULL,
                slice bigint NOT NULL,
                calls bigint NOT NULL,
                PRIMARY KEY (campaign_key, status_key, slice)
            )
            """,
            // Calls per slice (five minutes since 1970), campaign and status,
            // added to each filter shape's counts; the hour is the slice's.
            // plpgsql, not sql: its statements are planned once a session.
            """
            CREATE FUNCTION call_page_counts(p_slices bigint[], p_campaigns text[], p_statuses text[], p_calls bigint[])
            RETURNS void LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO call_page_slices AS t (campaign_key, status_key, slice, calls)
                SELECT k.campaign_key, k.status_key, d.slice, sum(d.calls)
                FROM unnest(p_slices, p_campaigns, p_statuses, p_calls) AS d(slice, campaign_id, status, calls)
                CROSS JOIN LATERAL (VALUES ('*', '*'), ('c:' || d.campaign_id, '*'), ('*', d.status), ('c:' || d.campaign_id, d.status))
                    AS k(campaign_key, status_key)
                GROUP BY 1, 2, 3 HAVING sum(d.calls) <> 0 ORDER BY 1, 2, 3
                ON CONFLICT (campaign_key, status_key, slice) DO UPDATE SET calls = t.calls + excluded.calls;
                INSERT INTO call_page_hours AS t (campaign_key, status_key, hour, calls)
                SELECT k.campaign_key, k.status_key, floor(d.slice / 12.0)::bigint, sum(d.calls)
                FROM unnest(p_slices, p_campaigns, p_statuses, p_calls) AS d(slice, campaign_id, status, calls)
                CROSS JOIN LATERAL (VALUES ('*', '*'), ('c:' || d.campaign_id, '*'), ('*', d.status), ('c:' || d.campaign_id, d.status))
                    AS k(campaign_key, status_key)
                GROUP BY 1, 2, 3 HAVING sum(d.calls) <> 0 ORDER BY 1, 2, 3
                ON CONFLICT (campaign_key, status_key, hour) DO UPDATE SET calls = t.calls + excluded.calls;
            END
            $$
            """,
            """
            SELECT call_page_counts(array_agg(slice), array_agg(campaign_id), array_agg(status), array_agg(calls)) FROM (
                SELECT floor(extract(epoch FROM started_at) / 300)::bigint AS slice, coalesce(campaign_id, '') AS campaign_id, status,
                       count(*) AS calls
                FROM calls GROUP BY 1, 2, 3
            ) AS d
            """,
            // Net changes per slice, campaign and status of one statement on
            // calls; an update that moves nothing changes nothing.
            """
            CREATE FUNCTION call_pages_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                v_slices bigint[];
                v_campaigns text[];
                v_statuses text[];
                v_calls bigint[];
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    SELECT array_agg(slice), array_agg(campaign_id), array_agg(status), array_agg(calls)
                    INTO v_slices, v_campaigns, v_statuses, v_calls FROM (
                        SELECT floor(extract(epoch FROM started_at) / 300)::bigint AS slice, coalesce(campaign_id, '') AS campaign_id, status,
                               count(*) AS calls
                        FROM new_rows GROUP BY 1, 2, 3
                    ) AS d;
                ELSIF TG_OP = 'DELETE' THEN
                    SELECT array_agg(slice), array_agg(campaign_id), array_agg(status), array_agg(calls)
                    INTO v_slices, v_campaigns, v_statuses, v_calls FROM (
                        SELECT floor(extract(epoch FROM started_at) / 300)::bigint AS slice, coalesce(campaign_id, '') AS campaign_id, status,
                               -count(*) AS calls
                        FROM old_rows GROUP BY 1, 2, 3
                    ) AS d;
                ELSE
                    SELECT array_agg(slice), array_agg(campaign_id), array_agg(status), array_agg(calls)
                    INTO v_slices, v_campaigns, v_statuses, v_calls FROM (
                        SELECT slice, campaign_id, status, sum(calls) AS calls FROM (
                            SELECT floor(extract(epoch FROM started_at) / 300)::bigint AS slice, coalesce(campaign_id, '') AS campaign_id, status,
                                   1 AS calls
                            FROM new_rows
                            UNION ALL
                            SELECT floor(extract(epoch FROM started_at) / 300)::bigint, coalesce(campaign_id, ''), status, -1 FROM old_rows
                        ) AS moved GROUP BY 1, 2, 3 HAVING sum(calls) <> 0
                    ) AS d;
                END IF;
                IF v_slices IS NOT NULL THEN
                    PERFORM call_page_counts(v_slices, v_campaigns, v_statuses, v_calls);
                END IF;
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER calls_pages_insert AFTER INSERT ON calls REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION call_pages_changed()
            """,
            """
            CREATE TRIGGER calls_pages_delete AFTER DELETE ON calls REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION call_pages_changed()
            """,
            """
            CREATE TRIGGER calls_pages_update AFTER UPDATE ON calls REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION call_pages_changed()
            """,
        ]),
    ]
}
