package candidates

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/referential"
	"gorm.io/gorm"
)

// Referential is what the candidates feature reads from the referential:
// certifications, their components, pathways and validity.
type Referential interface {
	Certification(code string) (referential.Certification, bool)
	Certifications() []referential.Certification
}

// Service is the candidates feature: rules and transactions over the store.
type Service struct {
	db       *gorm.DB
	now      func() time.Time
	ref      Referential
	validate *httpx.Validator
	holders  []DataHolder
	// supporters say who supports a candidate's VAE (see CanSee).
	supporters []Supporter
	tempDir    string
}

// Options is what the service is built with.
type Options struct {
	DB  *gorm.DB
	Now func() time.Time
	// Referential gives the certifications (enrollments and the component
	// ledger need them).
	Referential Referential
	// TempDir is where imports spool the rows they checked: inside the data
	// folder, not the system's /tmp (personal data, cleaned at start).
	TempDir string
	// Holders are the other features keeping personal data about
	// candidates: the export gathers their parts and pseudonymisation
	// reaches them.
	Holders []DataHolder
	// Supporters say who supports a candidate's VAE (see CanSee).
	Supporters []Supporter
}

// NewService builds the service.
func NewService(o Options) *Service {
	return &Service{db: o.DB, now: o.Now, ref: o.Referential, tempDir: o.TempDir, validate: httpx.NewValidator(),
		holders: o.Holders, supporters: o.Supporters}
}

func (s *Service) today() civil.Date { return civil.Of(s.now().UTC()) }

func notFound() error { return httpx.NotFound("Candidat introuvable.", "Candidate not found.") }

// NewCandidate is the creation request of the API contract.
type NewCandidate struct {
	FirstName            string     `json:"first_name" validate:"required,max=100,personname"`
	LastName             string     `json:"last_name" validate:"required,max=100,personname"`
	BirthDate            civil.Date `json:"birth_date" validate:"required"`
	Email                string     `json:"email" validate:"omitempty,email,max=254"`
	Employer             string     `json:"employer" validate:"max=200"`
	TrainingOrganisation string     `json:"training_organisation" validate:"max=200"`
	Identity
	// CohortID, optional, puts the new trainee in a cohort at once; a trainer
	// may only name one of their own cohorts.
	CohortID string `json:"cohort_id,omitempty" validate:"omitempty,max=36"`
}

// check applies the rules the tags cannot say; fields are named by prefix+JSON name.
func (in NewCandidate) check(today civil.Date, prefix string) []httpx.FieldError {
	var fs []httpx.FieldError
	if strings.TrimSpace(in.FirstName) == "" {
		fs = append(fs, httpx.Field(prefix+"first_name", "Le prénom est obligatoire.", "The first name is required."))
	}
	if strings.TrimSpace(in.LastName) == "" {
		fs = append(fs, httpx.Field(prefix+"last_name", "Le nom est obligatoire.", "The last name is required."))
	}
	fs = append(fs, in.Identity.check(prefix)...)
	if !in.BirthDate.IsZero() && (!in.BirthDate.Before(today.AddYears(-14)) || in.BirthDate.Before(civil.New(1900, 1, 1))) {
		fs = append(fs, httpx.Field(prefix+"birth_date",
			"La date de naissance doit être plausible (candidat de 14 ans au moins).",
			"The birth date must be plausible (candidate at least 14 years old)."))
	}
	return fs
}

func (in NewCandidate) record(id, createdBy string) Candidate {
	c := Candidate{
		ID: id, FirstName: strings.TrimSpace(in.FirstName), LastName: strings.TrimSpace(in.LastName),
		BirthDate: in.BirthDate, Email: auth.NormaliseEmail(in.Email), Employer: strings.TrimSpace(in.Employer),
		TrainingOrganisation: strings.TrimSpace(in.TrainingOrganisation), Identity: in.Identity.clean(), CreatedBy: createdBy,
	}
	c.Search = c.searchText()
	return c
}

// Create records a new candidate; with a cohort, the trainee joins it in the
// same transaction.
func (s *Service) Create(ctx context.Context, actor auth.User, in NewCandidate) (Candidate, error) {
	if fs := in.check(s.today(), ""); len(fs) > 0 {
		return Candidate{}, httpx.Invalid(fs...)
	}
	if in.TrainingOrganisation == "" && actor.Role == auth.RoleTrainer {
		in.TrainingOrganisation = actor.Organisation
	}
	var c Candidate
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var co Cohort
		if in.CohortID != "" {
			var err error
			co, err = s.cohortFor(tx, actor, in.CohortID)
			if database.IsNotFound(err) {
				return httpx.Invalid(httpx.Field("cohort_id", "Promotion inconnue.", "Unknown cohort."))
			}
			if err != nil {
				return err
			}
			if in.TrainingOrganisation == "" {
				in.TrainingOrganisation = co.TrainingOrganisation
			}
		}
		c = in.record(database.NewID(), actor.ID)
		if err := tx.Create(&c).Error; err != nil {
			return fmt.Errorf("create candidate: %w", err)
		}
		if err := audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "candidate.create", Entity: "candidate", EntityID: c.ID, After: c.journal()}); err != nil {
			return err
		}
		if in.CohortID == "" {
			return nil
		}
		return s.addMember(tx, actor, co, c)
	})
	return c, err
}

// Get returns a candidate the caller may see; anything else is "not found"
// (a candidate sees only their own record, a trainer the trainees of their
// cohorts).
func (s *Service) Get(ctx context.Context, actor auth.User, id string) (Candidate, error) {
	ok, err := s.CanSee(ctx, actor, id)
	if err != nil {
		return Candidate{}, err
	}
	if !ok {
		return Candidate{}, notFound()
	}
	var c Candidate
	err = s.db.WithContext(ctx).Where("id = ?", id).Take(&c).Error
	if database.IsNotFound(err) {
		return c, notFound()
	}
	if err != nil {
		return c, fmt.Errorf("get candidate %s: %w", id, err)
	}
	return c, nil
}

// CanSee tells whether actor may see the candidate record id (and what hangs
// from it: enrollments, components, documents). Administrators see every
// record; a trainer, the trainees of their cohorts and those they recorded;
// a candidate, their own; a VAE support person, the candidates they support. It does not say whether the record exists.
func (s *Service) CanSee(ctx context.Context, actor auth.User, candidateID string) (bool, error) {
	switch actor.Role {
	case auth.RoleAdmin:
		return true, nil
	case auth.RoleCandidate:
		return actor.CandidateID != nil && *actor.CandidateID == candidateID, nil
	case auth.RoleSupport, auth.RoleJury:
		// A VAE support person reads the record of the candidates they
		// support (a jury member may be one, for other candidates).
		for _, sp := range s.supporters {
			ok, err := sp.Supports(ctx, actor.ID, candidateID)
			if err != nil {
				return false, fmt.Errorf("can see candidate %s: %w", candidateID, err)
			}
			if ok {
				return true, nil
			}
		}
		return false, nil
	case auth.RoleTrainer:
		var n int64
		err := s.db.WithContext(ctx).Model(&Candidate{}).
			Where("id = ? AND (created_by = ? OR id IN (?))", candidateID, actor.ID, trainerCandidates(s.db, actor.ID)).
			Count(&n).Error
		if err != nil {
			return false, fmt.Errorf("can see candidate %s: %w", candidateID, err)
		}
		return n > 0, nil
	}
	return false, nil
}

// VisibleIDs is the sub-query of the candidate ids actor may see, for the
// features that list records hanging from candidates (training attempts):
// the same rule as CanSee, as SQL. Nil means every candidate (administrators).
func VisibleIDs(db *gorm.DB, actor auth.User) *gorm.DB {
	switch actor.Role {
	case auth.RoleAdmin:
		return nil
	case auth.RoleCandidate:
		id := ""
		if actor.CandidateID != nil {
			id = *actor.CandidateID
		}
		return db.Session(&gorm.Session{NewDB: true}).Model(&Candidate{}).Select("id").Where("id = ?", id)
	case auth.RoleTrainer:
		return db.Session(&gorm.Session{NewDB: true}).Raw(`SELECT m.candidate_id FROM cohort_members m
			JOIN cohort_trainers t ON t.cohort_id = m.cohort_id WHERE t.user_id = ?
			UNION SELECT id FROM candidates WHERE created_by = ?`, actor.ID, actor.ID)
	}
	return db.Session(&gorm.Session{NewDB: true}).Model(&Candidate{}).Select("id").Where("1 = 0")
}

// trainerCandidates is the sub-query of the trainees in the trainer's cohorts.
func trainerCandidates(db *gorm.DB, trainerID string) *gorm.DB {
	return db.Table("cohort_members AS m").Select("m.candidate_id").
		Joins("JOIN cohort_trainers t ON t.cohort_id = m.cohort_id").Where("t.user_id = ?", trainerID)
}

// ListQuery selects a page of candidates.
type ListQuery struct {
	Q        string // words searched in names, email and employer
	CohortID string // only the members of this cohort
	After    string // the last id of the previous page
	Limit    int
}

// List returns the page of candidates the actor may see that match the query,
// in id order after the cursor, and the cursor of the next page ("" at the
// end). Ids are UUIDv7, so id order is creation order: a page never moves
// when rows are added, and the query walks the primary key, never OFFSET.
func (s *Service) List(ctx context.Context, actor auth.User, q ListQuery) ([]Candidate, string, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	tx := s.db.WithContext(ctx).Order("id").Limit(q.Limit + 1)
	for _, w := range strings.Fields(q.Q) {
		// A whole email address is looked up by its index: as a substring it
		// would make the trigram index intersect the posting lists of
		// "exa", "mpl", ".fr"…, which hold nearly every row.
		if looksLikeEmail(w) {
			tx = tx.Where("email = ?", auth.NormaliseEmail(w))
			continue
		}
		tx = matchText(tx, "search", w)
	}
	if q.After != "" {
		tx = tx.Where("id > ?", q.After)
	}
	if q.CohortID != "" {
		tx = tx.Where("id IN (?)", s.db.Table("cohort_members").Select("candidate_id").Where("cohort_id = ?", q.CohortID))
	}
	switch actor.Role {
	case auth.RoleAdmin:
	case auth.RoleTrainer:
		// Two index lookups joined by UNION, rather than an OR that would
		// make PostgreSQL scan the whole table for a trainer's few trainees.
		tx = tx.Where("id IN (?)", s.db.Raw(`SELECT m.candidate_id FROM cohort_members m
			JOIN cohort_trainers t ON t.cohort_id = m.cohort_id WHERE t.user_id = ?
			UNION SELECT id FROM candidates WHERE created_by = ?`, actor.ID, actor.ID))
	default:
		return nil, "", httpx.Forbidden("Votre rôle ne permet pas cette action.", "Your role does not allow this action.")
	}
	var cs []Candidate
	find := func(tx *gorm.DB) error { return tx.Find(&cs).Error }
	if q.Q != "" && !database.IsSQLite(s.db) {
		// pgx prepares statements; after five runs PostgreSQL may keep a
		// generic plan that cannot see how common a LIKE pattern is, and
		// then fetches every row of a frequent word through the trigram
		// index and sorts them (seconds at a million rows) instead of walking
		// the primary key. A plan per query costs a fraction of a millisecond.
		find = func(q *gorm.DB) error {
			return q.Transaction(func(tx *gorm.DB) error {
				if err := tx.Exec("SET LOCAL plan_cache_mode = force_custom_plan").Error; err != nil {
					return err
				}
				return tx.Find(&cs).Error
			})
		}
	}
	if err := find(tx); err != nil {
		return nil, "", fmt.Errorf("list candidates: %w", err)
	}
	next := ""
	if len(cs) > q.Limit {
		cs = cs[:q.Limit]
		next = cs[q.Limit-1].ID
	}
	return cs, next, nil
}

// looksLikeEmail tells a whole address ("a.b@example.fr") from a word.
func looksLikeEmail(w string) bool {
	at := strings.IndexByte(w, '@')
	return at > 0 && strings.Contains(w[at+1:], ".") && !strings.HasSuffix(w, ".")
}

// matchText keeps the rows whose folded search column (a candidate's
// search text) contains every word of q, accents and case ignored.
func matchText(tx *gorm.DB, column, q string) *gorm.DB {
	like := column + " LIKE ?"
	if database.IsSQLite(tx) {
		like += ` ESCAPE '\'` // PostgreSQL's default escape is already the backslash
	}
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	for _, f := range strings.Fields(Fold(q)) {
		tx = tx.Where(like, "%"+esc.Replace(f)+"%")
	}
	return tx
}

// CandidatePatch is a partial update (PATCH): only the fields given change.
// The merged record is validated as a NewCandidate.
type CandidatePatch struct {
	FirstName            *string     `json:"first_name"`
	LastName             *string     `json:"last_name"`
	BirthDate            *civil.Date `json:"birth_date"`
	Email                *string     `json:"email"`
	Employer             *string     `json:"employer"`
	TrainingOrganisation *string     `json:"training_organisation"`
	Sex                  *string     `json:"sex"`
	BirthName            *string     `json:"birth_name"`
	UsageName            *string     `json:"usage_name"`
	BirthPlace           *string     `json:"birth_place"`
	BirthPlaceINSEE      *string     `json:"birth_place_insee"`
	BirthPostalCode      *string     `json:"birth_postal_code"`
	BirthCountry         *string     `json:"birth_country"`
}

// Full is the patch that replaces every field (PUT).
func (in NewCandidate) Full() CandidatePatch {
	return CandidatePatch{FirstName: &in.FirstName, LastName: &in.LastName, BirthDate: &in.BirthDate,
		Email: &in.Email, Employer: &in.Employer, TrainingOrganisation: &in.TrainingOrganisation,
		Sex: &in.Sex, BirthName: &in.BirthName, UsageName: &in.UsageName, BirthPlace: &in.BirthPlace,
		BirthPlaceINSEE: &in.BirthPlaceINSEE, BirthPostalCode: &in.BirthPostalCode, BirthCountry: &in.BirthCountry}
}

// Update changes a candidate record the actor may see, audited with the
// record before and after. A pseudonymised record is frozen.
func (s *Service) Update(ctx context.Context, actor auth.User, id string, p CandidatePatch) (Candidate, error) {
	if ok, err := s.CanSee(ctx, actor, id); err != nil || !ok {
		if err == nil {
			err = notFound()
		}
		return Candidate{}, err
	}
	var after Candidate
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var before Candidate
		err := tx.Where("id = ?", id).Take(&before).Error
		if database.IsNotFound(err) {
			return notFound()
		}
		if err != nil {
			return fmt.Errorf("update candidate %s: %w", id, err)
		}
		if before.PseudonymisedAt != nil {
			return httpx.Conflict("pseudonymised", "Ce dossier a été pseudonymisé : il ne peut plus être modifié.",
				"This record has been pseudonymised: it can no longer be changed.")
		}
		in := NewCandidate{FirstName: before.FirstName, LastName: before.LastName, BirthDate: before.BirthDate,
			Email: before.Email, Employer: before.Employer, TrainingOrganisation: before.TrainingOrganisation,
			Identity: before.Identity}
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		set(&in.FirstName, p.FirstName)
		set(&in.LastName, p.LastName)
		set(&in.Email, p.Email)
		set(&in.Employer, p.Employer)
		set(&in.TrainingOrganisation, p.TrainingOrganisation)
		set(&in.Sex, p.Sex)
		set(&in.BirthName, p.BirthName)
		set(&in.UsageName, p.UsageName)
		set(&in.BirthPlace, p.BirthPlace)
		set(&in.BirthPlaceINSEE, p.BirthPlaceINSEE)
		set(&in.BirthPostalCode, p.BirthPostalCode)
		set(&in.BirthCountry, p.BirthCountry)
		if p.BirthDate != nil {
			in.BirthDate = *p.BirthDate
		}
		in.Identity = in.Identity.clean() // "f" is F, "2a004" is 2A004
		if err := s.validate.Validate(in); err != nil {
			return err
		}
		if fs := in.check(s.today(), ""); len(fs) > 0 {
			return httpx.Invalid(fs...)
		}
		after = in.record(before.ID, before.CreatedBy)
		after.CreatedAt, after.PseudonymisedAt = before.CreatedAt, before.PseudonymisedAt
		res := tx.Model(&Candidate{}).Where("id = ?", id).Updates(map[string]any{
			"first_name": after.FirstName, "last_name": after.LastName, "birth_date": after.BirthDate,
			"email": after.Email, "employer": after.Employer, "training_organisation": after.TrainingOrganisation,
			"search": after.Search, "updated_at": s.now().UTC(),
			"sex": after.Sex, "birth_name": after.BirthName, "usage_name": after.UsageName, "birth_place": after.BirthPlace,
			"birth_place_insee": after.BirthPlaceINSEE, "birth_postal_code": after.BirthPostalCode, "birth_country": after.BirthCountry,
		})
		if res.Error != nil {
			return fmt.Errorf("update candidate %s: %w", id, res.Error)
		}
		if err := tx.Where("id = ?", id).Take(&after).Error; err != nil {
			return fmt.Errorf("update candidate %s: %w", id, err)
		}
		jb, ja := journalChange(before, after)
		return audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "candidate.update", Entity: "candidate",
			EntityID: id, Before: jb, After: ja})
	})
	return after, err
}

// Exists is the auth.CandidateLinker: a candidate account may only be linked
// to an existing record.
func Exists(tx *gorm.DB, id string) (bool, error) {
	var n int64
	if err := tx.Model(&Candidate{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return false, err
	}
	return n > 0, nil
}
