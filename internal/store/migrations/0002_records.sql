-- Schema 2: the audit trail binds the records (docs/audit-chain.md, "Records").
--
-- Every row of people, sessions, consent_events, withdrawals and settings is
-- fixed in the trail by a digest keyed with record_key, so that an event
-- exported to an auditor cannot be used to test guesses of a meeting ID. The
-- key is not secret from whoever holds this file: the proof is the chain, and
-- the key only keeps exported events from being matched against guesses.
CREATE TABLE record_key (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    key BLOB NOT NULL CHECK (length(key) = 32)
) STRICT;
INSERT INTO record_key (id, key) VALUES (1, randomblob(32));

-- A person's name is covered by a digest under the person's own key, which is
-- erased together with the name: afterwards nothing in the trail can be tested
-- against a guessed name.
ALTER TABLE people ADD COLUMN name_digest_key BLOB;
UPDATE people SET name_digest_key = randomblob(32) WHERE name IS NOT NULL;

-- Values the records depend on, such as the fingerprint of the proof key
-- (never the key itself). Bound to the trail like any record.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
