-- Schema 10: the last record event of a row, by the row's ID (store.checkRowUnchanged).
--
-- Before counsel changes or deletes a record row it compares the row with the
-- digest of its last record.put: a row edited outside counsel is refused, not
-- written over (a new record.put would make the edit what the trail says).
-- Without an index that was a scan of the whole trail for every such write.
--
-- Partial, as 0006's and 0008's: only record events, so reading or counting
-- the trail still reads the table, and verify never reads an index. The
-- actions are written out because SQLite matches a partial index by the
-- query's literal terms; a test fails when the lookup no longer uses it.
CREATE INDEX audit_events_record ON audit_events (object, seq)
    WHERE action IN ('record.put', 'record.deleted');
