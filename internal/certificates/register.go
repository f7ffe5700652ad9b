package certificates

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// The register is the certifier's list of every document issued, searched
// by number (in any case, with or without dashes) or by holder.

// StatusSuperseded is a document replaced by a later one for the same
// holder and certification (still valid as a record of its day).
const StatusSuperseded = "superseded"

// RegisterEntry is one line of the register.
type RegisterEntry struct {
	Number          string     `json:"number"`
	Kind            string     `json:"kind"`
	Certification   string     `json:"certification"`
	CandidateID     string     `json:"candidate_id"`
	HolderFirstName string     `json:"holder_first_name"`
	HolderLastName  string     `json:"holder_last_name"`
	IssuedOn        civil.Date `json:"issued_on"`
	Status          string     `json:"status"`
	RevokedAt       *time.Time `json:"revoked_at,omitempty"`
	VerificationURL string     `json:"verification_url"`
}

// RegisterQuery filters the register; zero fields do not filter.
type RegisterQuery struct {
	Q             string
	Certification string
	Status        string // valid, revoked, superseded
	Kind          string
	From, To      *civil.Date
	After         string // the last id of the previous page
	Limit         int
}

// RegisterPage is a page of the register, and when q looked like a number
// that does not exist, the existing number it was probably meant to be.
type RegisterPage struct {
	Items      []RegisterEntry `json:"items"`
	NextCursor *string         `json:"next_cursor"`
	Suggestion string          `json:"suggestion,omitempty"`
	next       string
}

var compactNumber = regexp.MustCompile(`^(CQP|ATT)([A-Z]+?)(\d{4})(\d{6})([0-9A-Z]?)$`)

// NormaliseNumber reads a number typed any way — "cqp clerc 2026 000123 k",
// "CQPCLERC2026000123K" — into its printed form; ok false when q is not
// shaped like a number. The check character may be missing (check is "").
func NormaliseNumber(q string) (body, check string, ok bool) {
	compact := strings.Map(func(r rune) rune {
		switch r {
		case '-', ' ', '.', '_', '/', '\u00a0', '\u202f':
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(q)))
	m := compactNumber.FindStringSubmatch(compact)
	if m == nil {
		return "", "", false
	}
	return m[1] + "-" + m[2] + "-" + m[3] + "-" + m[4], m[5], true
}

// Register lists documents, newest first. A q shaped like a number finds
// that document whatever its dashes and case; with a wrong check character,
// or a number that does not exist, nothing is found and the page suggests
// the existing number one character away, if any.
func (s *Service) Register(ctx context.Context, q RegisterQuery) (RegisterPage, error) {
	db := s.db.WithContext(ctx)
	tx := candidates.JoinHolder(db.Table("certificates AS c").
		Select("c.id, c.number, c.kind, c.certification, c.candidate_id, c.issued_on, c.revoked_at, c.superseded_by, k.first_name, k.last_name"),
		"k", "c.candidate_id")
	var page RegisterPage
	// A well-formed number that finds nothing (its check character may be
	// right by chance: one in 32) still gets a suggestion, after the query.
	var byNumber bool
	var typedBody, typedCheck string
	if q.Q != "" {
		if body, check, ok := NormaliseNumber(q.Q); ok {
			number := body + "-" + check
			if check == "" {
				number = body + "-" + string(checkChar(s.keys.NumberingSecret(), body))
			}
			if !CheckNumber(s.keys.NumberingSecret(), number) {
				page.Suggestion = s.suggest(db, body, check)
				page.Items = []RegisterEntry{}
				return page, nil
			}
			tx = tx.Where("c.number = ?", number)
			byNumber, typedBody, typedCheck = true, body, check
		} else {
			tx = candidates.MatchHolder(tx, "k", q.Q)
		}
	}
	if q.Certification != "" {
		tx = tx.Where("c.certification = ?", q.Certification)
	}
	if q.Kind != "" {
		tx = tx.Where("c.kind = ?", q.Kind)
	}
	switch q.Status {
	case "":
	case StatusRevoked:
		tx = tx.Where("c.revoked_at IS NOT NULL")
	case StatusSuperseded:
		tx = tx.Where("c.revoked_at IS NULL AND c.superseded_by IS NOT NULL")
	case StatusValid:
		tx = tx.Where("c.revoked_at IS NULL AND c.superseded_by IS NULL")
	}
	if q.From != nil {
		tx = tx.Where("c.issued_on >= ?", *q.From)
	}
	if q.To != nil {
		tx = tx.Where("c.issued_on <= ?", *q.To)
	}
	if q.After != "" {
		tx = tx.Where("c.id < ?", q.After) // ids are time-ordered (UUIDv7)
	}
	var rows []struct {
		ID, Number, Kind, Certification, CandidateID string
		IssuedOn                                     civil.Date
		RevokedAt                                    *time.Time
		SupersededBy                                 *string
		FirstName, LastName                          string
	}
	if err := tx.Order("c.id DESC").Limit(q.Limit + 1).Scan(&rows).Error; err != nil {
		return page, fmt.Errorf("register: %w", err)
	}
	if len(rows) > q.Limit {
		rows = rows[:q.Limit]
		page.next = rows[len(rows)-1].ID
	}
	page.Items = make([]RegisterEntry, len(rows))
	for i, r := range rows {
		e := RegisterEntry{Number: r.Number, Kind: r.Kind, Certification: r.Certification, CandidateID: r.CandidateID,
			HolderFirstName: r.FirstName, HolderLastName: r.LastName, IssuedOn: r.IssuedOn, Status: StatusValid,
			RevokedAt: r.RevokedAt, VerificationURL: s.baseURL + "/verify/" + r.Number}
		switch {
		case r.RevokedAt != nil:
			e.Status = StatusRevoked
		case r.SupersededBy != nil:
			e.Status = StatusSuperseded
		}
		page.Items[i] = e
	}
	if byNumber && len(page.Items) == 0 {
		page.Suggestion = s.suggest(db, typedBody, typedCheck)
	}
	return page, nil
}

// Next is the cursor of the following page ("" on the last one).
func (p RegisterPage) Next() string { return p.next }

// suggest finds the existing number a typed one was probably meant to be:
// the same body with its right check character, or (the check character
// typed right) one digit of the sequence mistyped.
func (s *Service) suggest(db *gorm.DB, body, check string) string {
	secret := s.keys.NumberingSecret()
	candidates := []string{body + "-" + string(checkChar(secret, body))}
	if check != "" {
		seq := len(body) - 6 // the sequence is the body's last six digits
		for i := seq; i < len(body); i++ {
			for d := byte('0'); d <= '9'; d++ {
				if body[i] == d {
					continue
				}
				alt := body[:i] + string(d) + body[i+1:]
				if string(checkChar(secret, alt)) == check {
					candidates = append(candidates, alt+"-"+check)
				}
			}
		}
	}
	var found []string
	if err := db.Table("certificates").Where("number IN ?", candidates).Order("number").Limit(2).Pluck("number", &found).Error; err != nil || len(found) != 1 {
		return "" // none, or too many to say which
	}
	return found[0]
}

// handleRegister is GET /api/v1/certificates (administrators).
func (s *Service) handleRegister(c echo.Context) error {
	q := RegisterQuery{Q: strings.TrimSpace(c.QueryParam("q")), Certification: c.QueryParam("certification"),
		Status: c.QueryParam("status"), Kind: c.QueryParam("kind")}
	var bad []httpx.FieldError
	switch q.Status {
	case "", StatusValid, StatusRevoked, StatusSuperseded:
	default:
		bad = append(bad, httpx.Field("status", "Statut attendu : valid, revoked ou superseded.", "Expected status: valid, revoked or superseded."))
	}
	switch q.Kind {
	case "", KindCertificate, KindAttestation:
	default:
		bad = append(bad, httpx.Field("kind", "Type attendu : certificate ou partial_attestation.", "Expected kind: certificate or partial_attestation."))
	}
	var from, to civil.Date
	bad = append(bad, httpx.QueryDates(c, map[string]*civil.Date{"issued_from": &from, "issued_to": &to})...)
	if !from.IsZero() {
		q.From = &from
	}
	if !to.IsZero() {
		q.To = &to
	}
	limit, err := httpx.Limit(c, 50, 200)
	if err != nil {
		return err
	}
	q.Limit = limit
	if _, err := httpx.DecodeCursor(c, &q.After); err != nil {
		return err
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	page, err := s.Register(c.Request().Context(), q)
	if err != nil {
		return err
	}
	if page.next != "" {
		page.NextCursor = httpx.EncodeCursor(page.next)
	}
	return c.JSON(http.StatusOK, page)
}
