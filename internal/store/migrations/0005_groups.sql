-- Schema 5: group sessions and series.
--
-- A session may have several participants (the consent form's
-- "Teilnehmenden"), so the person moves out of sessions into a link table.
-- Nothing new about a person is stored: the link says only that this person
-- takes part in this session, which sessions.person_id said before.
--
-- SQLite cannot drop a referenced column in place, and a table that others
-- reference cannot be rebuilt inside a transaction with foreign keys on
-- without breaking them. So consent_events (the only table that references
-- sessions) is set aside, sessions is rebuilt, and consent_events is put
-- back with the same definition and rows.

CREATE TEMP TABLE consent_events_keep AS SELECT * FROM consent_events;
CREATE TEMP TABLE participants_keep AS SELECT id AS session_id, person_id FROM sessions;
DROP TABLE consent_events;

-- sessions without person_id, with series_id (sequence and invite_version as
-- schema 4 made them):
--   series_id: the same random ID (session.NewID) on every date of a series,
--   NULL for a single session. It lets the counsellor cancel or move the
--   whole series, and lets one room belong to one series. It is an ID, not
--   data about anyone.
CREATE TABLE sessions_new (
    id           TEXT PRIMARY KEY,
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
    cancelled_at TEXT,
    sequence     INTEGER NOT NULL DEFAULT 0 CHECK (sequence >= 0),
    invite_version TEXT NOT NULL DEFAULT '',
    series_id    TEXT CHECK (series_id IS NULL OR series_id <> '')
) STRICT;
INSERT INTO sessions_new (id, provider_id, kind, meeting_id, join_url, place, starts_at, timezone,
                          duration_min, status, created_at, cancelled_at, sequence, invite_version, series_id)
    SELECT id, provider_id, kind, meeting_id, join_url, place, starts_at, timezone,
           duration_min, status, created_at, cancelled_at, sequence, invite_version, NULL FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_by_start ON sessions (starts_at);
-- As in schema 3: the room rule (store.checkRoom) looks rooms up by these.
CREATE INDEX sessions_by_room ON sessions (lower(substr(join_url, 1, instr(join_url || '#', '#') - 1)));
CREATE INDEX sessions_by_meeting_id ON sessions (meeting_id);
CREATE INDEX sessions_by_series ON sessions (series_id) WHERE series_id IS NOT NULL;

-- Who takes part in a session: one row per participant.
--   id: a random row ID (session.NewID), so that the audit trail can bind
--   each link like any other record row (docs/audit-chain.md, "Records").
--   session_id, person_id: the link itself; no name, no role, no order.
-- Existing sessions become one-participant sessions. A withdrawal deletes
-- the person's links to group sessions, so the others stay and nothing of
-- the person does.
CREATE TABLE session_participants (
    id         TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    person_id  TEXT NOT NULL REFERENCES people (id),
    UNIQUE (session_id, person_id)
) STRICT;
CREATE INDEX session_participants_by_person ON session_participants (person_id);
-- The row ID of a migrated link is made from random bytes in the form of
-- the other IDs (8-4-4-4-12 hex digits).
INSERT INTO session_participants (id, session_id, person_id)
    SELECT lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' ||
                 substr(h, 17, 4) || '-' || substr(h, 21, 12)), session_id, person_id
    FROM (SELECT hex(randomblob(16)) AS h, session_id, person_id FROM participants_keep);

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
INSERT INTO consent_events SELECT * FROM consent_events_keep;
CREATE INDEX consent_events_by_person ON consent_events (person_id);
CREATE INDEX consent_events_by_session ON consent_events (session_id);

DROP TABLE consent_events_keep;
DROP TABLE participants_keep;
