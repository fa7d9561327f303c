-- Schema 7: rooms counsel no longer stores but must never give out again
-- (store.retireRooms, docs/data-protection.md "The room rule").
--
-- A room leaves the sessions table when a withdrawal erases a person's
-- sessions, when a group gets a new room, and when purge deletes sessions
-- past retention; the people invited to it still have the link or the
-- meeting ID. The room rule (store.checkRoom) refuses a room whose digest is
-- here to every later session.
--
-- digest is HMAC-SHA256 under the proof key (consent.RoomDigest), never the
-- URL or the meeting ID: a Blizz meeting ID has few digits and an unkeyed
-- hash of it could be reversed from this file. retain_until is when the row
-- may be purged (the end of the year the room was retired plus
-- retention_consent_years, as a withdrawal proof): it tells only the year.
-- id is random and names the row in the audit trail, which binds it as any
-- record (record.go, recordTables).
--
-- Nothing is filled in: the rooms forgotten before this schema are not known.
CREATE TABLE retired_rooms (
    id           TEXT PRIMARY KEY,
    digest       TEXT NOT NULL UNIQUE CHECK (length(digest) = 64),
    retain_until TEXT NOT NULL
) STRICT;
