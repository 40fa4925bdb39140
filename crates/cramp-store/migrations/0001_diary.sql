-- The diary (SPEC §7) and CDS Hooks feedback. Portable SQL for SQLite and PostgreSQL: TEXT for
-- ids and times (RFC 3339, UTC, fixed width so that text order is time order), BIGINT (booleans as
-- 0/1: sqlx's Any driver decodes no SQLite BOOLEAN),
-- DOUBLE PRECISION; no SERIAL, no date functions. Rows of a diary are deleted explicitly in one
-- transaction (SQLite enforces foreign keys only when asked per connection).

CREATE TABLE diaries (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE episodes (
    diary_id TEXT NOT NULL REFERENCES diaries (id),
    id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    started_utc TEXT NOT NULL,
    local_date TEXT NOT NULL,
    leg TEXT NOT NULL,
    muscle TEXT NOT NULL,
    duration_min DOUBLE PRECISION NOT NULL,
    pain DOUBLE PRECISION NOT NULL,
    woke_from_sleep BIGINT NOT NULL,
    helped TEXT NOT NULL,
    warning_signs TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (diary_id, id)
);
CREATE INDEX episodes_newest ON episodes (diary_id, started_utc, id);

CREATE TABLE nights (
    diary_id TEXT NOT NULL REFERENCES diaries (id),
    date TEXT NOT NULL,
    stretched BIGINT NOT NULL,
    sleep_quality DOUBLE PRECISION NOT NULL,
    cramps BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (diary_id, date)
);

CREATE TABLE shares (
    id TEXT PRIMARY KEY,
    diary_id TEXT NOT NULL REFERENCES diaries (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX shares_of_diary ON shares (diary_id);

CREATE TABLE idempotency (
    diary_id TEXT NOT NULL REFERENCES diaries (id),
    key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    status BIGINT NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (diary_id, key)
);

-- CDS Hooks feedback: the card, its rule, the outcome, the override reason's code and the time; no
-- free text, no patient identifier. `override_reason` is '' when there is none (so the unique key
-- treats two "none" as equal on both databases).
CREATE TABLE cds_feedback (
    service TEXT NOT NULL,
    card TEXT NOT NULL,
    rule_id TEXT,
    outcome TEXT NOT NULL,
    override_reason TEXT NOT NULL,
    outcome_timestamp TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (service, card, outcome, override_reason, outcome_timestamp)
);
