-- Schema 1: the whole record counsel keeps.
--
-- Minimal by construction (GDPR Art. 5(1)(c)): personal data lives in exactly
-- one column, people.name (the name or pseudonym a counsellor typed). Every
-- other table refers to a person by ID only. No e-mail address, no notes.
-- Times are UTC text in the fixed form 2006-01-02T15:04:05Z so that they sort.

-- One row per person a counsellor meets. The name becomes NULL when the person
-- withdraws consent (Art. 7(3), Art. 17); the row stays so that anonymised
-- past sessions still count in reports.
CREATE TABLE people (
    id         TEXT PRIMARY KEY,
    name       TEXT UNIQUE,
    created_at TEXT NOT NULL,
    erased_at  TEXT,
    CHECK ((name IS NULL) = (erased_at IS NOT NULL))
) STRICT;

-- A planned video consultation: what the consent form says is stored
-- (meeting ID or address, place and date, the person) and nothing more.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES people (id),
    provider_id  TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('jitsi', 'blizz')),
    meeting_id   TEXT NOT NULL DEFAULT '',
    join_url     TEXT NOT NULL,
    place        TEXT NOT NULL,
    starts_at    TEXT NOT NULL,
    timezone     TEXT NOT NULL,
    duration_min INTEGER NOT NULL CHECK (duration_min > 0),
    status       TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled')),
    created_at   TEXT NOT NULL,
    cancelled_at TEXT
) STRICT;
CREATE INDEX sessions_by_start ON sessions (starts_at);
CREATE INDEX sessions_by_person ON sessions (person_id);

-- Consent is provable (Art. 7(1)): events are appended, never updated.
-- Column names follow ISO/IEC TS 27560 and the Kantara Consent Receipt.
CREATE TABLE consent_events (
    id                TEXT PRIMARY KEY,
    person_id         TEXT NOT NULL REFERENCES people (id),
    session_id        TEXT REFERENCES sessions (id),
    event             TEXT NOT NULL CHECK (event IN ('notice_sent', 'given', 'withdrawn')),
    timestamp         TEXT NOT NULL,
    jurisdiction      TEXT NOT NULL,
    legal_basis       TEXT NOT NULL,
    purpose           TEXT NOT NULL,
    notice_language   TEXT NOT NULL DEFAULT '',
    notice_version    TEXT NOT NULL DEFAULT '',
    notice_hash       TEXT NOT NULL DEFAULT '',
    collection_method TEXT NOT NULL DEFAULT '',
    recorded_by       TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX consent_events_by_person ON consent_events (person_id);
CREATE INDEX consent_events_by_session ON consent_events (session_id);

-- What remains after a withdrawal: a keyed hash of the normalised name (the
-- key lives outside this file), the dates and the hashes of the consent texts
-- the person received. Enough to answer "did this person withdraw, and when"
-- when asked with the name; nothing more. Kept until retain_until.
CREATE TABLE withdrawals (
    id            TEXT PRIMARY KEY,
    subject_hmac  TEXT NOT NULL,
    withdrawn_at  TEXT NOT NULL,
    notice_hashes TEXT NOT NULL DEFAULT '',
    retain_until  TEXT NOT NULL
) STRICT;
CREATE INDEX withdrawals_by_subject ON withdrawals (subject_hmac);

-- The tamper-evident trail (design rule 6): every change appends one event in
-- the same transaction. seq is the position in the chain; hash covers the
-- previous hash and this event's canonical encoding. IDs and counts only.
CREATE TABLE audit_events (
    seq       INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    at        TEXT NOT NULL,
    action    TEXT NOT NULL,
    object    TEXT NOT NULL DEFAULT '',
    details   TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL UNIQUE
) STRICT;
