package candidates

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"gorm.io/gorm"
)

// ImportColumns are the columns of a candidates CSV file, named in its
// header line, in any order; the first three are required.
var ImportColumns = []string{"first_name", "last_name", "birth_date", "email", "employer", "training_organisation"}

// maxReportedErrors bounds the problem document; the count of bad lines is exact.
const maxReportedErrors = 100

// ImportOptions tune an import.
type ImportOptions struct {
	// Progress, when set, hears how many data rows are done, first while
	// checking ("validation"), then while writing ("import").
	Progress func(phase string, done int)
}

// ImportResult is the answer to a successful import.
type ImportResult struct {
	Imported int `json:"imported"`
}

// Import reads a CSV file of candidates (comma or semicolon separated, UTF-8,
// with a header line) and records every row, or none: each row is checked
// first while the file streams past, the valid ones spooled to a temporary
// file; any bad row makes a 422 problem naming each line and field, and
// nothing is written. Only then are the rows inserted, in one transaction,
// each audited. Memory use does not grow with the file.
func (s *Service) Import(ctx context.Context, actor auth.User, r io.Reader, o ImportOptions) (ImportResult, error) {
	progress := o.Progress
	if progress == nil {
		progress = func(string, int) {}
	}
	spool, err := os.CreateTemp("", "cqp-import-*.jsonl")
	if err != nil {
		return ImportResult{}, fmt.Errorf("import: %w", err)
	}
	defer func() {
		spool.Close()
		os.Remove(spool.Name())
	}()
	rows, err := s.checkImport(r, spool, progress)
	if err != nil {
		return ImportResult{}, err
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return ImportResult{}, fmt.Errorf("import: %w", err)
	}
	dec := json.NewDecoder(bufio.NewReader(spool))
	done := 0
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		const batch = 500
		buf := make([]Candidate, 0, batch)
		flush := func() error {
			if len(buf) == 0 {
				return nil
			}
			if err := tx.CreateInBatches(buf, batch).Error; err != nil {
				return fmt.Errorf("import: %w", err)
			}
			for _, c := range buf {
				if err := audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "candidate.import", Entity: "candidate", EntityID: c.ID, After: c}); err != nil {
					return err
				}
			}
			done += len(buf)
			progress("import", done)
			buf = buf[:0]
			return nil
		}
		for {
			var nc NewCandidate
			if err := dec.Decode(&nc); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return fmt.Errorf("import: read spool: %w", err)
			}
			buf = append(buf, nc.record(database.NewID(), actor.ID))
			if len(buf) == batch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	})
	if err != nil {
		return ImportResult{}, err
	}
	return ImportResult{Imported: rows}, nil
}

// checkImport reads and checks every row, writing the valid ones to spool;
// it returns the number of rows, or the problem listing the bad ones.
func (s *Service) checkImport(r io.Reader, spool io.Writer, progress func(string, int)) (int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	comma, err := sniffComma(br)
	if err != nil {
		return 0, readProblem(err)
	}
	cr := csv.NewReader(br)
	cr.Comma, cr.FieldsPerRecord, cr.ReuseRecord = comma, -1, true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return 0, emptyImport()
	}
	if err != nil {
		return 0, readProblem(err)
	}
	cols, herrs := importHeader(header)
	if len(herrs) > 0 {
		return 0, httpx.Invalid(herrs...)
	}
	w := bufio.NewWriter(spool)
	enc := json.NewEncoder(w)
	today := s.today()
	var (
		fields []httpx.FieldError
		bad    int
		rows   int
	)
	report := func(fs ...httpx.FieldError) {
		bad++
		for _, f := range fs {
			if len(fields) < maxReportedErrors {
				fields = append(fields, f)
			}
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rows++
			report(lineField(pe.StartLine, "",
				"CSV mal formé : "+pe.Err.Error()+".", "Malformed CSV: "+pe.Err.Error()+"."))
			continue
		}
		if err != nil {
			return 0, readProblem(err)
		}
		rows++
		line, _ := cr.FieldPos(0)
		if rows%1000 == 0 {
			progress("validation", rows)
		}
		if len(rec) != len(header) {
			report(lineField(line, "",
				fmt.Sprintf("%d colonnes au lieu de %d.", len(rec), len(header)),
				fmt.Sprintf("%d columns instead of %d.", len(rec), len(header))))
			continue
		}
		nc, fs := s.importRow(rec, cols, line, today)
		if len(fs) > 0 {
			report(fs...)
			continue
		}
		if err := enc.Encode(nc); err != nil {
			return 0, fmt.Errorf("import: spool: %w", err)
		}
	}
	progress("validation", rows)
	if rows == 0 {
		return 0, emptyImport()
	}
	if bad > 0 {
		return 0, httpx.Unprocessable("validation",
			fmt.Sprintf("Import refusé : %d ligne(s) en erreur sur %d ; aucun candidat n'a été importé.", bad, rows),
			fmt.Sprintf("Import refused: %d bad line(s) out of %d; no candidate was imported.", bad, rows),
			fields...)
	}
	if err := w.Flush(); err != nil {
		return 0, fmt.Errorf("import: spool: %w", err)
	}
	return rows, nil
}

// importRow turns one record into a checked NewCandidate; field errors name
// the file's line: lines[12].birth_date.
func (s *Service) importRow(rec []string, cols map[string]int, line int, today civil.Date) (NewCandidate, []httpx.FieldError) {
	get := func(name string) string {
		if i, ok := cols[name]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	nc := NewCandidate{FirstName: get("first_name"), LastName: get("last_name"), Email: get("email"),
		Employer: get("employer"), TrainingOrganisation: get("training_organisation")}
	var fs []httpx.FieldError
	if raw := get("birth_date"); raw != "" {
		d, err := parseCSVDate(raw)
		if err != nil {
			fs = append(fs, lineField(line, "birth_date",
				fmt.Sprintf("date « %s » invalide : AAAA-MM-JJ ou JJ/MM/AAAA attendu.", raw),
				fmt.Sprintf("invalid date %q: YYYY-MM-DD or DD/MM/YYYY expected.", raw)))
		}
		nc.BirthDate = d
	}
	if err := s.validate.Validate(nc); err != nil {
		p, ok := httpx.AsProblem(err)
		if !ok {
			return nc, append(fs, lineField(line, "", err.Error(), err.Error()))
		}
		for _, f := range p.Fields {
			if f.Field == "birth_date" && len(fs) > 0 {
				continue // already said: the date could not be read
			}
			fs = append(fs, lineField(line, f.Field, f.FR, f.EN))
		}
	}
	for _, f := range nc.check(today, "") {
		fs = append(fs, lineField(line, f.Field, f.FR, f.EN))
	}
	return nc, fs
}

func lineField(line int, field, fr, en string) httpx.FieldError {
	path := fmt.Sprintf("lines[%d]", line)
	if field != "" {
		path += "." + field
	}
	return httpx.Field(path, fmt.Sprintf("Ligne %d : %s", line, fr), fmt.Sprintf("Line %d: %s", line, en))
}

func importHeader(header []string) (map[string]int, []httpx.FieldError) {
	known := map[string]bool{}
	for _, c := range ImportColumns {
		known[c] = true
	}
	cols := map[string]int{}
	var fs []httpx.FieldError
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		_, dup := cols[name]
		switch {
		case !known[name]:
			fs = append(fs, httpx.Field("header", fmt.Sprintf("Ligne 1 : colonne inconnue « %s » (colonnes possibles : %s).", h, strings.Join(ImportColumns, ", ")),
				fmt.Sprintf("Line 1: unknown column %q (known columns: %s).", h, strings.Join(ImportColumns, ", "))))
		case dup:
			fs = append(fs, httpx.Field("header", fmt.Sprintf("Ligne 1 : colonne « %s » en double.", name), fmt.Sprintf("Line 1: column %q appears twice.", name)))
		default:
			cols[name] = i
		}
	}
	for _, req := range ImportColumns[:3] {
		if _, ok := cols[req]; !ok {
			fs = append(fs, httpx.Field("header", fmt.Sprintf("Ligne 1 : colonne obligatoire « %s » absente.", req),
				fmt.Sprintf("Line 1: required column %q is missing.", req)))
		}
	}
	return cols, fs
}

// sniffComma skips a UTF-8 byte-order mark (spreadsheets write one) and
// picks the separator of the header line: French spreadsheets write ';'.
func sniffComma(br *bufio.Reader) (rune, error) {
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
		_, _ = br.Discard(3)
	}
	head, err := br.Peek(br.Size())
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return 0, err
	}
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	if bytes.Count(head, []byte(";")) > bytes.Count(head, []byte(",")) {
		return ';', nil
	}
	return ',', nil
}

func parseCSVDate(s string) (civil.Date, error) {
	if d, err := civil.Parse(s); err == nil {
		return d, nil
	}
	t, err := time.Parse("02/01/2006", s)
	if err != nil {
		return civil.Date{}, err
	}
	return civil.Of(t), nil
}

func emptyImport() error {
	return httpx.Unprocessable("validation", "Le fichier ne contient aucune ligne de candidat.",
		"The file holds no candidate row.", httpx.Field("file", "Fichier vide.", "Empty file."))
}

func readProblem(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return httpx.New(http.StatusRequestEntityTooLarge, "too_large",
			"Le fichier dépasse la taille autorisée.", "The file exceeds the size limit.")
	}
	return httpx.BadRequest("Lecture du fichier impossible.", "The file could not be read.").Wrap(err)
}
