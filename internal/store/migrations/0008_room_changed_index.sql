-- Schema 8: an index for the room rule (store.checkRoom), like 0006's.
--
-- A removal refuses its session's room to everyone only while the session is
-- still in the room the person who left knew: a Jitsi group session that gets
-- a new room at the withdrawal (a session.room_changed event after the
-- removal) is in a room that person never had, and the remaining group may
-- use it again. checkRoom therefore looks, for each removal it finds, for a
-- later room change of the same session; this index finds them by session
-- instead of reading the trail from the removal on.
--
-- Partial, as 0006's: only these events, so it costs nothing on the other
-- appends, no other statement can use it, and it holds nothing the trail does
-- not hold (verify reads the table). A test fails when checkRoom's statement
-- no longer uses it.
CREATE INDEX audit_events_room_changed ON audit_events (object)
    WHERE action = 'session.room_changed';
