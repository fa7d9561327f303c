package consent

import (
	"time"

	"github.com/expeerienced/counsel/internal/session"
)

// RetainUntil is the instant from which the proof of a withdrawal made at
// withdrawn may be deleted: the end of the calendar year of the withdrawal
// (in loc, the counsellor's time zone) plus years. Keeping proof to the end
// of a year follows the German limitation periods (§ 199 BGB), which run
// from the end of the year. The result is in UTC.
func RetainUntil(withdrawn time.Time, years int, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	y := withdrawn.In(loc).Year()
	return time.Date(y+1+years, time.January, 1, 0, 0, 0, 0, loc).UTC()
}

// SessionCutoff is the end of retention for session records: a session that
// ended before the cutoff has been kept for days full days after it and is
// due for deletion.
func SessionCutoff(now time.Time, days int) time.Time {
	return session.RetentionCutoff(now, days) // the rule planning keeps to as well
}

// AuditCutoff is the end of retention for audit events, in line with
// withdrawal proofs: an event is kept until the end of its year plus years,
// so the events due for deletion are those before January 1 of the year
// years before now's (in loc).
func AuditCutoff(now time.Time, years int, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(now.In(loc).Year()-years, time.January, 1, 0, 0, 0, 0, loc).UTC()
}
