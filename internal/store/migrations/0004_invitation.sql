-- Schema 4: what a cancellation or a moved invitation must repeat of the
-- invitation the client has (issue 12). Two columns, neither about the person:
--
-- sequence: how many changes to this session's calendar event the client was
--   sent (0: the invitation). A move or a cancellation goes out under the same
--   UID with the next number, which is what makes a calendar replace or remove
--   the event (RFC 5545 3.8.7.4); without it a calendar would keep the old one.
--
-- invite_version: the version of the invite template the last invitation was
--   rendered with, so that `session show` can print it again or say that
--   today's template differs. The language and the consent text's version and
--   hash are already in the session's notice_sent consent events and are not
--   repeated here.
ALTER TABLE sessions ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0 CHECK (sequence >= 0);
ALTER TABLE sessions ADD COLUMN invite_version TEXT NOT NULL DEFAULT '';
