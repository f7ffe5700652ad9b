package vae

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/blobs"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/platform/messages"
	"github.com/ancr/cqp/internal/referential"
	"gorm.io/gorm"
)

// Referential is what VAE reads from the referential.
type Referential interface {
	Certification(code string) (referential.Certification, bool)
}

// Examiners tells whether a user sits on a jury. The jury feature's panels
// satisfy it (jury.Panels, given at construction); without it only the
// owner and administrators reach a dossier.
type Examiners interface {
	// Examines: userID sits on juryID and is not excluded for a conflict
	// of interest with candidateID.
	Examines(ctx context.Context, userID, juryID, candidateID string) (bool, error)
}

// Service is the VAE feature.
type Service struct {
	db          *gorm.DB
	now         func() time.Time
	ref         Referential
	blobs       *blobs.Refs
	uploadLimit int64
	maxDocs     int
	maxBytes    int64
	examiners   Examiners
	outbox      *messages.Outbox
}

// Options is what the service is built with.
type Options struct {
	DB          *gorm.DB
	Now         func() time.Time
	Referential Referential
	// Blobs keeps the documents' bytes, counted per document row.
	Blobs       *blobs.Refs
	UploadLimit int64 // largest document accepted, in bytes
	// A dossier's quota: documents and their total size.
	MaxDocuments int
	MaxBytes     int64
	// Outbox tells candidates of admissibility decisions, written in the
	// decision's transaction; nil sends nothing.
	Outbox *messages.Outbox
	// Examiners says who sits on the jury a dossier was handed to.
	Examiners Examiners
}

// NewService builds the service.
func NewService(o Options) *Service {
	if o.UploadLimit <= 0 {
		o.UploadLimit = 10 << 20
	}
	if o.MaxDocuments <= 0 {
		o.MaxDocuments = 60
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 200 << 20
	}
	return &Service{db: o.DB, now: o.Now, ref: o.Referential, blobs: o.Blobs, uploadLimit: o.UploadLimit,
		maxDocs: o.MaxDocuments, maxBytes: o.MaxBytes, outbox: o.Outbox, examiners: o.Examiners}
}

// UploadLimit is the largest document accepted, in bytes.
func (s *Service) UploadLimit() int64 { return s.uploadLimit }

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func notFound() error { return httpx.NotFound("Dossier VAE introuvable.", "VAE dossier not found.") }

func frozen(d Dossier) error {
	if d.Status == StatusRequested {
		return httpx.Conflict("not_admissible_yet",
			"La recevabilité de la demande n'a pas encore été décidée : le dossier ne peut pas encore être constitué.",
			"Admissibility has not been decided yet: the dossier cannot be built yet.")
	}
	return httpx.Conflict("dossier_locked",
		"Le dossier n'est plus modifiable (statut « "+statusFR(d.Status)+" »).",
		"The dossier can no longer be changed (status "+d.Status+").")
}

func statusFR(s string) string {
	switch s {
	case StatusRequested:
		return "demande déposée"
	case StatusAdmissible:
		return "recevable"
	case StatusInadmissible:
		return "non recevable"
	case StatusSubmitted:
		return "déposé"
	case StatusLocked:
		return "verrouillé"
	case StatusWithJury:
		return "transmis au jury"
	}
	return s
}

// access says what actor may do with d: see it (owner, administrators, its
// support person, and members of the jury it was handed to), and change it
// (owner and administrators). Whoever may not see it gets 404, as if it did not exist.
func (s *Service) canSee(ctx context.Context, actor auth.User, d Dossier) (bool, error) {
	switch actor.Role {
	case auth.RoleAdmin:
		return true, nil
	case auth.RoleCandidate:
		return actor.CandidateID != nil && *actor.CandidateID == d.CandidateID, nil
	case auth.RoleSupport:
		return supports(actor, d), nil
	case auth.RoleJury:
		if supports(actor, d) {
			return true, nil
		}
		if d.JuryID == nil || s.examiners == nil {
			return false, nil
		}
		ok, err := s.examiners.Examines(ctx, actor.ID, *d.JuryID, d.CandidateID)
		if err != nil {
			return false, fmt.Errorf("vae dossier %s: jury access: %w", d.ID, err)
		}
		return ok, nil
	}
	return false, nil
}

func canEdit(actor auth.User, d Dossier) bool {
	return actor.Role == auth.RoleAdmin ||
		(actor.Role == auth.RoleCandidate && actor.CandidateID != nil && *actor.CandidateID == d.CandidateID)
}

// load reads a dossier the actor may see.
func (s *Service) load(ctx context.Context, db *gorm.DB, actor auth.User, id string) (Dossier, error) {
	var d Dossier
	err := db.Where("id = ?", id).Take(&d).Error
	if database.IsNotFound(err) {
		return d, notFound()
	}
	if err != nil {
		return d, fmt.Errorf("vae dossier %s: %w", id, err)
	}
	ok, err := s.canSee(ctx, actor, d)
	if err != nil {
		return d, err
	}
	if !ok {
		return d, notFound()
	}
	return d, nil
}

// loadForEdit reads a dossier inside tx and claims it for a change of its
// content: the conditional UPDATE takes the row's write lock on PostgreSQL,
// so a concurrent submission waits for this change (or this change sees the
// submission and is refused); SQLite's single writer does the same.
func (s *Service) loadForEdit(ctx context.Context, tx *gorm.DB, actor auth.User, id string, statuses ...string) (Dossier, error) {
	if len(statuses) == 0 {
		statuses = []string{StatusAdmissible}
	}
	d, err := s.load(ctx, tx, actor, id)
	if err != nil {
		return d, err
	}
	if !canEdit(actor, d) {
		return d, httpx.Forbidden("Seul le candidat ou un administrateur modifie ce dossier.",
			"Only the candidate or an administrator changes this dossier.")
	}
	now := s.stamp()
	res := tx.Model(&Dossier{}).Where("id = ? AND status IN ?", id, statuses).Update("updated_at", now)
	if res.Error != nil {
		return d, fmt.Errorf("vae dossier %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		if err := tx.Where("id = ?", id).Take(&d).Error; err != nil {
			return d, fmt.Errorf("vae dossier %s: %w", id, err)
		}
		return d, frozen(d)
	}
	d.UpdatedAt = now
	return d, nil
}

// record writes one timeline step and its audit row, inside tx.
// recordStep reads the dossier again after a step changed it (into d) and
// journals the step with the dossier before and after.
func (s *Service) recordStep(tx *gorm.DB, actor auth.User, id, action, label, detail string, before Dossier, d *Dossier) error {
	*d = Dossier{} // a column set to NULL would not reset a pointer already set
	if err := tx.Where("id = ?", id).Take(d).Error; err != nil {
		return fmt.Errorf("vae %s %s: %w", action, id, err)
	}
	return s.record(tx, actor, *d, action, label, detail, "vae_dossier", id, before, *d)
}

func (s *Service) record(tx *gorm.DB, actor auth.User, d Dossier, action, label, detail string, entity, entityID string, before, after any) error {
	return s.recordAt(tx, s.stamp(), actor, d, action, label, detail, entity, entityID, before, after)
}

// recordAt is record with the step dated at (an implicit acceptance is dated
// the day it took effect, whenever the platform notices it); the audit row
// is dated now, as the journal is kept in the order it is written.
func (s *Service) recordAt(tx *gorm.DB, at time.Time, actor auth.User, d Dossier, action, label, detail string, entity, entityID string, before, after any) error {
	ev := Event{ID: database.NewID(), DossierID: d.ID, At: at, ActorID: actor.ID, ActorRole: actor.Role,
		Action: action, Label: label, Detail: detail}
	if err := tx.Create(&ev).Error; err != nil {
		return fmt.Errorf("vae %s: timeline: %w", action, err)
	}
	jb, ja := journalViews(before, after)
	return audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: action, Entity: entity, EntityID: entityID, Before: jb, After: ja})
}

// personalText are the fields where a candidate writes about themselves
// (motivation, employers, activities, documents' names) or someone writes
// about them. The audit journal, which can never be edited, keeps which
// of them changed, never their text: pseudonymisation erases the text
// from the records, and nothing of it must survive in the journal.
var personalText = map[string]bool{"motivation": true, "admissibility_note": true, "employer": true, "role": true,
	"activities": true, "title": true, "file_name": true, "body": true, "text": true, "opinion": true,
	"comment": true, "detail": true, "missing_pieces": true, "note": true, "reason": true}

// journalViews reduces a change's before and after to what the journal
// may keep: every field but the personal text ones, which are named in
// "changed" when they differ.
func journalViews(before, after any) (any, any) {
	b, a := toMap(before), toMap(after)
	var changed []string
	for k := range personalText {
		bv, inB := b[k]
		av, inA := a[k]
		if (inB || inA) && fmt.Sprint(bv) != fmt.Sprint(av) {
			changed = append(changed, k)
		}
		delete(b, k)
		delete(a, k)
	}
	slices.Sort(changed)
	if a != nil && len(changed) > 0 {
		a["changed"] = changed
	}
	if b == nil && before != nil {
		return before, a
	}
	if a == nil && after != nil {
		return b, after
	}
	return nilIfEmpty(b), nilIfEmpty(a)
}

func nilIfEmpty(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

// toMap is v as JSON's object, nil when v is nil or not an object.
func toMap(v any) map[string]any {
	if v == nil {
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// NewRequest opens a VAE request: the certification aimed at, the
// candidate's motivation, the activity they declare (information only: the
// law sets no minimum) and, optionally, their experiences at once.
type NewRequest struct {
	// CandidateID is for an administrator opening a request on a
	// candidate's behalf; a candidate's own request leaves it empty.
	CandidateID    string `json:"candidate_id" validate:"omitempty,max=36"`
	Certification  string `json:"certification" validate:"required,max=60"`
	Motivation     string `json:"motivation" validate:"max=5000"`
	ActivityMonths int    `json:"activity_months" validate:"min=0,max=600"`
	// ReceivedOn is for an administrator recording a request received on
	// paper: the day it arrived (today when empty).
	ReceivedOn  civil.Date        `json:"received_on"`
	Experiences []ExperienceInput `json:"experiences" validate:"max=50,dive"`
}

// limitProblem is the refusal of a request over a yearly limit.
func limitProblem(which string, year int) error {
	if which == LimitSameCertification {
		return httpx.Unprocessable("vae_yearly_limit",
			fmt.Sprintf("Une seule demande de VAE par certification et par année civile : le candidat en a déjà déposé une pour cette certification en %d (une demande refusée compte aussi).", year),
			fmt.Sprintf("One VAE request per certification and calendar year: the candidate already filed one for this certification in %d (a refused request counts too).", year),
			httpx.Field("certification", "Déjà demandée cette année.", "Already requested this year."))
	}
	return httpx.Unprocessable("vae_yearly_limit",
		fmt.Sprintf("Au plus trois demandes de VAE pour des certifications différentes par année civile : le candidat en a déjà déposé trois en %d.", year),
		fmt.Sprintf("At most three VAE requests for different certifications per calendar year: the candidate already filed three in %d.", year),
		httpx.Field("certification", "Limite annuelle atteinte.", "Yearly limit reached."))
}

// Open records a candidate's VAE request for a certification: complete on
// the day it is received, so that the two months of the decision start then.
func (s *Service) Open(ctx context.Context, actor auth.User, in NewRequest) (Dossier, error) {
	today := civil.Of(s.now().UTC())
	var fs []httpx.FieldError
	switch actor.Role {
	case auth.RoleCandidate:
		if actor.CandidateID == nil {
			return Dossier{}, httpx.Forbidden("Ce compte n'est lié à aucun candidat.", "This account is linked to no candidate.")
		}
		if in.CandidateID != "" && in.CandidateID != *actor.CandidateID {
			fs = append(fs, httpx.Field("candidate_id", "Un candidat ne dépose une demande que pour lui-même.",
				"A candidate files a request for themself only."))
		}
		if !in.ReceivedOn.IsZero() {
			fs = append(fs, httpx.Field("received_on", "La date de réception est enregistrée par l'administration.",
				"The reception date is recorded by the administration."))
		}
		in.CandidateID = *actor.CandidateID
	case auth.RoleAdmin:
		if in.CandidateID == "" {
			fs = append(fs, httpx.Field("candidate_id", "Le candidat est obligatoire.", "The candidate is required."))
		}
	default:
		return Dossier{}, httpx.Forbidden("Votre rôle ne permet pas cette action.", "Your role does not allow this action.")
	}
	if in.ReceivedOn.IsZero() {
		in.ReceivedOn = today
	}
	switch {
	case in.ReceivedOn.After(today):
		fs = append(fs, httpx.Field("received_on", "La date de réception ne peut pas être dans le futur.", "The reception date cannot be in the future."))
	case in.ReceivedOn.Year < 2002: // VAE exists since the loi de modernisation sociale of 2002
		fs = append(fs, httpx.Field("received_on", "Date de réception invraisemblable.", "Implausible reception date."))
	}
	cert, ok := s.ref.Certification(in.Certification)
	if !ok {
		fs = append(fs, httpx.Field("certification", "Certification inconnue.", "Unknown certification."))
	} else {
		probe := Dossier{Certification: cert.Code}
		for i, e := range in.Experiences {
			fs = append(fs, prefixed(fmt.Sprintf("experiences[%d].", i), s.experienceProblems(probe, e))...)
		}
	}
	if len(fs) > 0 {
		return Dossier{}, httpx.Invalid(fs...)
	}
	if !cert.Pathways.Has("vae") {
		return Dossier{}, httpx.Unprocessable("pathway_closed", "La VAE n'est pas ouverte pour cette certification.",
			"VAE is not open for this certification.", httpx.Field("certification", "VAE fermée.", "VAE closed."))
	}
	now := s.stamp()
	complete, deadline := in.ReceivedOn, Deadline(in.ReceivedOn)
	d := Dossier{ID: database.NewID(), CandidateID: in.CandidateID, Certification: cert.Code, Status: StatusRequested,
		Motivation: strings.TrimSpace(in.Motivation), ActivityMonths: in.ActivityMonths, RequestedAt: now, RequestedBy: actor.ID,
		ReceivedOn: in.ReceivedOn, CompleteOn: &complete, AdmissibilityDeadline: &deadline, MissingPieces: referential.StringList{},
		CreatedAt: now, UpdatedAt: now}
	already := httpx.Conflict("conflict", "Une demande de VAE est déjà en cours pour cette certification.",
		"A VAE request is already open for this certification.")
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		found, err := candidates.Exists(tx, in.CandidateID)
		if err != nil {
			return fmt.Errorf("vae request: %w", err)
		}
		if !found {
			return httpx.Invalid(httpx.Field("candidate_id", "Candidat inconnu.", "Unknown candidate."))
		}
		// The yearly limits count the candidate's requests: two filed at the
		// same moment must not both pass them. SQLite's single writer already
		// serialises this transaction; PostgreSQL locks the candidate's row.
		if err := candidates.Lock(tx, in.CandidateID); err != nil {
			return fmt.Errorf("vae request: %w", err)
		}
		var filed []Filed
		if err := tx.Model(&Dossier{}).Select("certification, received_on").Where("candidate_id = ?", in.CandidateID).
			Scan(&filed).Error; err != nil {
			return fmt.Errorf("vae request: %w", err)
		}
		var n int64
		if err := tx.Model(&Dossier{}).Where("candidate_id = ? AND certification = ? AND status <> ?", in.CandidateID, cert.Code, StatusInadmissible).
			Count(&n).Error; err != nil {
			return fmt.Errorf("vae request: %w", err)
		}
		if n > 0 {
			return already
		}
		if which := YearlyLimit(filed, cert.Code, in.ReceivedOn); which != "" {
			return limitProblem(which, in.ReceivedOn.Year)
		}
		if err := tx.Create(&d).Error; err != nil {
			if database.IsDuplicate(err) {
				return already
			}
			return fmt.Errorf("vae request: %w", err)
		}
		label := "Demande de VAE déposée pour le " + cert.Title + "."
		if actor.Role == auth.RoleAdmin {
			label = "Demande de VAE pour le " + cert.Title + " reçue le " + in.ReceivedOn.Numeric() + ", enregistrée par l'administration."
		}
		// A request received earlier (on paper) stands on the timeline on
		// the day it was received.
		at := now
		if in.ReceivedOn.Before(today) {
			at = in.ReceivedOn.Time()
		}
		if err := s.recordAt(tx, at, actor, d, "vae.request", label,
			"Décision due au plus tard le "+deadline.Numeric()+" ; à défaut, la demande sera recevable.", "vae_dossier", d.ID, nil, d); err != nil {
			return err
		}
		for _, e := range in.Experiences {
			x := Experience{ID: database.NewID(), DossierID: d.ID}
			e.apply(&x)
			if err := tx.Create(&x).Error; err != nil {
				return fmt.Errorf("vae request: experience: %w", err)
			}
			if err := s.record(tx, actor, d, "vae.experience.add", "Expérience ajoutée : "+x.Role+" chez "+x.Employer+".", "", "vae_experience", x.ID, nil, x); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Dossier{}, err
	}
	return d, s.fill(s.db.WithContext(ctx), &d)
}

// prefixed names field errors inside a list item.
func prefixed(prefix string, fs []httpx.FieldError) []httpx.FieldError {
	for i := range fs {
		fs[i].Field = prefix + fs[i].Field
	}
	return fs
}

// Get returns a dossier with its experiences and documents.
func (s *Service) Get(ctx context.Context, actor auth.User, id string) (Dossier, error) {
	if err := s.settle(ctx); err != nil {
		return Dossier{}, err
	}
	db := s.db.WithContext(ctx)
	d, err := s.load(ctx, db, actor, id)
	if err != nil {
		return d, err
	}
	return d, s.fill(db, &d)
}

func (s *Service) fill(db *gorm.DB, d *Dossier) error {
	s.derive(d)
	d.Experiences, d.Documents = []Experience{}, []Document{}
	if err := db.Where("dossier_id = ?", d.ID).Order("starts_on, id").Find(&d.Experiences).Error; err != nil {
		return fmt.Errorf("vae dossier %s: experiences: %w", d.ID, err)
	}
	if err := db.Where("dossier_id = ?", d.ID).Order("id").Find(&d.Documents).Error; err != nil {
		return fmt.Errorf("vae dossier %s: documents: %w", d.ID, err)
	}
	return nil
}

// derive sets what a dossier shows but does not store: whether its
// certification had a registry entry in force on the day it was received.
func (s *Service) derive(d *Dossier) {
	if d.MissingPieces == nil {
		d.MissingPieces = referential.StringList{}
	}
	d.RegistrationInForce = false
	if cert, ok := s.ref.Certification(d.Certification); ok {
		for _, r := range cert.Registrations {
			if r.Covers(d.ReceivedOn) {
				d.RegistrationInForce = true
			}
		}
	}
}

// ListQuery selects dossiers.
type ListQuery struct {
	Status      string
	CandidateID string
	After       string
	Limit       int
}

// List returns the dossiers the actor may see, in id order after the cursor:
// all for an administrator, their own for a candidate, those handed to their
// juries for a jury member (through Examiners, one check per row: juries
// examine a handful of dossiers).
func (s *Service) List(ctx context.Context, actor auth.User, q ListQuery) ([]Dossier, string, error) {
	if err := s.settle(ctx); err != nil {
		return nil, "", err
	}
	tx := s.db.WithContext(ctx).Order("id").Limit(q.Limit + 1)
	if q.After != "" {
		tx = tx.Where("id > ?", q.After)
	}
	if q.Status != "" {
		tx = tx.Where("status = ?", q.Status)
	}
	if q.CandidateID != "" {
		tx = tx.Where("candidate_id = ?", q.CandidateID)
	}
	switch actor.Role {
	case auth.RoleAdmin:
	case auth.RoleCandidate:
		if actor.CandidateID == nil {
			return []Dossier{}, "", nil
		}
		tx = tx.Where("candidate_id = ?", *actor.CandidateID)
	case auth.RoleJury:
		tx = tx.Where("jury_id IS NOT NULL OR support_user_id = ?", actor.ID)
	case auth.RoleSupport:
		tx = tx.Where("support_user_id = ?", actor.ID)
	default:
		return nil, "", httpx.Forbidden("Votre rôle ne permet pas cette action.", "Your role does not allow this action.")
	}
	var ds []Dossier
	if err := tx.Find(&ds).Error; err != nil {
		return nil, "", fmt.Errorf("list vae dossiers: %w", err)
	}
	next := ""
	if len(ds) > q.Limit {
		ds = ds[:q.Limit]
		next = ds[q.Limit-1].ID
	}
	out := ds[:0]
	for _, d := range ds {
		ok, err := s.canSee(ctx, actor, d)
		if err != nil {
			return nil, "", err
		}
		if ok {
			s.derive(&d)
			out = append(out, d)
		}
	}
	return out, next, nil
}

// AdmissibilityDecision is the administrator's decision on a request: the
// two criteria of docs/domain.md §4 checked, a reason when refused, the
// recommendations that go with it, and how long an admissibility stays valid.
type AdmissibilityDecision struct {
	Decision string `json:"decision" validate:"required,oneof=admissible inadmissible"`
	Criteria struct {
		// OneYearActivity is the criterion the 2022 law removed: a client
		// that still sends it is not refused, and it is not read.
		OneYearActivity          *bool `json:"one_year_activity,omitempty"`
		RelatedToCertification   *bool `json:"related_to_certification" validate:"required"`
		DocumentedByTheCandidate *bool `json:"documented" validate:"required"`
	} `json:"criteria"`
	Reason          string `json:"reason" validate:"max=5000"`
	Recommendations string `json:"recommendations" validate:"max=5000"`
	// ValidUntil is the last day the admissibility is valid (admissible
	// only); ValidityYears after the decision when empty.
	ValidUntil civil.Date `json:"valid_until"`
}

// DecideAdmissibility records the recevabilité: admissible only when both
// criteria are met; a refusal always says why. A request already admissible
// by the certifier's silence cannot be decided again (409).
func (s *Service) DecideAdmissibility(ctx context.Context, actor auth.User, id string, in AdmissibilityDecision) (Dossier, error) {
	if actor.Role != auth.RoleAdmin {
		return Dossier{}, httpx.Forbidden("Seul un administrateur décide de la recevabilité.", "Only an administrator decides admissibility.")
	}
	today := civil.Of(s.now().UTC())
	c := in.Criteria
	allMet := *c.RelatedToCertification && *c.DocumentedByTheCandidate
	in.Reason, in.Recommendations = strings.TrimSpace(in.Reason), strings.TrimSpace(in.Recommendations)
	var fs []httpx.FieldError
	switch {
	case in.Decision == StatusAdmissible && !allMet:
		return Dossier{}, httpx.Unprocessable("criteria_not_met",
			"La demande ne peut être déclarée recevable que si les deux critères sont remplis : une activité en rapport direct avec la certification, et justifiée.",
			"A request is admissible only when both criteria are met: activity directly related to the certification, and documented.",
			httpx.Field("criteria", "Critère non rempli.", "Criterion not met."))
	case in.Decision == StatusInadmissible && in.Reason == "":
		fs = append(fs, httpx.Field("reason", "Le motif du refus est obligatoire.", "The reason for the refusal is required."))
	}
	var until *civil.Date
	if in.Decision == StatusAdmissible {
		u := today.AddYears(ValidityYears)
		if !in.ValidUntil.IsZero() {
			u = in.ValidUntil
			if !u.After(today) || u.After(today.AddYears(10)) {
				fs = append(fs, httpx.Field("valid_until", "La fin de validité doit être postérieure à aujourd'hui, dans les dix ans.",
					"The end of validity must be after today, within ten years."))
			}
		}
		until = &u
	}
	if len(fs) > 0 {
		return Dossier{}, httpx.Invalid(fs...)
	}
	if err := s.settle(ctx); err != nil {
		return Dossier{}, err
	}
	var untilCol any // a typed nil would not reach the driver as NULL
	if until != nil {
		untilCol = *until
	}
	var d Dossier
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		if d, err = s.load(ctx, tx, actor, id); err != nil {
			return err
		}
		before := d
		now := s.stamp()
		res := tx.Model(&Dossier{}).Where("id = ? AND status = ?", id, StatusRequested).Updates(map[string]any{
			"status": in.Decision, "crit_related": *c.RelatedToCertification,
			"crit_documented": *c.DocumentedByTheCandidate, "admissibility_note": in.Reason, "recommendations": in.Recommendations,
			"admissible_until": untilCol, "decided_at": now, "decided_by": actor.ID, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("vae admissibility %s: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			if d.AdmissibilityImplicit && d.DecidedAt != nil {
				return httpx.Conflict("already_decided",
					"La demande est déjà recevable : l'administration n'a pas répondu dans les deux mois, elle a été acceptée implicitement le "+
						(civil.Of(*d.DecidedAt)).Numeric()+".",
					"The request is already admissible: the administration did not answer within two months, it was implicitly accepted on "+
						civil.Of(*d.DecidedAt).String()+".")
			}
			return httpx.Conflict("already_decided", "La recevabilité de cette demande a déjà été décidée.",
				"Admissibility of this request has already been decided.")
		}
		if err := tx.Where("id = ?", id).Take(&d).Error; err != nil {
			return fmt.Errorf("vae admissibility %s: %w", id, err)
		}
		label, detail := "Demande déclarée non recevable.", in.Reason
		if until != nil {
			label, detail = "Demande déclarée recevable, jusqu'au "+(*until).Numeric()+".", in.Recommendations
		}
		if err := s.notifyAdmissibility(tx, d); err != nil {
			return err
		}
		return s.record(tx, actor, d, "vae.admissibility."+in.Decision, label, detail, "vae_dossier", id, before, d)
	})
	if err != nil {
		return Dossier{}, err
	}
	return d, s.fill(s.db.WithContext(ctx), &d)
}

// notifyAdmissibility tells the candidate of the decision on their request
// (or of the acceptance by silence), once per request, in tx.
func (s *Service) notifyAdmissibility(tx *gorm.DB, d Dossier) error {
	if s.outbox == nil {
		return nil
	}
	to, ok, err := candidates.Recipient(tx, d.CandidateID)
	if err != nil || !ok {
		return err
	}
	title := d.Certification
	if c, ok := s.ref.Certification(d.Certification); ok {
		title = c.Title
	}
	_, _, err = s.outbox.Enqueue(tx, messages.Draft{Kind: messages.KindVAEAdmissibility, To: to,
		DedupeKey: "vae_admissibility:" + d.ID,
		Data: map[string]any{"Certification": title, "Admissible": d.Status == StatusAdmissible, "Implicit": d.AdmissibilityImplicit,
			"Until": d.AdmissibleUntil, "Reason": d.AdmissibilityNote, "Recommendations": d.Recommendations,
			"Deadline": d.AdmissibilityDeadline, "Account": to.UserID != ""}})
	return err
}

// system is who records what the law does by itself (an implicit acceptance).
var system = auth.User{ID: "system", Role: "system"}

// settle applies ApplyImplicitAdmissibility before a read, so that every
// answer tells the status the law gives the request today.
func (s *Service) settle(ctx context.Context) error {
	_, err := s.ApplyImplicitAdmissibility(ctx)
	return err
}

// ApplyImplicitAdmissibility declares admissible every request whose
// two-month deadline has passed with no decision (the certifier's silence is
// an acceptance, docs/domain.md §4): dated the day after the deadline, with
// its timeline step and audit row, and the default validity from that day.
// Each request is claimed by a conditional update, so that two replicas, or
// a repeated run, apply it once. It returns how many requests it accepted.
func (s *Service) ApplyImplicitAdmissibility(ctx context.Context) (int, error) {
	today := civil.Of(s.now().UTC())
	var due []Dossier
	if err := s.db.WithContext(ctx).Where("status = ? AND admissibility_deadline < ?", StatusRequested, today).
		Order("admissibility_deadline, id").Find(&due).Error; err != nil {
		return 0, fmt.Errorf("vae implicit admissibility: %w", err)
	}
	n := 0
	for _, d := range due {
		on := ImplicitOn(*d.AdmissibilityDeadline)
		until := on.AddYears(ValidityYears)
		at := on.Time()
		err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
			before := d
			res := tx.Model(&Dossier{}).Where("id = ? AND status = ?", d.ID, StatusRequested).Updates(map[string]any{
				"status": StatusAdmissible, "admissibility_implicit": true, "decided_at": at, "decided_by": system.ID,
				"admissible_until": until, "updated_at": s.stamp()})
			if res.Error != nil {
				return fmt.Errorf("vae implicit admissibility %s: %w", d.ID, res.Error)
			}
			if res.RowsAffected == 0 {
				return nil // decided, or applied by another replica, meanwhile
			}
			var after Dossier
			if err := tx.Where("id = ?", d.ID).Take(&after).Error; err != nil {
				return fmt.Errorf("vae implicit admissibility %s: %w", d.ID, err)
			}
			n++
			if err := s.notifyAdmissibility(tx, after); err != nil {
				return err
			}
			return s.recordAt(tx, at, system, after, "vae.admissibility.implicit",
				"Demande recevable : sans décision dans les deux mois (délai échu le "+(*d.AdmissibilityDeadline).Numeric()+"), le silence vaut acceptation.",
				"Recevabilité valable jusqu'au "+until.Numeric()+".", "vae_dossier", d.ID, before, after)
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// MissingPieces is what the administrator asks the candidate to add before
// the request is complete.
type MissingPieces struct {
	Pieces []string `json:"pieces" validate:"required,min=1,max=20,dive,required,max=300"`
}

// AskMissingPieces stops the two-month clock: the request is no longer
// complete until the candidate says the pieces are in (Complete).
func (s *Service) AskMissingPieces(ctx context.Context, actor auth.User, id string, in MissingPieces) (Dossier, error) {
	if actor.Role != auth.RoleAdmin {
		return Dossier{}, httpx.Forbidden("Seul un administrateur demande des pièces manquantes.", "Only an administrator asks for missing pieces.")
	}
	var pieces referential.StringList
	var fs []httpx.FieldError
	for i, p := range in.Pieces {
		if p = strings.TrimSpace(p); p == "" {
			fs = append(fs, httpx.Field(fmt.Sprintf("pieces[%d]", i), "Nommez la pièce manquante.", "Name the missing piece."))
			continue
		}
		pieces = append(pieces, p)
	}
	if len(fs) > 0 {
		return Dossier{}, httpx.Invalid(fs...)
	}
	if err := s.settle(ctx); err != nil {
		return Dossier{}, err
	}
	return s.step(ctx, actor, id, func(tx *gorm.DB, d Dossier, now time.Time) (map[string]any, string, string, error) {
		return map[string]any{"missing_pieces": pieces, "missing_asked_at": now, "complete_on": nil, "admissibility_deadline": nil},
			"Pièces manquantes demandées : le délai de deux mois est suspendu jusqu'à ce que la demande soit complète.",
			strings.Join(pieces, " ; "), nil
	}, "vae.missing_pieces")
}

// Complete says the missing pieces are in: the request is complete today,
// and the two months of the decision start again from today.
func (s *Service) Complete(ctx context.Context, actor auth.User, id string) (Dossier, error) {
	if err := s.settle(ctx); err != nil {
		return Dossier{}, err
	}
	return s.step(ctx, actor, id, func(tx *gorm.DB, d Dossier, now time.Time) (map[string]any, string, string, error) {
		if !canEdit(actor, d) {
			return nil, "", "", httpx.Forbidden("Seul le candidat ou un administrateur complète la demande.",
				"Only the candidate or an administrator completes the request.")
		}
		if d.CompleteOn != nil {
			return nil, "", "", httpx.Conflict("already_complete", "La demande est déjà complète : aucune pièce n'est attendue.",
				"The request is already complete: no piece is awaited.")
		}
		today := civil.Of(now)
		deadline := Deadline(today)
		return map[string]any{"missing_pieces": referential.StringList{}, "complete_on": today, "admissibility_deadline": deadline},
			"Demande complétée : la décision est due au plus tard le " + deadline.Numeric() + ".", strings.Join(d.MissingPieces, " ; "), nil
	}, "vae.complete")
}

// step changes a request awaiting its decision, in one transaction with its
// timeline step and audit row.
func (s *Service) step(ctx context.Context, actor auth.User, id string,
	change func(tx *gorm.DB, d Dossier, now time.Time) (set map[string]any, label, detail string, err error), action string) (Dossier, error) {
	var d Dossier
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		if d, err = s.load(ctx, tx, actor, id); err != nil {
			return err
		}
		if d.Status != StatusRequested {
			return httpx.Conflict("already_decided", "La recevabilité de cette demande a déjà été décidée.",
				"Admissibility of this request has already been decided.")
		}
		now := s.stamp()
		set, label, detail, err := change(tx, d, now)
		if err != nil {
			return err
		}
		set["updated_at"] = now
		before := d
		res := tx.Model(&Dossier{}).Where("id = ? AND status = ?", id, StatusRequested).Updates(set)
		if res.Error != nil {
			return fmt.Errorf("vae %s %s: %w", action, id, res.Error)
		}
		if res.RowsAffected == 0 {
			return httpx.Conflict("already_decided", "La recevabilité de cette demande a déjà été décidée.",
				"Admissibility of this request has already been decided.")
		}
		return s.recordStep(tx, actor, id, action, label, detail, before, &d)
	})
	if err != nil {
		return Dossier{}, err
	}
	return d, s.fill(s.db.WithContext(ctx), &d)
}

// ExperienceInput describes a period of activity.
type ExperienceInput struct {
	Employer   string     `json:"employer" validate:"required,max=200"`
	Role       string     `json:"role" validate:"required,max=200"`
	StartsOn   civil.Date `json:"starts_on" validate:"required"`
	EndsOn     civil.Date `json:"ends_on"`
	Activities string     `json:"activities" validate:"required,max=20000"`
	Components []string   `json:"components" validate:"required,min=1,max=20,dive,required,max=20"`
}

func (s *Service) checkExperience(d Dossier, in ExperienceInput) error {
	if fs := s.experienceProblems(d, in); len(fs) > 0 {
		return httpx.Invalid(fs...)
	}
	return nil
}

// experienceProblems lists what is wrong with an experience of d.
func (s *Service) experienceProblems(d Dossier, in ExperienceInput) []httpx.FieldError {
	var fs []httpx.FieldError
	if strings.TrimSpace(in.Employer) == "" {
		fs = append(fs, httpx.Field("employer", "L'employeur est obligatoire.", "The employer is required."))
	}
	if strings.TrimSpace(in.Role) == "" {
		fs = append(fs, httpx.Field("role", "L'emploi occupé est obligatoire.", "The role is required."))
	}
	if strings.TrimSpace(in.Activities) == "" {
		fs = append(fs, httpx.Field("activities", "Décrivez les activités exercées.", "Describe the activities."))
	}
	today := civil.Of(s.now().UTC())
	if in.StartsOn.After(today) {
		fs = append(fs, httpx.Field("starts_on", "La période ne peut pas commencer dans le futur.", "The period cannot start in the future."))
	}
	if !in.EndsOn.IsZero() && in.EndsOn.Before(in.StartsOn) {
		fs = append(fs, httpx.Field("ends_on", "La fin de la période précède son début.", "The period ends before it starts."))
	}
	cert, _ := s.ref.Certification(d.Certification)
	known := map[string]bool{}
	for _, c := range cert.Components {
		known[c.Code] = true
	}
	for i, code := range in.Components {
		if !known[code] {
			fs = append(fs, httpx.Field(fmt.Sprintf("components[%d]", i),
				fmt.Sprintf("« %s » n'est pas un bloc de compétences du %s.", code, cert.Title),
				fmt.Sprintf("%q is not a component of %s.", code, cert.Title)))
		}
	}
	return fs
}

func (in ExperienceInput) apply(e *Experience) {
	e.Employer, e.Role, e.Activities = strings.TrimSpace(in.Employer), strings.TrimSpace(in.Role), strings.TrimSpace(in.Activities)
	e.StartsOn, e.EndsOn = in.StartsOn, in.EndsOn
	seen := map[string]bool{}
	e.Components = referential.StringList{}
	for _, c := range in.Components {
		if !seen[c] {
			seen[c] = true
			e.Components = append(e.Components, c)
		}
	}
}

// AddExperience adds a period of activity to a request awaiting its
// decision or to an admissible dossier.
func (s *Service) AddExperience(ctx context.Context, actor auth.User, dossierID string, in ExperienceInput) (Experience, error) {
	var e Experience
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		d, err := s.loadForEdit(ctx, tx, actor, dossierID, StatusRequested, StatusAdmissible)
		if err != nil {
			return err
		}
		if err := s.checkExperience(d, in); err != nil {
			return err
		}
		e = Experience{ID: database.NewID(), DossierID: d.ID}
		in.apply(&e)
		if err := tx.Create(&e).Error; err != nil {
			return fmt.Errorf("vae experience: %w", err)
		}
		return s.record(tx, actor, d, "vae.experience.add", "Expérience ajoutée : "+e.Role+" chez "+e.Employer+".", "", "vae_experience", e.ID, nil, e)
	})
	return e, err
}

// UpdateExperience replaces a period of activity.
func (s *Service) UpdateExperience(ctx context.Context, actor auth.User, dossierID, id string, in ExperienceInput) (Experience, error) {
	var e Experience
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		d, err := s.loadForEdit(ctx, tx, actor, dossierID, StatusRequested, StatusAdmissible)
		if err != nil {
			return err
		}
		if err := s.checkExperience(d, in); err != nil {
			return err
		}
		err = tx.Where("id = ? AND dossier_id = ?", id, d.ID).Take(&e).Error
		if database.IsNotFound(err) {
			return httpx.NotFound("Expérience introuvable.", "Experience not found.")
		}
		if err != nil {
			return fmt.Errorf("vae experience %s: %w", id, err)
		}
		before := e
		in.apply(&e)
		if err := tx.Save(&e).Error; err != nil {
			return fmt.Errorf("vae experience %s: %w", id, err)
		}
		return s.record(tx, actor, d, "vae.experience.update", "Expérience modifiée : "+e.Role+" chez "+e.Employer+".", "", "vae_experience", e.ID, before, e)
	})
	return e, err
}

// DeleteExperience removes a period of activity.
func (s *Service) DeleteExperience(ctx context.Context, actor auth.User, dossierID, id string) error {
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		d, err := s.loadForEdit(ctx, tx, actor, dossierID, StatusRequested, StatusAdmissible)
		if err != nil {
			return err
		}
		var e Experience
		err = tx.Where("id = ? AND dossier_id = ?", id, d.ID).Take(&e).Error
		if database.IsNotFound(err) {
			return httpx.NotFound("Expérience introuvable.", "Experience not found.")
		}
		if err != nil {
			return fmt.Errorf("vae experience %s: %w", id, err)
		}
		if err := tx.Delete(&Experience{}, "id = ?", id).Error; err != nil {
			return fmt.Errorf("vae experience %s: %w", id, err)
		}
		return s.record(tx, actor, d, "vae.experience.delete", "Expérience retirée : "+e.Role+" chez "+e.Employer+".", "", "vae_experience", e.ID, e, nil)
	})
}

// Submit sends the dossier: from then on nothing in it changes. It needs at
// least one experience and one supporting document.
func (s *Service) Submit(ctx context.Context, actor auth.User, id string) (Dossier, error) {
	if err := s.settle(ctx); err != nil {
		return Dossier{}, err
	}
	var d Dossier
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		if d, err = s.loadForEdit(ctx, tx, actor, id); err != nil {
			return err
		}
		if err := s.fill(tx, &d); err != nil {
			return err
		}
		var fs []httpx.FieldError
		if len(d.Experiences) == 0 {
			fs = append(fs, httpx.Field("experiences", "Décrivez au moins une expérience.", "Describe at least one experience."))
		}
		if len(d.Documents) == 0 {
			fs = append(fs, httpx.Field("documents", "Joignez au moins un justificatif.", "Attach at least one supporting document."))
		}
		if len(fs) > 0 {
			return httpx.Unprocessable("dossier_incomplete", "Le dossier est incomplet.", "The dossier is incomplete.", fs...)
		}
		before := d
		now := s.stamp()
		if err := tx.Model(&Dossier{}).Where("id = ?", id).Updates(map[string]any{"status": StatusSubmitted, "submitted_at": now,
			"submitted_by": actor.ID, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("vae submit %s: %w", id, err)
		}
		d.Status, d.SubmittedAt, d.SubmittedBy, d.UpdatedAt = StatusSubmitted, &now, actor.ID, now
		return s.record(tx, actor, d, "vae.submit", "Dossier déposé : il n'est plus modifiable.",
			civil.Count("fr", len(d.Experiences), "expérience", "expériences")+", "+civil.Count("fr", len(d.Documents), "justificatif", "justificatifs"), "vae_dossier", id, before, d)
	})
	return d, err
}

// Lock seals a submitted dossier after the administrator's check.
func (s *Service) Lock(ctx context.Context, actor auth.User, id string) (Dossier, error) {
	return s.advance(ctx, actor, id, StatusSubmitted, StatusLocked, nil, "vae.lock", "Dossier verrouillé par l'administration.", "")
}

// HandToJury gives a locked dossier to the jury that will examine it; its
// members may then read it and its documents (through Examiners).
func (s *Service) HandToJury(ctx context.Context, actor auth.User, id, juryID string) (Dossier, error) {
	juryID = strings.TrimSpace(juryID)
	if juryID == "" {
		return Dossier{}, httpx.Invalid(httpx.Field("jury_id", "Le jury est obligatoire.", "The jury is required."))
	}
	return s.advance(ctx, actor, id, StatusLocked, StatusWithJury, &juryID, "vae.jury", "Dossier transmis au jury.", "jury "+juryID)
}

func (s *Service) advance(ctx context.Context, actor auth.User, id, from, to string, juryID *string, action, label, detail string) (Dossier, error) {
	if actor.Role != auth.RoleAdmin {
		return Dossier{}, httpx.Forbidden("Réservé aux administrateurs.", "Administrators only.")
	}
	var d Dossier
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		if d, err = s.load(ctx, tx, actor, id); err != nil {
			return err
		}
		before := d
		now := s.stamp()
		set := map[string]any{"status": to, "updated_at": now}
		if to == StatusLocked {
			set["locked_at"], set["locked_by"] = now, actor.ID
		} else {
			set["jury_id"], set["handed_at"], set["handed_by"] = *juryID, now, actor.ID
		}
		res := tx.Model(&Dossier{}).Where("id = ? AND status = ?", id, from).Updates(set)
		if res.Error != nil {
			return fmt.Errorf("vae %s %s: %w", action, id, res.Error)
		}
		if res.RowsAffected == 0 {
			return httpx.Conflict("conflict",
				fmt.Sprintf("Le dossier est au statut « %s » : cette étape demande le statut « %s ».", statusFR(d.Status), statusFR(from)),
				fmt.Sprintf("The dossier is %s: this step needs %s.", d.Status, from))
		}
		return s.recordStep(tx, actor, id, action, label, detail, before, &d)
	})
	if err != nil {
		return Dossier{}, err
	}
	return d, s.fill(s.db.WithContext(ctx), &d)
}

// Timeline is every step of a dossier, oldest first.
func (s *Service) Timeline(ctx context.Context, actor auth.User, id string) ([]Event, error) {
	if err := s.settle(ctx); err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	if _, err := s.load(ctx, db, actor, id); err != nil {
		return nil, err
	}
	evs := []Event{}
	if err := db.Where("dossier_id = ?", id).Order("at, id").Find(&evs).Error; err != nil {
		return nil, fmt.Errorf("vae timeline %s: %w", id, err)
	}
	return evs, nil
}

// SubmittedOn is the day the candidate's VAE dossier for a certification was
// submitted, which starts the jury's three-month deadline (docs/domain.md §2, §4);
// ok is false when no dossier of theirs has been submitted.
func (s *Service) SubmittedOn(ctx context.Context, candidateID, certification string) (civil.Date, bool, error) {
	var d Dossier
	err := s.db.WithContext(ctx).
		Where("candidate_id = ? AND certification = ? AND submitted_at IS NOT NULL", candidateID, certification).
		Order("submitted_at DESC").Take(&d).Error
	if database.IsNotFound(err) {
		return civil.Date{}, false, nil
	}
	if err != nil {
		return civil.Date{}, false, fmt.Errorf("dossier submission of %s: %w", candidateID, err)
	}
	return civil.Of(*d.SubmittedAt), true, nil
}

// NearingDeadline lists the requests still awaiting a decision whose
// two-month deadline falls between today and today+days: the administrators
// are reminded before silence decides for them.
func (s *Service) NearingDeadline(ctx context.Context, today civil.Date, days int) ([]Dossier, error) {
	var ds []Dossier
	err := s.db.WithContext(ctx).Where("status = ? AND admissibility_deadline >= ? AND admissibility_deadline <= ?",
		StatusRequested, today, today.AddDays(days)).Order("admissibility_deadline, id").Find(&ds).Error
	if err != nil {
		return nil, fmt.Errorf("vae deadlines: %w", err)
	}
	return ds, nil
}
