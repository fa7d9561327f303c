-- Schema 6: an index for the room rule (store.checkRoom). A room that a
-- withdrawing participant left is refused to everyone, which checkRoom learns
-- from the session.participant_removed events of the room's sessions. Without
-- an index on audit_events by object, that was a scan of the whole trail for
-- every earlier session in the room (a Blizz client's own meeting ID is used
-- again and again): about 520,000 events per session at 100,000 sessions.
--
-- Partial: only these events are indexed, so it costs nothing on the other
-- appends and no other statement can use it (a query must name this action
-- to; counting or reading the trail in order still reads the table itself).
-- It holds no data the table does not hold and is not a record table: the
-- trail and its verification are unchanged. The action is written out
-- because SQLite matches a partial index by the query's literal terms; a
-- test fails when checkRoom's statement no longer uses it.
CREATE INDEX audit_events_participant_removed ON audit_events (object)
    WHERE action = 'session.participant_removed';
