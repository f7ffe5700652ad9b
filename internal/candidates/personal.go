package candidates

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"gorm.io/gorm"
)

// DataHolder is another feature that keeps personal data about candidates
// (VAE dossiers and their documents, …). The service is built with them
// (Options.Holders) so that the export gathers their parts and
// pseudonymisation reaches them.
type DataHolder interface {
	// ExportCandidate returns what the feature holds about the candidate.
	ExportCandidate(ctx context.Context, candidateID string) (PersonalData, error)
	// PseudonymiseCandidate erases or replaces the candidate's personal data
	// inside tx; afterCommit (may be nil) runs once tx has committed, for
	// what a rollback could not undo (removing files).
	PseudonymiseCandidate(ctx context.Context, tx *gorm.DB, actor auth.User, candidateID string) (afterCommit func(), err error)
}

// PersonalData is one feature's part of a candidate's export.
type PersonalData struct {
	Section string // the key in the export document, e.g. "vae"
	Data    any
	// Records names the feature's records about the candidate, so that the
	// export includes the audit rows about them.
	Records []AuditRef
}

// AuditRef names records of one entity kind in the audit journal.
type AuditRef struct {
	Entity string
	IDs    []string
}

// Supporter is the feature that knows who supports a candidate (the VAE
// accompagnateur, docs/domain.md §4): such a person reads the candidate's record.
type Supporter interface {
	Supports(ctx context.Context, userID, candidateID string) (bool, error)
}

// Account is what the export says of a login linked to the candidate.
type Account struct {
	ID         string     `json:"id"`
	Email      string     `json:"email"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	CreatedAt  time.Time  `json:"created_at"`
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
}

// Export is everything held about one candidate (GDPR art. 15 and 20).
type Export struct {
	ExportedAt  time.Time      `json:"exported_at"`
	Candidate   Candidate      `json:"candidate"`
	Accounts    []Account      `json:"accounts"`
	Cohorts     []Cohort       `json:"cohorts"`
	Enrollments []Enrollment   `json:"enrollments"`
	Decisions   []Decision     `json:"decisions"`
	Features    map[string]any `json:"features"`
	Audit       []audit.Entry  `json:"audit"`
}

// Export gathers everything held about a candidate, for the candidate
// themself or an administrator.
func (s *Service) Export(ctx context.Context, actor auth.User, candidateID string) (Export, error) {
	if !actor.Is(auth.RoleAdmin, auth.RoleCandidate) {
		return Export{}, httpx.Forbidden("Votre rôle ne permet pas cette action.", "Your role does not allow this action.")
	}
	c, err := s.Get(ctx, actor, candidateID)
	if err != nil {
		return Export{}, err
	}
	db := s.db.WithContext(ctx)
	ex := Export{ExportedAt: s.now().UTC(), Candidate: c, Features: map[string]any{}}
	var users []auth.User
	if err := db.Where("candidate_id = ?", candidateID).Order("id").Find(&users).Error; err != nil {
		return ex, fmt.Errorf("export %s: accounts: %w", candidateID, err)
	}
	ex.Accounts = make([]Account, 0, len(users))
	userIDs := []string{}
	for _, u := range users {
		ex.Accounts = append(ex.Accounts, Account{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, CreatedAt: u.CreatedAt, DisabledAt: u.DisabledAt})
		userIDs = append(userIDs, u.ID)
	}
	ex.Cohorts = []Cohort{}
	if err := db.Where("id IN (?)", s.db.Model(&CohortMember{}).Select("cohort_id").Where("candidate_id = ?", candidateID)).
		Order("id").Find(&ex.Cohorts).Error; err != nil {
		return ex, fmt.Errorf("export %s: cohorts: %w", candidateID, err)
	}
	if ex.Enrollments, err = s.enrollments(db, candidateID); err != nil {
		return ex, err
	}
	ex.Decisions = []Decision{}
	if err := db.Where("candidate_id = ?", candidateID).Order("decided_on, id").Find(&ex.Decisions).Error; err != nil {
		return ex, fmt.Errorf("export %s: decisions: %w", candidateID, err)
	}
	refs := []AuditRef{{Entity: "candidate", IDs: []string{candidateID}}, {Entity: "user", IDs: userIDs}}
	ids := make([]string, len(ex.Enrollments))
	for i, e := range ex.Enrollments {
		ids[i] = e.ID
	}
	refs = append(refs, AuditRef{Entity: "enrollment", IDs: ids})
	for _, h := range s.holders {
		pd, err := h.ExportCandidate(ctx, candidateID)
		if err != nil {
			return ex, fmt.Errorf("export %s: %s: %w", candidateID, pd.Section, err)
		}
		ex.Features[pd.Section] = pd.Data
		refs = append(refs, pd.Records...)
	}
	// The journal rows about these records, and those of the candidate's own actions.
	q := db.Where("1 = 0")
	for _, r := range refs {
		if len(r.IDs) > 0 {
			q = q.Or("entity = ? AND entity_id IN ?", r.Entity, r.IDs)
		}
	}
	if len(userIDs) > 0 {
		q = q.Or("actor_id IN ?", userIDs)
	}
	ex.Audit = []audit.Entry{}
	if err := q.Order("seq").Find(&ex.Audit).Error; err != nil {
		return ex, fmt.Errorf("export %s: audit: %w", candidateID, err)
	}
	return ex, nil
}

// pseudonymised is what the audit journal keeps of a pseudonymisation: the
// new values, never the old ones (that would defeat the erasure).
type pseudonymised struct {
	KeptForVerification bool `json:"kept_for_certificate_verification"`
}

// Pseudonymise answers a candidate's request for erasure (GDPR art. 17)
// within what the certifier must keep: names, email, employer and birth
// date are replaced; when the candidate holds a validated component (a
// certificate or attestation may exist, and public verification shows the
// holder's first name and last-name initial) the first name and the initial
// of the last name stay, nothing more. Linked accounts are closed, other
// features erase their part (uploaded files are deleted), and the journal
// records the act. Administrators only.
func (s *Service) Pseudonymise(ctx context.Context, actor auth.User, candidateID string) (Candidate, error) {
	var c Candidate
	var after []func()
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		err := tx.Where("id = ?", candidateID).Take(&c).Error
		if database.IsNotFound(err) {
			return notFound()
		}
		if err != nil {
			return fmt.Errorf("pseudonymise %s: %w", candidateID, err)
		}
		if c.PseudonymisedAt != nil {
			return httpx.Conflict("already_pseudonymised", "Ce candidat est déjà pseudonymisé.", "This candidate is already pseudonymised.")
		}
		var validated int64
		if err := tx.Model(&Decision{}).Where("candidate_id = ? AND decision = ? AND superseded_by IS NULL", candidateID, Validated).
			Count(&validated).Error; err != nil {
			return fmt.Errorf("pseudonymise %s: %w", candidateID, err)
		}
		keep := validated > 0
		tag := strings.ToUpper(candidateID[max(0, len(candidateID)-8):])
		now := s.now().UTC().Truncate(time.Microsecond)
		if keep {
			c.LastName = initial(c.LastName)
		} else {
			c.FirstName, c.LastName = "Anonyme", tag
		}
		c.Email, c.Employer, c.BirthDate, c.PseudonymisedAt, c.UpdatedAt = "", "", civil.Date{}, &now, now
		c.Identity = Identity{}
		c.Search = c.searchText()
		if err := tx.Model(&Candidate{}).Where("id = ?", candidateID).Updates(map[string]any{
			"first_name": c.FirstName, "last_name": c.LastName, "email": "", "employer": "", "birth_date": nil,
			"search": c.Search, "pseudonymised_at": now, "updated_at": now,
			"sex": "", "birth_name": "", "usage_name": "", "birth_place": "", "birth_place_insee": "",
			"birth_postal_code": "", "birth_country": "",
		}).Error; err != nil {
			return fmt.Errorf("pseudonymise %s: %w", candidateID, err)
		}
		if err := s.closeAccounts(tx, actor, c, now); err != nil {
			return err
		}
		for _, h := range s.holders {
			f, err := h.PseudonymiseCandidate(ctx, tx, actor, candidateID)
			if err != nil {
				return err
			}
			if f != nil {
				after = append(after, f)
			}
		}
		return audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "candidate.pseudonymise", Entity: "candidate",
			EntityID: candidateID, After: pseudonymised{KeptForVerification: keep}})
	})
	if err != nil {
		return Candidate{}, err
	}
	for _, f := range after {
		f()
	}
	return c, nil
}

// closeAccounts disables the candidate's logins, replaces their email and
// name, and revokes their sessions.
func (s *Service) closeAccounts(tx *gorm.DB, actor auth.User, c Candidate, now time.Time) error {
	var users []auth.User
	if err := tx.Where("candidate_id = ?", c.ID).Find(&users).Error; err != nil {
		return fmt.Errorf("pseudonymise accounts: %w", err)
	}
	for _, u := range users {
		email := fmt.Sprintf("pseudonyme-%s@invalid.invalid", strings.ToLower(u.ID))
		if err := tx.Model(&auth.User{}).Where("id = ?", u.ID).Updates(map[string]any{
			"email": email, "name": c.FullName(), "disabled_at": now, "updated_at": now,
		}).Error; err != nil {
			return fmt.Errorf("pseudonymise account %s: %w", u.ID, err)
		}
		if err := tx.Where("user_id = ?", u.ID).Delete(&auth.Token{}).Error; err != nil {
			return fmt.Errorf("pseudonymise account %s: %w", u.ID, err)
		}
		if err := audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "user.pseudonymise", Entity: "user", EntityID: u.ID,
			After: map[string]any{"disabled": true}}); err != nil {
			return err
		}
	}
	return nil
}

// initial is "L." for "Lefèvre": what certificate verification shows.
func initial(last string) string {
	last = strings.TrimSpace(last)
	r, _ := utf8.DecodeRuneInString(last)
	if r == utf8.RuneError {
		return ""
	}
	return strings.ToUpper(string(r)) + "."
}
