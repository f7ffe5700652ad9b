package jury

import (
	"context"
	"fmt"
	"strings"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/training"
	"gorm.io/gorm"
)

// NewMember is one seat asked for.
type NewMember struct {
	UserID       string `json:"user_id" validate:"required,max=36"`
	Category     string `json:"category" validate:"required,oneof=professional organisation_representative"`
	Organisation string `json:"organisation" validate:"max=200"`
}

// NewJury is the body of POST /juries.
type NewJury struct {
	Certification string      `json:"certification" validate:"required,max=60"`
	SessionDate   civil.Date  `json:"session_date" validate:"required"`
	Location      string      `json:"location" validate:"max=300"`
	StartTime     string      `json:"start_time"`
	EndTime       string      `json:"end_time"`
	PresidentID   string      `json:"president_user_id" validate:"max=36"`
	Members       []NewMember `json:"members" validate:"required,max=30,dive"`
}

// JuryPatch is the body of PATCH /juries/{id}; absent fields stay.
type JuryPatch struct {
	SessionDate *civil.Date `json:"session_date"`
	Location    *string     `json:"location" validate:"omitempty,max=300"`
	StartTime   *string     `json:"start_time"`
	EndTime     *string     `json:"end_time"`
	PresidentID *string     `json:"president_user_id" validate:"omitempty,max=36"`
	// Version, when given, is the version the change was based on: a jury
	// changed since is not overwritten (409 version_conflict).
	Version *int `json:"version" validate:"omitempty,min=1"`
}

// View is a jury with its members and candidates, as the API answers it.
type View struct {
	Jury
	Members    []Member         `json:"members"`
	Candidates []AssignmentView `json:"candidates"`
	// Composition measures the members against the certification's rule:
	// what is missing, how many of each college may still leave, and the
	// balance between women and men (flagged, never enforced).
	Composition Composition `json:"composition"`
	// SessionHeld tells whether the session date has come: no
	// deliberation is opened or recorded before it.
	SessionHeld bool `json:"session_held"`
}

// AssignmentView is an assigned candidate with the members excluded for them.
type AssignmentView struct {
	Assignment
	CandidateName string                   `json:"candidate_name"`
	Exclusions    []Exclusion              `json:"exclusions"`
	Attempt       *training.AttemptSummary `json:"exam_attempt,omitempty"`
}

// seatUsers loads the accounts behind the seats and builds the members:
// each must be an active jury user; the organisation defaults to the
// account's. Field errors name the seat (members[2].user_id).
func seatUsers(tx *gorm.DB, juryID string, in []NewMember, firstPosition int) ([]Member, error) {
	ids := make([]string, 0, len(in))
	for _, m := range in {
		ids = append(ids, m.UserID)
	}
	var users []auth.User
	if err := tx.Where("id IN ?", ids).Find(&users).Error; err != nil {
		return nil, fmt.Errorf("load jury users: %w", err)
	}
	byID := map[string]auth.User{}
	for _, u := range users {
		byID[u.ID] = u
	}
	var fields []httpx.FieldError
	out := make([]Member, 0, len(in))
	for i, m := range in {
		u, ok := byID[m.UserID]
		path := fmt.Sprintf("members[%d].user_id", i)
		switch {
		case !ok:
			fields = append(fields, httpx.Field(path, "Utilisateur introuvable.", "User not found."))
			continue
		case u.Role != auth.RoleJury:
			fields = append(fields, httpx.Field(path, "Cet utilisateur n'a pas le rôle jury.", "This user does not have the jury role."))
			continue
		case u.DisabledAt != nil:
			fields = append(fields, httpx.Field(path, "Ce compte est désactivé.", "This account is disabled."))
			continue
		}
		org := strings.TrimSpace(m.Organisation)
		if org == "" {
			org = strings.TrimSpace(u.Organisation)
		}
		if org == "" {
			fields = append(fields, httpx.Field(fmt.Sprintf("members[%d].organisation", i),
				"L'organisation du membre est requise (elle sert à détecter les conflits d'intérêts).",
				"The member's organisation is required (it is used to detect conflicts of interest)."))
			continue
		}
		out = append(out, Member{JuryID: juryID, UserID: u.ID, Name: u.Name, Category: m.Category,
			Organisation: org, Position: firstPosition + i})
	}
	if len(fields) > 0 {
		return nil, httpx.Invalid(fields...)
	}
	return out, nil
}

// Assess measures members against the composition rule of a certification
// (DefaultRule for a code the referential does not know).
func (s *Service) Assess(cert string, ms []Member, president string) Composition {
	r := DefaultRule
	if c, ok := s.ref.Certification(cert); ok {
		r = s.rule(c)
	}
	return Assess(r, seatsOf(ms), president)
}

// checkMembers applies the composition rule to a jury's members.
func (s *Service) checkMembers(cert string, ms []Member) error {
	c, err := s.certification(cert)
	if err != nil {
		return err
	}
	if fs := CheckComposition(s.rule(c), seatsOf(ms)); len(fs) > 0 {
		return compositionProblem("jury_composition", "La composition du jury ne respecte pas la règle",
			"The jury's composition breaks the rule", fs)
	}
	return nil
}

// qualify records that the members may assess the certification: the
// administrator who seats them vouches for it.
func (s *Service) qualify(tx *gorm.DB, actor auth.User, cert string, ms []Member) error {
	for _, m := range ms {
		q := Qualification{UserID: m.UserID, Certification: cert, GrantedBy: actor.ID, CreatedAt: s.now().UTC()}
		res := tx.Where("user_id = ? AND certification = ?", m.UserID, cert).FirstOrCreate(&q)
		if res.Error != nil {
			return fmt.Errorf("qualify %s: %w", m.UserID, res.Error)
		}
	}
	return nil
}

// Create records a jury whose composition holds.
func (s *Service) Create(ctx context.Context, actor auth.User, in NewJury) (View, error) {
	if _, ok := s.ref.Certification(in.Certification); !ok {
		return View{}, httpx.Invalid(httpx.Field("certification", "Certification inconnue.", "Unknown certification."))
	}
	j := Jury{ID: database.NewID(), Certification: in.Certification, SessionDate: in.SessionDate,
		Location: strings.TrimSpace(in.Location), StartTime: or(in.StartTime, "09:00"), EndTime: or(in.EndTime, "17:00"),
		Version: 1, CreatedBy: actor.ID}
	if err := checkHours(j.StartTime, j.EndTime); err != nil {
		return View{}, err
	}
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		ms, err := seatUsers(tx, j.ID, in.Members, 1)
		if err != nil {
			return err
		}
		if err := s.checkMembers(j.Certification, ms); err != nil {
			return err
		}
		j.PresidentID = in.PresidentID
		if j.PresidentID == "" {
			j.PresidentID = ms[0].UserID
		}
		if _, ok := memberOf(ms, j.PresidentID); !ok {
			return httpx.Invalid(httpx.Field("president_user_id", "Le président doit être membre du jury.",
				"The president must be a member of the jury."))
		}
		now := s.now().UTC()
		j.CreatedAt, j.UpdatedAt = now, now
		if err := tx.Create(&j).Error; err != nil {
			return fmt.Errorf("create jury: %w", err)
		}
		for i := range ms {
			ms[i].CreatedAt = now
		}
		if err := tx.Create(&ms).Error; err != nil {
			return fmt.Errorf("create jury members: %w", err)
		}
		if err := s.qualify(tx, actor, j.Certification, ms); err != nil {
			return err
		}
		if err := s.convene(tx, j, ms); err != nil {
			return err
		}
		return audit.Record(tx, now, audit.Event{ActorID: actor.ID, Action: "jury.create", Entity: "jury",
			EntityID: j.ID, After: map[string]any{"jury": j, "members": ms}})
	})
	if err != nil {
		return View{}, err
	}
	return s.Get(ctx, actor, j.ID)
}

// Get returns a jury the caller may read.
func (s *Service) Get(ctx context.Context, actor auth.User, id string) (View, error) {
	j, ms, err := s.readAccess(ctx, actor, id)
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, j, ms)
}

func (s *Service) view(ctx context.Context, j Jury, ms []Member) (View, error) {
	db := s.db.WithContext(ctx)
	if err := withGenders(db, ms); err != nil {
		return View{}, err
	}
	v := View{Jury: j, Members: ms, Candidates: []AssignmentView{}, Composition: s.Assess(j.Certification, ms, j.PresidentID),
		SessionHeld: !s.today().Before(j.SessionDate)}
	var as []Assignment
	if err := db.Where("jury_id = ?", j.ID).Order("created_at, id").Find(&as).Error; err != nil {
		return v, fmt.Errorf("jury candidates: %w", err)
	}
	var exs []Exclusion
	if err := db.Where("jury_id = ?", j.ID).Order("candidate_id, user_id, reason").Find(&exs).Error; err != nil {
		return v, fmt.Errorf("jury exclusions: %w", err)
	}
	exs = explained(exs)
	names, err := candidateNames(db, as)
	if err != nil {
		return v, err
	}
	for _, a := range as {
		av := AssignmentView{Assignment: a, CandidateName: names[a.CandidateID], Exclusions: []Exclusion{}}
		for _, e := range exs {
			if e.CandidateID == a.CandidateID {
				av.Exclusions = append(av.Exclusions, e)
			}
		}
		if a.ExamAttemptID != nil && s.attemptSummary != nil {
			if sum, err := s.attemptSummary(ctx, *a.ExamAttemptID); err == nil {
				av.Attempt = &sum
			}
		}
		v.Candidates = append(v.Candidates, av)
	}
	return v, nil
}

func candidateNames(db *gorm.DB, as []Assignment) (map[string]string, error) {
	ids := make([]string, 0, len(as))
	for _, a := range as {
		ids = append(ids, a.CandidateID)
	}
	return candidates.Names(db, ids)
}

// List returns the juries the caller may read, by session date then id;
// after is the last id of the previous page.
func (s *Service) List(ctx context.Context, actor auth.User, after string, limit int) ([]Jury, string, error) {
	q := s.db.WithContext(ctx).Model(&Jury{})
	if actor.Role != auth.RoleAdmin {
		q = q.Where("id IN (?)", s.db.Model(&Member{}).Select("jury_id").Where("user_id = ?", actor.ID))
	}
	if after != "" {
		q = q.Where("id < ?", after)
	}
	var js []Jury
	if err := q.Order("id DESC").Limit(limit).Find(&js).Error; err != nil {
		return nil, "", fmt.Errorf("list juries: %w", err)
	}
	next := ""
	if len(js) == limit {
		next = js[len(js)-1].ID
	}
	return js, next, nil
}

// Update changes the session date, location or president.
func (s *Service) Update(ctx context.Context, actor auth.User, id string, p JuryPatch) (View, error) {
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		j, ms, err := loadForWrite(tx, actor, id, byAdmin)
		if err != nil {
			return err
		}
		if p.Version != nil && *p.Version != j.Version {
			return httpx.Conflict("version_conflict", "Ce jury a changé depuis votre lecture : rechargez-le avant de le modifier.",
				"This jury changed since you read it: reload it before changing it.")
		}
		before := j
		if p.SessionDate != nil {
			if p.SessionDate.IsZero() {
				return httpx.Invalid(httpx.Field("session_date", "La date de session est requise.", "The session date is required."))
			}
			j.SessionDate = *p.SessionDate
		}
		if p.Location != nil {
			j.Location = strings.TrimSpace(*p.Location)
		}
		if p.StartTime != nil {
			j.StartTime = *p.StartTime
		}
		if p.EndTime != nil {
			j.EndTime = *p.EndTime
		}
		if err := checkHours(j.StartTime, j.EndTime); err != nil {
			return err
		}
		if p.PresidentID != nil {
			if _, ok := memberOf(ms, *p.PresidentID); !ok {
				return httpx.Invalid(httpx.Field("president_user_id", "Le président doit être membre du jury.",
					"The president must be a member of the jury."))
			}
			j.PresidentID = *p.PresidentID
		}
		j.Version++
		j.UpdatedAt = s.now().UTC()
		if err := tx.Model(&Jury{}).Where("id = ?", id).Updates(map[string]any{
			"session_date": j.SessionDate, "location": j.Location, "president_user_id": j.PresidentID,
			"start_time": j.StartTime, "end_time": j.EndTime,
			"version": j.Version, "updated_at": j.UpdatedAt}).Error; err != nil {
			return fmt.Errorf("update jury %s: %w", id, err)
		}
		if !j.SessionDate.Equal(before.SessionDate) || j.Location != before.Location || j.StartTime != before.StartTime || j.EndTime != before.EndTime {
			// Everyone expected learns of the change: the same calendar
			// event, a higher sequence.
			if err := s.convene(tx, j, ms); err != nil {
				return err
			}
			if err := s.conveneCandidates(tx, j, ""); err != nil {
				return err
			}
		}
		if !j.SessionDate.Equal(before.SessionDate) {
			// The 3-year look-back for former employers ends at the
			// session date: the exclusions follow it. A candidate left
			// without quorum is not a reason to refuse the date (the
			// deliberation will say so).
			if err := s.refreshExclusions(tx, j, ms, ms, ""); err != nil {
				return err
			}
		}
		return audit.Record(tx, j.UpdatedAt, audit.Event{ActorID: actor.ID, Action: "jury.update", Entity: "jury",
			EntityID: id, Before: before, After: j})
	})
	if err != nil {
		return View{}, err
	}
	return s.Get(ctx, actor, id)
}

// PutMember seats a member, or changes a member's category or
// organisation; the composition must still hold afterwards, and the
// exclusions of the candidates already assigned are computed again.
func (s *Service) PutMember(ctx context.Context, actor auth.User, juryID string, in NewMember) (View, error) {
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		j, ms, err := loadForWrite(tx, actor, juryID, byAdmin)
		if err != nil {
			return err
		}
		pos := 1
		for _, m := range ms {
			pos = max(pos, m.Position+1)
		}
		old, existed := memberOf(ms, in.UserID)
		if existed {
			pos = old.Position
		}
		seated, err := seatUsers(tx, juryID, []NewMember{in}, pos)
		if err != nil {
			return renameSeatFields(err)
		}
		m := seated[0]
		next := make([]Member, 0, len(ms)+1)
		for _, x := range ms {
			if x.UserID != m.UserID {
				next = append(next, x)
			}
		}
		next = append(next, m)
		if err := s.checkMembers(j.Certification, next); err != nil {
			return err
		}
		m.CreatedAt = s.now().UTC()
		if existed {
			m.CreatedAt = old.CreatedAt
			err = tx.Model(&Member{}).Where("jury_id = ? AND user_id = ?", juryID, m.UserID).
				Updates(map[string]any{"category": m.Category, "organisation": m.Organisation}).Error
		} else {
			err = tx.Create(&m).Error
		}
		if err != nil {
			return fmt.Errorf("seat member %s: %w", m.UserID, err)
		}
		if err := s.qualify(tx, actor, j.Certification, []Member{m}); err != nil {
			return err
		}
		if err := s.refreshExclusions(tx, j, ms, next, ""); err != nil {
			return err
		}
		if err := s.touch(tx, &j); err != nil {
			return err
		}
		if !existed {
			if err := s.conveneMembers(tx, j, []Member{m}, false); err != nil {
				return err
			}
		}
		ev := audit.Event{ActorID: actor.ID, Action: "jury.member.put", Entity: "jury", EntityID: juryID, After: m}
		if existed {
			ev.Before = old
		}
		return audit.Record(tx, s.now(), ev)
	})
	if err != nil {
		return View{}, err
	}
	return s.Get(ctx, actor, juryID)
}

// renameSeatFields turns members[0].x into x for the one-member routes.
func renameSeatFields(err error) error {
	p, ok := httpx.AsProblem(err)
	if !ok {
		return err
	}
	for i := range p.Fields {
		p.Fields[i].Field = strings.TrimPrefix(p.Fields[i].Field, "members[0].")
	}
	return p
}

// RemoveMember takes a member off the jury; the composition must still
// hold, and the president must first hand over to another member.
func (s *Service) RemoveMember(ctx context.Context, actor auth.User, juryID, userID string) (View, error) {
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		j, ms, err := loadForWrite(tx, actor, juryID, byAdmin)
		if err != nil {
			return err
		}
		old, ok := memberOf(ms, userID)
		if !ok {
			return httpx.NotFound("Ce membre ne siège pas dans ce jury.", "This member does not sit on this jury.")
		}
		if userID == j.PresidentID {
			return httpx.Unprocessable("president", "Désignez d'abord un autre président : le président ne peut pas quitter le jury.",
				"Appoint another president first: the president cannot leave the jury.")
		}
		var scored int64
		if err := tx.Model(&Evaluation{}).Where("jury_id = ? AND member_id = ?", juryID, userID).Count(&scored).Error; err != nil {
			return fmt.Errorf("count evaluations: %w", err)
		}
		if scored > 0 {
			return httpx.Conflict("member_has_scores", "Ce membre a déjà noté des candidats : il ne peut plus quitter le jury.",
				"This member has already scored candidates: they can no longer leave the jury.")
		}
		next := make([]Member, 0, len(ms))
		for _, m := range ms {
			if m.UserID != userID {
				next = append(next, m)
			}
		}
		if err := s.checkMembers(j.Certification, next); err != nil {
			return err
		}
		if err := tx.Where("jury_id = ? AND user_id = ?", juryID, userID).Delete(&Member{}).Error; err != nil {
			return fmt.Errorf("remove member: %w", err)
		}
		if err := tx.Where("jury_id = ? AND user_id = ?", juryID, userID).Delete(&Exclusion{}).Error; err != nil {
			return fmt.Errorf("remove member exclusions: %w", err)
		}
		if err := s.touch(tx, &j); err != nil {
			return err
		}
		// The member is no longer expected: the event leaves their calendar.
		if err := s.conveneMembers(tx, j, []Member{old}, true); err != nil {
			return err
		}
		return audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "jury.member.remove", Entity: "jury",
			EntityID: juryID, Before: old})
	})
	if err != nil {
		return View{}, err
	}
	return s.Get(ctx, actor, juryID)
}
