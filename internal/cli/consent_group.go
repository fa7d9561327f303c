package cli

import (
	"crypto/rand"
	"fmt"
	"io"
	"net/mail"
	"path/filepath"
	"sort"
	"time"

	"github.com/expeerienced/counsel/internal/invite"
	"github.com/expeerienced/counsel/internal/provider"
	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

// splitGroups separates a person's sessions alone from their group sessions:
// a withdrawal deletes or anonymises the first, and takes the person out of
// the second (the others keep them).
func splitGroups(all []session.Session) (solo, groups []session.Session) {
	for _, s := range all {
		if s.IsGroup() {
			groups = append(groups, s)
		} else {
			solo = append(solo, s)
		}
	}
	return solo, groups
}

// toCome is a group session the withdrawal changes: scheduled and not yet started.
func toCome(s session.Session, now time.Time) bool {
	return s.Status == session.Scheduled && !s.Start.Before(now)
}

// getsNewRoom is a group session that the withdrawal gives a new room (a Jitsi date to
// come), which retires the old one.
func getsNewRoom(s session.Session, now time.Time) bool {
	return toCome(s, now) && s.Kind == string(provider.KindJitsi)
}

// writeGroupPlan says what a withdrawal would do to the person's group sessions.
func writeGroupPlan(w io.Writer, groups []session.Session, now time.Time, loc *time.Location) {
	if len(groups) == 0 {
		return
	}
	fprintf(w, "  - take the person out of %d group session(s); the other participants keep them:\n", len(groups))
	for _, s := range groups {
		state := T("held")
		if toCome(s, now) {
			state = T("to come")
			if getsNewRoom(s, now) {
				state = T("to come: a new room for the others")
			}
		}
		fprintf(w, "      %s (%s)\n", sessionLine(s, loc), state)
	}
}

// writeGroupsLeft reports the group sessions the person left, and for those
// to come what the counsellor must do.
func writeGroupsLeft(w io.Writer, res store.Revoked, loc *time.Location) {
	if res.PastGroups == 0 && len(res.Groups) == 0 {
		return
	}
	fprintf(w, "  - took the person out of %d group session(s); the other participants keep them\n", res.PastGroups+len(res.Groups))
	var blizz []session.Session
	for _, g := range res.Groups {
		if g.RoomChanged() {
			fprintf(w, "      %s: new room, %d participant(s) to invite again\n", sessionLine(g.Session, loc), len(g.Remaining))
		} else if g.Session.Kind == string(provider.KindBlizz) {
			blizz = append(blizz, g.Session)
		}
	}
	for _, s := range blizz {
		fprintf(w, "      %s: the withdrawn person knows this meeting: change its password in Blizz and send the new one to the other participants\n",
			sessionLine(s, loc))
	}
}

// newJitsiRoom makes a fresh room on the session's provider for the
// participants who stay.
func (a *app) newJitsiRoom(s session.Session) (string, error) {
	reg, err := a.providerRegistry()
	if err != nil {
		return "", err
	}
	prov, ok := reg.Get(s.ProviderID)
	if !ok {
		return "", fmt.Errorf("provider %s of session %s is no longer in the provider list", s.ProviderID, session.ShortID(s.ID))
	}
	room, err := provider.NewRoom(rand.Reader)
	if err != nil {
		return "", err
	}
	return prov.JitsiJoinURL(room)
}

// reinviteAgain is how to get new invitations that could not be written.
const reinviteAgain = "'counsel session show ID' shows each remaining participant's invitation with the new link ('counsel session list' lists the sessions)"

// reinvite writes a new invitation for every participant who stays in a
// group whose room changed: one e-mail per participant, naming only them,
// listing the dates still to come in the new room, with a calendar that
// replaces the old events. Into dir when given (files named by number and
// session), else to w.
func (a *app) reinvite(w io.Writer, res store.Revoked, dir string, now time.Time) error {
	rooms := map[string][]store.GroupLeft{}
	var order []string
	for _, g := range res.Groups {
		if !g.RoomChanged() {
			continue
		}
		if _, ok := rooms[g.Session.JoinURL]; !ok {
			order = append(order, g.Session.JoinURL)
		}
		rooms[g.Session.JoinURL] = append(rooms[g.Session.JoinURL], g)
	}
	if len(order) == 0 {
		return nil
	}
	tmpl, err := a.templates()
	if err != nil {
		return err
	}
	var from *mail.Address
	if dir != "" && a.cfg.Counsellor != "" {
		if addr, err := invite.ParseAddress(a.cfg.Counsellor); err == nil {
			from = addr
		}
	}
	// The invitations name the new rooms, so they are made after the withdrawal is recorded
	// (a.changed), and published together; a folder made for them goes again, while empty,
	// when they cannot be.
	files := &outputFiles{}
	defer files.discard()
	if dir != "" {
		if err := files.mkdir(dir); err != nil {
			return withHint(fmt.Errorf("%s, but the folder %s for the new invitations could not be made: %w", a.changed, dir, err), reinviteAgain)
		}
	}
	written := 0
	for _, url := range order {
		gs := rooms[url]
		sort.Slice(gs, func(i, j int) bool { return gs[i].Session.Start.Before(gs[j].Session.Start) })
		first := gs[0].Session
		m, err := a.mailFor(first, true)
		if err != nil {
			return err
		}
		var dates []time.Time
		var events []invite.Event
		for _, g := range gs {
			dates = append(dates, g.Session.Start)
			events = append(events, invite.Event{UID: calendarUID(g.Session.ID), Sequence: g.Session.Sequence})
		}
		for i, p := range gs[0].Remaining {
			d := m.data
			d.ClientName, d.Participants = p.Name, len(gs[0].Remaining)
			if len(dates) > 1 {
				d.Dates = dates
			}
			msg, err := tmpl.Render(d)
			if err != nil {
				return err
			}
			ics, err := invite.SeriesCalendar(d, events, now)
			if err != nil {
				return err
			}
			written++
			if dir == "" {
				fprintf(w, "=== new invitation %d ===\n", written)
				if err := printMail(w, msg); err != nil {
					return err
				}
				continue
			}
			base := filepath.Join(dir, groupFileName(i, first.ID, "", 0))
			if err := files.prepareAfter(a.changed, base+"ics", func(out io.Writer) error { _, err := out.Write(ics); return err }, reinviteAgain); err != nil {
				return err
			}
			if from != nil {
				h := invite.Header{From: from, Date: now, MessageID: fmt.Sprintf("%s.%d.%d@counsel.invalid", first.ID, first.Sequence, i+1)}
				err = files.prepareAfter(a.changed, base+"eml", func(out io.Writer) error { return invite.EML(out, msg, h, ics) }, reinviteAgain)
			} else {
				err = files.prepareAfter(a.changed, base+"txt", func(out io.Writer) error { return printMail(out, msg) }, reinviteAgain)
			}
			if err != nil {
				return err
			}
		}
	}
	if err := files.publish(a.changed, reinviteAgain); err != nil {
		return err
	}
	if dir != "" {
		fprintf(w, "  - send the %d new invitation(s) in %s; the old link is no longer used\n", written, dir)
	} else {
		fprintf(w, "  - send each of the %d new invitation(s) above to its participant; the old link is no longer used\n", written)
	}
	return nil
}
