package jury

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/platform/messages"
	"gorm.io/gorm"
)

var hhmm = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// checkHours holds a session's hours to "HH:MM", the end after the start.
func checkHours(start, end string) error {
	var fs []httpx.FieldError
	if !hhmm.MatchString(start) {
		fs = append(fs, httpx.Field("start_time", "Heure de début attendue au format HH:MM, par exemple 09:00.", "Start time expected as HH:MM, such as 09:00."))
	}
	if !hhmm.MatchString(end) {
		fs = append(fs, httpx.Field("end_time", "Heure de fin attendue au format HH:MM, par exemple 17:00.", "End time expected as HH:MM, such as 17:00."))
	}
	if len(fs) == 0 && end <= start {
		fs = append(fs, httpx.Field("end_time", "L'heure de fin doit suivre l'heure de début.", "The end time must come after the start time."))
	}
	if len(fs) > 0 {
		return httpx.Invalid(fs...)
	}
	return nil
}

// at is the instant of a session's hour, in Paris.
func at(d civil.Date, hm string) time.Time {
	h, _ := strconv.Atoi(hm[:2])
	m, _ := strconv.Atoi(hm[3:])
	return time.Date(d.Year, d.Month, d.Day, h, m, 0, 0, messages.Paris)
}

// event is the session as a calendar event; its UID is the jury's, so that
// every message about one session updates one event in the calendar.
func (s *Service) event(j Jury, summary string, cancel bool) *messages.Event {
	return &messages.Event{UID: "jury-" + j.ID + "@cqp-recouvrement", Sequence: j.Version,
		Start: at(j.SessionDate, or(j.StartTime, "09:00")), End: at(j.SessionDate, or(j.EndTime, "17:00")),
		Summary: summary, Location: j.Location, Cancel: cancel}
}

type recipient struct {
	ID, Email, Name, Locale string
}

// usersByID reads the accounts' addresses in tx (the jury reads the users
// table by name, as it does for genders).
func usersByID(tx *gorm.DB, ids []string) (map[string]recipient, error) {
	var rs []recipient
	if err := tx.Table("users").Select("id, email, name, locale").Where("id IN ?", ids).Scan(&rs).Error; err != nil {
		return nil, fmt.Errorf("jury recipients: %w", err)
	}
	out := map[string]recipient{}
	for _, r := range rs {
		out[r.ID] = r
	}
	return out, nil
}

func (s *Service) certTitle(code string) string {
	if c, ok := s.ref.Certification(code); ok {
		return c.Title
	}
	return code
}

// convene writes a convocation (or, with cancel, its cancellation) to each
// of the members, in tx: the message exists if and only if the change does.
func (s *Service) convene(tx *gorm.DB, j Jury, ms []Member) error {
	return s.conveneMembers(tx, j, ms, false)
}

func (s *Service) conveneMembers(tx *gorm.DB, j Jury, ms []Member, cancel bool) error {
	if s.outbox == nil || len(ms) == 0 {
		return nil
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.UserID
	}
	users, err := usersByID(tx, ids)
	if err != nil {
		return err
	}
	title := s.certTitle(j.Certification)
	for _, m := range ms {
		u, ok := users[m.UserID]
		if !ok || u.Email == "" {
			continue
		}
		_, _, err := s.outbox.Enqueue(tx, messages.Draft{Kind: messages.KindJuryConvocation,
			To: messages.Recipient{UserID: u.ID, Email: u.Email, Name: u.Name, Lang: u.Locale},
			Data: map[string]any{"Certification": title, "Date": j.SessionDate, "Start": at(j.SessionDate, j.StartTime),
				"End": at(j.SessionDate, j.EndTime), "Location": j.Location, "President": m.UserID == j.PresidentID,
				"Category": m.Category, "Cancel": cancel, "Updated": j.Version > 1, "Link": "/jury/" + j.ID},
			Event: s.event(j, "Jury — "+title, cancel)})
		if err != nil {
			return err
		}
	}
	return nil
}

// conveneCandidates writes a convocation to each candidate assigned (or to
// only one), through their account's address or, without an account, the
// address of their record; a candidate without an address gets none.
func (s *Service) conveneCandidates(tx *gorm.DB, j Jury, only string) error {
	if s.outbox == nil {
		return nil
	}
	q := tx.Model(&Assignment{}).Where("jury_id = ?", j.ID)
	if only != "" {
		q = q.Where("candidate_id = ?", only)
	}
	var ids []string
	if err := q.Order("candidate_id").Pluck("candidate_id", &ids).Error; err != nil {
		return fmt.Errorf("convene candidates: %w", err)
	}
	title := s.certTitle(j.Certification)
	for _, id := range ids {
		to, ok, err := candidates.Recipient(tx, id)
		if err != nil {
			return err
		}
		if !ok {
			// No address for this one; the others are still convened.
			continue
		}
		_, _, err = s.outbox.Enqueue(tx, messages.Draft{Kind: messages.KindCandidateConvocation, To: to,
			Data: map[string]any{"Certification": title, "Date": j.SessionDate, "Start": at(j.SessionDate, j.StartTime),
				"End": at(j.SessionDate, j.EndTime), "Location": j.Location, "Updated": j.Version > 1, "Account": to.UserID != ""},
			Event: s.event(j, "Jury — "+title, false)})
		if err != nil {
			return err
		}
	}
	return nil
}

// componentResult is one line of a candidate's results.
type componentResult struct {
	Code, Title string
	Validated   bool
}

// sendResults writes to each candidate of a jury whose minutes were just
// signed their decisions, component by component.
func (s *Service) sendResults(tx *gorm.DB, j Jury) error {
	if s.outbox == nil {
		return nil
	}
	ds, err := candidates.OfJury(tx, j.ID, true)
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	cert, _ := s.ref.Certification(j.Certification)
	titles := map[string]string{}
	for _, c := range cert.Components {
		titles[c.Code] = c.Title
	}
	by := map[string][]componentResult{}
	var order []string
	for _, d := range ds {
		if _, ok := by[d.CandidateID]; !ok {
			order = append(order, d.CandidateID)
		}
		by[d.CandidateID] = append(by[d.CandidateID], componentResult{Code: d.Component, Title: titles[d.Component],
			Validated: d.Outcome == candidates.Validated})
	}
	for _, id := range order {
		to, ok, err := candidates.Recipient(tx, id)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		all, validated := len(by[id]), 0
		for _, r := range by[id] {
			if r.Validated {
				validated++
			}
		}
		_, _, err = s.outbox.Enqueue(tx, messages.Draft{Kind: messages.KindResults, To: to,
			DedupeKey: "results:" + j.ID + ":" + id,
			Data: map[string]any{"Certification": cert.Title, "Date": j.SessionDate, "Components": by[id],
				"Validated": validated, "All": all, "Full": validated == len(cert.Components), "Account": to.UserID != ""}})
		if err != nil {
			return err
		}
	}
	return nil
}
