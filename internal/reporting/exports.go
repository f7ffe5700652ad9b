package reporting

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"
)

// Datasets an administrator may export (CONTRACT "Back office").
var Datasets = []string{"candidates", "enrollments", "results", "certificates"}

// ExportFilter narrows an export as the pages do.
type ExportFilter struct {
	Certification string
	From, To      civil.Date // on the dataset's own date (decision, issuance, enrollment, creation)
}

// sheet writes rows one by one: CSV or XLSX.
type sheet interface {
	row(cells []string) error
	close() error
}

// csvSheet is UTF-8 with a byte-order mark and ";" separators, what a French
// spreadsheet opens without an import dialog.
type csvSheet struct{ w *csv.Writer }

func newCSV(w io.Writer) (*csvSheet, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	return &csvSheet{cw}, nil
}

func (s *csvSheet) row(cells []string) error {
	for i, c := range cells {
		cells[i] = neutralise(c)
	}
	return s.w.Write(cells)
}

func (s *csvSheet) close() error { s.w.Flush(); return s.w.Error() }

// neutralise keeps a cell from being read as a formula by a spreadsheet
// (CSV injection): a leading = + - @ is prefixed with an apostrophe.
func neutralise(c string) string {
	if c != "" && (c[0] == '=' || c[0] == '+' || c[0] == '-' || c[0] == '@' || c[0] == '\t' || c[0] == '\r') {
		return "'" + c
	}
	return c
}

// xlsxSheet streams rows into one worksheet (excelize's StreamWriter keeps
// memory flat by spilling to a temporary file past a threshold).
type xlsxSheet struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	n   int
	out io.Writer
}

func newXLSX(w io.Writer, name string) (*xlsxSheet, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	return &xlsxSheet{f: f, sw: sw, out: w}, nil
}

func (s *xlsxSheet) row(cells []string) error {
	s.n++
	vals := make([]any, len(cells))
	for i, c := range cells {
		vals[i] = c
	}
	cell, err := excelize.CoordinatesToCellName(1, s.n)
	if err != nil {
		return err
	}
	return s.sw.SetRow(cell, vals)
}

func (s *xlsxSheet) close() error {
	defer s.f.Close()
	if err := s.sw.Flush(); err != nil {
		return err
	}
	return s.f.Write(s.out)
}

// dataset is one export: its French headers, its query, and how a scanned
// row becomes cells.
type dataset struct {
	title   string
	headers []string
	query   func(db *gorm.DB, f ExportFilter) *gorm.DB
	cells   func(r exportRow) []string
}

// exportRow holds the columns any dataset selects.
type exportRow struct {
	ID, CandidateID, FirstName, LastName, Email, Employer, Organisation string
	BirthDate, On, EndedOn, SessionDate                                 civil.Date
	Certification, Pathway, Status, Component, Decision, JuryID         string
	Final                                                               bool
	Number, Kind, RevocationReason                                      string
	RevokedAt                                                           *time.Time
	SupersededBy                                                        *string
	CreatedAt                                                           time.Time
}

func yesNo(b bool) string {
	if b {
		return "oui"
	}
	return "non"
}

func dateRange(q *gorm.DB, col string, f ExportFilter) *gorm.DB {
	if !f.From.IsZero() {
		q = q.Where(col+" >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where(col+" <= ?", f.To)
	}
	return q
}

var datasets = map[string]dataset{
	"candidates": {
		title:   "Candidats",
		headers: []string{"Identifiant", "Prénom", "Nom", "Date de naissance", "Courriel", "Employeur", "Organisme de formation", "Créé le"},
		query: func(db *gorm.DB, f ExportFilter) *gorm.DB {
			q := db.Table("candidates AS c").Select("c.id, c.first_name, c.last_name, c.birth_date, c.email, c.employer, " +
				"c.training_organisation AS organisation, c.created_at").Order("c.id")
			if f.Certification != "" {
				q = q.Where("EXISTS (SELECT 1 FROM enrollments e WHERE e.candidate_id = c.id AND e.certification = ?)", f.Certification)
			}
			if !f.From.IsZero() {
				q = q.Where("c.created_at >= ?", f.From.Time())
			}
			if !f.To.IsZero() {
				q = q.Where("c.created_at < ?", f.To.AddDays(1).Time())
			}
			return q
		},
		cells: func(r exportRow) []string {
			return []string{r.ID, r.FirstName, r.LastName, r.BirthDate.Numeric(), r.Email, r.Employer, r.Organisation,
				civil.Of(r.CreatedAt).Numeric()}
		},
	},
	"enrollments": {
		title:   "Inscriptions",
		headers: []string{"Identifiant du candidat", "Prénom", "Nom", "Certification", "Voie d'accès", "Statut", "Inscrit le", "Terminée le"},
		query: func(db *gorm.DB, f ExportFilter) *gorm.DB {
			q := db.Table("enrollments AS e").Joins("JOIN candidates c ON c.id = e.candidate_id").
				Select("e.id, e.candidate_id, c.first_name, c.last_name, e.certification, e.pathway, e.status, " +
					"e.enrolled_on AS \"on\", e.ended_on").Order("e.id")
			if f.Certification != "" {
				q = q.Where("e.certification = ?", f.Certification)
			}
			return dateRange(q, "e.enrolled_on", f)
		},
		cells: func(r exportRow) []string {
			return []string{r.CandidateID, r.FirstName, r.LastName, r.Certification, r.Pathway, r.Status, r.On.Numeric(), r.EndedOn.Numeric()}
		},
	},
	"results": {
		title: "Résultats",
		headers: []string{"Identifiant du candidat", "Prénom", "Nom", "Certification", "Voie d'accès", "Bloc", "Décision",
			"Décidée le", "Jury", "Session du jury", "Définitive"},
		query: func(db *gorm.DB, f ExportFilter) *gorm.DB {
			q := db.Table("component_decisions AS d").Joins("JOIN candidates c ON c.id = d.candidate_id").
				Joins("LEFT JOIN juries j ON j.id = d.jury_id").
				Select("d.id, d.candidate_id, c.first_name, c.last_name, d.certification, d.component, d.decision, " +
					"d.decided_on AS \"on\", COALESCE(d.jury_id, '') AS jury_id, j.session_date, d.final, " +
					"(SELECT e.pathway FROM enrollments e WHERE e.candidate_id = d.candidate_id AND e.certification = d.certification " +
					"ORDER BY e.enrolled_on DESC LIMIT 1) AS pathway").
				Where("d.superseded_by IS NULL").Order("d.id")
			if f.Certification != "" {
				q = q.Where("d.certification = ?", f.Certification)
			}
			return dateRange(q, "d.decided_on", f)
		},
		cells: func(r exportRow) []string {
			decision := "non validé"
			if r.Decision == "validated" {
				decision = "validé"
			}
			return []string{r.CandidateID, r.FirstName, r.LastName, r.Certification, r.Pathway, r.Component, decision,
				r.On.Numeric(), r.JuryID, r.SessionDate.Numeric(), yesNo(r.Final)}
		},
	},
	"certificates": {
		title: "Certificats",
		headers: []string{"Numéro", "Document", "Certification", "Identifiant du candidat", "Prénom", "Nom", "Délivré le",
			"État", "Révoqué le", "Motif de la révocation"},
		query: func(db *gorm.DB, f ExportFilter) *gorm.DB {
			q := db.Table("certificates AS x").Joins("JOIN candidates c ON c.id = x.candidate_id").
				Select("x.id, x.number, x.kind, x.certification, x.candidate_id, c.first_name, c.last_name, " +
					"x.issued_on AS \"on\", x.revoked_at, x.revocation_reason, x.superseded_by").Order("x.id")
			if f.Certification != "" {
				q = q.Where("x.certification = ?", f.Certification)
			}
			return dateRange(q, "x.issued_on", f)
		},
		cells: func(r exportRow) []string {
			kind, state, revoked := "attestation de validation partielle", "valide", ""
			if r.Kind == "certificate" {
				kind = "certificat"
			}
			switch {
			case r.RevokedAt != nil:
				state, revoked = "révoqué", civil.Of(*r.RevokedAt).Numeric()
			case r.SupersededBy != nil:
				state = "remplacé"
			}
			return []string{r.Number, kind, r.Certification, r.CandidateID, r.FirstName, r.LastName, r.On.Numeric(), state, revoked, r.RevocationReason}
		},
	},
}

// Export writes a dataset to w as "csv" or "xlsx", row by row from a
// database cursor, and returns how many rows it wrote.
func (s *Service) Export(ctx context.Context, w io.Writer, name, format string, f ExportFilter) (int, error) {
	ds, ok := datasets[name]
	if !ok {
		return 0, fmt.Errorf("export: unknown dataset %q", name)
	}
	var out sheet
	var err error
	switch format {
	case "csv":
		out, err = newCSV(w)
	case "xlsx":
		out, err = newXLSX(w, ds.title)
	default:
		return 0, fmt.Errorf("export: unknown format %q", format)
	}
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", name, err)
	}
	if err := out.row(append([]string(nil), ds.headers...)); err != nil {
		return 0, err
	}
	db := s.db.WithContext(ctx)
	rows, err := ds.query(db, f).Rows()
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", name, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var r exportRow
		if err := db.ScanRows(rows, &r); err != nil {
			return n, fmt.Errorf("export %s: row %d: %w", name, n+1, err)
		}
		if err := out.row(ds.cells(r)); err != nil {
			return n, fmt.Errorf("export %s: write: %w", name, err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("export %s: %w", name, err)
	}
	return n, out.close()
}
