package jury

import (
	"context"
	"fmt"
	"sort"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"gorm.io/gorm"
)

// Deadline is one VAE candidate's two deadlines before one jury.
type Deadline struct {
	JuryID             string      `json:"jury_id"`
	Certification      string      `json:"certification"`
	SessionDate        civil.Date  `json:"session_date"`
	CandidateID        string      `json:"candidate_id"`
	CandidateName      string      `json:"candidate_name"`
	DossierSubmittedOn civil.Date  `json:"dossier_submitted_on"`
	SittingDue         civil.Date  `json:"sitting_due"`
	SatOn              *civil.Date `json:"sat_on"`
	SittingState       string      `json:"sitting_state"`
	NotificationDue    *civil.Date `json:"notification_due"`
	NotifiedOn         *civil.Date `json:"notified_on"`
	NotificationState  string      `json:"notification_state,omitempty"`
}

// Late tells whether either deadline is missed.
func (d Deadline) Late() bool { return d.SittingState == Late || d.NotificationState == Late }

// Deadlines lists the VAE candidates whose jury deadlines are missed or at
// risk (all of them when all is true), latest due first.
func (s *Service) Deadlines(ctx context.Context, all bool) ([]Deadline, error) {
	db := s.db.WithContext(ctx)
	var as []Assignment
	if err := db.Order("created_at, id").Find(&as).Error; err != nil {
		return nil, fmt.Errorf("deadlines: %w", err)
	}
	var js []Jury
	if err := db.Find(&js).Error; err != nil {
		return nil, fmt.Errorf("deadlines: %w", err)
	}
	juries := map[string]Jury{}
	for _, j := range js {
		juries[j.ID] = j
	}
	var ds []Deliberation
	if err := db.Select("jury_id, candidate_id, decided_on").Find(&ds).Error; err != nil {
		return nil, fmt.Errorf("deadlines: %w", err)
	}
	decided := map[string]civil.Date{}
	for _, d := range ds {
		decided[d.JuryID+"/"+d.CandidateID] = d.DecidedOn
	}
	names, err := candidateNames(db, as)
	if err != nil {
		return nil, err
	}
	today := s.today()
	out := []Deadline{}
	for _, a := range as {
		j := juries[a.JuryID]
		var submitted civil.Date
		switch {
		case a.DossierSubmittedOn != nil:
			submitted = *a.DossierSubmittedOn
		case s.submittedOn != nil:
			d, ok, err := s.submittedOn(ctx, a.CandidateID, j.Certification)
			if err != nil {
				return nil, err
			}
			if ok {
				submitted = d
			}
		}
		if submitted.IsZero() {
			continue // not a VAE candidate: no deadline
		}
		dl := Deadline{JuryID: j.ID, Certification: j.Certification, SessionDate: j.SessionDate, CandidateID: a.CandidateID,
			CandidateName: names[a.CandidateID], DossierSubmittedOn: submitted, SittingDue: SittingDue(submitted),
			NotifiedOn: a.NotifiedOn}
		var sat civil.Date
		if d, ok := decided[j.ID+"/"+a.CandidateID]; ok {
			sat = d
			dl.SatOn = &sat
			due := NotificationDue(d)
			dl.NotificationDue = &due
			var done civil.Date
			if a.NotifiedOn != nil {
				done = *a.NotifiedOn
			}
			dl.NotificationState = DeadlineState(due, done, civil.Date{}, today)
		}
		dl.SittingState = DeadlineState(dl.SittingDue, sat, j.SessionDate, today)
		if all || dl.SittingState != OnTime || (dl.NotificationState != "" && dl.NotificationState != OnTime) {
			out = append(out, dl)
		}
	}
	sort.SliceStable(out, func(i, k int) bool {
		if out[i].Late() != out[k].Late() {
			return out[i].Late()
		}
		return out[i].SittingDue.Before(out[k].SittingDue)
	})
	return out, nil
}

// NotificationRequest is the body of PUT /juries/{id}/candidates/{cid}/notification.
type NotificationRequest struct {
	NotifiedOn civil.Date `json:"notified_on" validate:"required"`
}

// RecordNotification records the day the result was notified to the
// candidate (VAE: within 15 days of the deliberation).
func (s *Service) RecordNotification(ctx context.Context, actor auth.User, juryID, candidateID string, on civil.Date) (Assignment, error) {
	var a Assignment
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		j, err := lockJury(tx, juryID)
		if err != nil {
			return err
		}
		if a, err = loadAssignment(tx, juryID, candidateID); err != nil {
			return err
		}
		if a.DeliberationID == nil {
			return httpx.Conflict("not_deliberated", "Le jury n'a pas encore délibéré sur ce candidat.",
				"The jury has not deliberated on this candidate yet.")
		}
		var d Deliberation
		if err := tx.Where("id = ?", *a.DeliberationID).Take(&d).Error; err != nil {
			return fmt.Errorf("deliberation: %w", err)
		}
		if on.Before(d.DecidedOn) || on.After(s.today()) {
			return httpx.Invalid(httpx.Field("notified_on", "La notification suit la délibération et ne peut être datée dans le futur.",
				"Notification follows the deliberation and cannot be dated in the future."))
		}
		before := a
		now := s.now().UTC()
		a.NotifiedOn, a.UpdatedAt = &on, now
		if err := tx.Model(&Assignment{}).Where("id = ?", a.ID).Updates(map[string]any{"notified_on": on, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("record notification: %w", err)
		}
		if err := s.touch(tx, &j); err != nil {
			return err
		}
		return audit.Record(tx, now, audit.Event{ActorID: actor.ID, Action: "jury.candidate.notify", Entity: "jury",
			EntityID: juryID, Before: before, After: a})
	})
	return a, err
}

// HistoryEntry is one jury in a member's history.
type HistoryEntry struct {
	JuryID        string      `json:"jury_id"`
	Certification string      `json:"certification"`
	SessionDate   civil.Date  `json:"session_date"`
	Category      string      `json:"category"`
	Organisation  string      `json:"organisation"`
	President     bool        `json:"president"`
	Final         bool        `json:"final"`
	Candidates    int         `json:"candidates"`
	Exclusions    int         `json:"exclusions"`
	SignedAt      *civil.Date `json:"signed_on"`
}

// MemberHistory is a jury user's qualifications and the juries they sat on.
type MemberHistory struct {
	UserID         string          `json:"user_id"`
	Name           string          `json:"name"`
	Qualifications []Qualification `json:"certifications"`
	Juries         []HistoryEntry  `json:"juries"`
}

// History returns a member's history: administrators read anyone's, a
// jury user their own; anyone else gets "not found".
func (s *Service) History(ctx context.Context, actor auth.User, userID string) (MemberHistory, error) {
	notFound := httpx.NotFound("Membre de jury introuvable.", "Jury member not found.")
	if actor.Role != auth.RoleAdmin && actor.ID != userID {
		return MemberHistory{}, notFound
	}
	db := s.db.WithContext(ctx)
	var u auth.User
	if err := db.Where("id = ? AND role = ?", userID, auth.RoleJury).Take(&u).Error; err != nil {
		if database.IsNotFound(err) {
			return MemberHistory{}, notFound
		}
		return MemberHistory{}, fmt.Errorf("history user: %w", err)
	}
	h := MemberHistory{UserID: u.ID, Name: u.Name, Qualifications: []Qualification{}, Juries: []HistoryEntry{}}
	if err := db.Where("user_id = ?", userID).Order("certification").Find(&h.Qualifications).Error; err != nil {
		return h, fmt.Errorf("history qualifications: %w", err)
	}
	var rows []struct {
		Member
		Certification string
		SessionDate   civil.Date
		PresidentID   string `gorm:"column:president_user_id"`
	}
	err := db.Table("jury_members").
		Select("jury_members.*, juries.certification, juries.session_date, juries.president_user_id").
		Joins("JOIN juries ON juries.id = jury_members.jury_id").
		Where("jury_members.user_id = ?", userID).Order("juries.session_date DESC, juries.id").Scan(&rows).Error
	if err != nil {
		return h, fmt.Errorf("history juries: %w", err)
	}
	for _, r := range rows {
		var j Jury
		if err := db.Select("finalised_at").Where("id = ?", r.JuryID).Take(&j).Error; err != nil {
			return h, fmt.Errorf("history jury: %w", err)
		}
		e := HistoryEntry{JuryID: r.JuryID, Certification: r.Certification, SessionDate: r.SessionDate, Category: r.Category,
			Organisation: r.Organisation, President: r.PresidentID == userID, Final: j.Final()}
		var n int64
		if err := db.Model(&Assignment{}).Where("jury_id = ?", r.JuryID).Count(&n).Error; err != nil {
			return h, fmt.Errorf("history candidates: %w", err)
		}
		e.Candidates = int(n)
		if err := db.Model(&Exclusion{}).Where("jury_id = ? AND user_id = ?", r.JuryID, userID).
			Distinct("candidate_id").Count(&n).Error; err != nil {
			return h, fmt.Errorf("history exclusions: %w", err)
		}
		e.Exclusions = int(n)
		var sg Signature
		if err := db.Where("jury_id = ? AND user_id = ?", r.JuryID, userID).Take(&sg).Error; err == nil {
			d := civil.Of(sg.SignedAt)
			e.SignedAt = &d
		} else if !database.IsNotFound(err) {
			return h, fmt.Errorf("history signature: %w", err)
		}
		h.Juries = append(h.Juries, e)
	}
	return h, nil
}

// Qualify records that a jury user may assess a certification.
func (s *Service) Qualify(ctx context.Context, actor auth.User, userID, cert string) (Qualification, error) {
	if _, ok := s.ref.Certification(cert); !ok {
		return Qualification{}, httpx.NotFound("Certification inconnue.", "Unknown certification.")
	}
	var q Qualification
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var u auth.User
		if err := tx.Where("id = ? AND role = ?", userID, auth.RoleJury).Take(&u).Error; err != nil {
			if database.IsNotFound(err) {
				return httpx.NotFound("Membre de jury introuvable.", "Jury member not found.")
			}
			return fmt.Errorf("qualify user: %w", err)
		}
		q = Qualification{UserID: userID, Certification: cert, GrantedBy: actor.ID, CreatedAt: s.now().UTC()}
		res := tx.Where("user_id = ? AND certification = ?", userID, cert).FirstOrCreate(&q)
		if res.Error != nil {
			return fmt.Errorf("qualify: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		return audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "jury.member.qualify", Entity: "user",
			EntityID: userID, After: q})
	})
	return q, err
}
