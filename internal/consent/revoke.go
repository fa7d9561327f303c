package consent

import (
	"time"

	"github.com/expeerienced/counsel/internal/session"
)

// RevokePlan is what a withdrawal does to a person's sessions: those that
// have not started are deleted, with their meeting IDs and links (they must
// not take place on the strength of a consent that no longer exists, and
// nothing is a reason to keep them); those that have started stay, without
// the name, until their retention ends.
type RevokePlan struct {
	Delete []session.Session // sessions that have not started, scheduled or cancelled, by start
	Keep   []session.Session // sessions that have started; the name is erased from them
}

// PlanRevoke splits a person's sessions at now. A session that has started
// is history, not a plan, so it is kept (anonymised), not deleted.
func PlanRevoke(sessions []session.Session, now time.Time) RevokePlan {
	var p RevokePlan
	for _, s := range sessions {
		if !s.Start.Before(now) {
			p.Delete = append(p.Delete, s)
		} else {
			p.Keep = append(p.Keep, s)
		}
	}
	return p
}

// Step is one thing the counsellor must still do outside counsel after a
// withdrawal. Kind says what, SessionID and MeetingID which.
type Step struct {
	Kind      StepKind
	SessionID string
	MeetingID string // Blizz meeting ID (canonical form), for StepCancelBlizz
	Start     time.Time
}

// StepKind names an external step.
type StepKind string

const (
	// StepCancelBlizz: delete the scheduled meeting in Blizz (TeamViewer
	// Meeting); counsel cannot reach the provider.
	StepCancelBlizz StepKind = "cancel_blizz_meeting"
	// StepTellCancelled: tell the person their sessions are cancelled, if
	// they should hear it (they asked to withdraw, so usually once).
	StepTellCancelled StepKind = "tell_cancelled"
	// StepDeleteMail: delete the invitations sent to the person from the
	// mailbox (sent folder, drafts) and any .eml/.ics files written.
	StepDeleteMail StepKind = "delete_invitations"
	// StepDeleteCalendar: delete calendar entries made from the .ics files.
	StepDeleteCalendar StepKind = "delete_calendar_entries"
)

// ExternalSteps lists what is left to do outside counsel once the plan has
// been carried out, in the order a counsellor would work through it.
func (p RevokePlan) ExternalSteps() []Step {
	// A session cancelled before was already called off (and its meeting
	// with it); the ones still scheduled are the client's appointments.
	var steps []Step
	scheduled := 0
	for _, s := range p.Delete {
		if s.Status != session.Scheduled {
			continue
		}
		scheduled++
		if s.Kind == "blizz" && s.MeetingID != "" {
			steps = append(steps, Step{Kind: StepCancelBlizz, SessionID: s.ID, MeetingID: s.MeetingID, Start: s.Start})
		}
	}
	if scheduled > 0 {
		steps = append(steps, Step{Kind: StepTellCancelled})
	}
	steps = append(steps, Step{Kind: StepDeleteMail}, Step{Kind: StepDeleteCalendar})
	return steps
}
