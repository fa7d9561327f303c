-- Schema 3: one person, one comparison key.
--
-- name_key is the name as counsel compares it (session.NameKey: NFKC, case
-- folded, invisible characters removed, spaces collapsed), so that
-- "Client-A" and "client-a" are one person. It is personal data like the
-- name: erased with it (NULL once erased), never in the audit trail. Unique
-- among the people not erased. Existing rows are filled by the Go step of
-- this migration (store.fillNameKeys), which merges people whose names have
-- the same key.
ALTER TABLE people ADD COLUMN name_key TEXT CHECK (name_key IS NULL OR (name IS NOT NULL AND name_key <> ''));
CREATE UNIQUE INDEX people_by_key ON people (name_key) WHERE name_key IS NOT NULL;

-- One room, one client: the room a session's join URL opens, compared as
-- Jitsi compares it (lower case, without the #fragment), and the Blizz
-- meeting ID, found fast when a new session is checked (store.checkRoom).
CREATE INDEX sessions_by_room ON sessions (lower(substr(join_url, 1, instr(join_url || '#', '#') - 1)));
CREATE INDEX sessions_by_meeting_id ON sessions (meeting_id);
