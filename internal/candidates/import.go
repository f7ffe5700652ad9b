package candidates

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"golang.org/x/text/encoding/charmap"
	"gorm.io/gorm"
)

// ImportColumns are the columns of a candidates CSV file, named in its
// header line, in any order; the first three are required.
var ImportColumns = []string{"first_name", "last_name", "birth_date", "email", "employer", "training_organisation"}

// columnLabels are the columns' French headers, the names a French
// spreadsheet carries and the ones the messages use.
var columnLabels = map[string]string{
	"first_name": "Prénom", "last_name": "Nom", "birth_date": "Date de naissance", "email": "Courriel",
	"employer": "Employeur", "training_organisation": "Organisme de formation",
}

// headerAliases are the header cells understood for each column, folded
// (lower case, no accents): the English names and the French ones.
var headerAliases = map[string]string{
	"first_name": "first_name", "prenom": "first_name", "first name": "first_name",
	"last_name": "last_name", "nom": "last_name", "nom de famille": "last_name", "last name": "last_name",
	"birth_date": "birth_date", "date de naissance": "birth_date", "ne le": "birth_date", "nee le": "birth_date", "ne(e) le": "birth_date",
	"email": "email", "e-mail": "email", "courriel": "email", "adresse electronique": "email", "mel": "email", "adresse e-mail": "email",
	"employer": "employer", "employeur": "employer", "entreprise": "employer",
	"training_organisation": "training_organisation", "organisme de formation": "training_organisation", "organisme": "training_organisation",
}

// ImportSpoolPattern names the files an import spools its rows to.
const ImportSpoolPattern = "cqp-import-*.jsonl"

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
	if s.tempDir != "" {
		if err := os.MkdirAll(s.tempDir, 0o700); err != nil {
			return ImportResult{}, fmt.Errorf("import: %w", err)
		}
	}
	spool, err := os.CreateTemp(s.tempDir, ImportSpoolPattern)
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
				if err := audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "candidate.import", Entity: "candidate", EntityID: c.ID, After: c.journal()}); err != nil {
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
	br, err := utf8Reader(r)
	if err != nil {
		return 0, readProblem(err)
	}
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
	dups := newDuplicates()
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
		if f, dup := dups.inFile(line, nc); dup {
			report(f)
			continue
		}
		dups.pending = append(dups.pending, pendingRow{line, nc})
		if len(dups.pending) == cap(dups.pending) {
			if err := s.flushPending(dups, enc, report); err != nil {
				return 0, err
			}
		}
	}
	if err := s.flushPending(dups, enc, report); err != nil {
		return 0, err
	}
	progress("validation", rows)
	if rows == 0 {
		return 0, emptyImport()
	}
	if bad > 0 {
		return 0, httpx.Unprocessable("validation",
			fmt.Sprintf("Import refusé : %d %s en erreur sur %d ; aucun candidat n'a été importé.", bad, agree(bad, "ligne", "lignes"), rows),
			fmt.Sprintf("Import refused: %d bad %s out of %d; no candidate was imported.", bad, agree(bad, "line", "lines"), rows),
			fields...)
	}
	if err := w.Flush(); err != nil {
		return 0, fmt.Errorf("import: spool: %w", err)
	}
	return rows, nil
}

// duplicates finds rows that name a person twice: in the file (the same
// email, or the same names and birth date, as an earlier line) and against
// the candidates already recorded, checked a batch of rows at a time.
type duplicates struct {
	email, identity map[uint64]int // key hash → first line
	pending         []pendingRow
}

type pendingRow struct {
	line int
	nc   NewCandidate
}

func newDuplicates() *duplicates {
	return &duplicates{email: map[uint64]int{}, identity: map[uint64]int{}, pending: make([]pendingRow, 0, 500)}
}

func identityKey(first, last string, birth civil.Date) string {
	return Fold(first) + "\x00" + Fold(last) + "\x00" + birth.String()
}

func hashKey(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64()
}

func (d *duplicates) inFile(line int, nc NewCandidate) (httpx.FieldError, bool) {
	if e := auth.NormaliseEmail(nc.Email); e != "" {
		k := hashKey(e)
		if first, ok := d.email[k]; ok {
			return lineField(line, "email", fmt.Sprintf("l'adresse « %s » figure déjà à la ligne %d.", nc.Email, first),
				fmt.Sprintf("the address %q is already on line %d.", nc.Email, first)), true
		}
		d.email[k] = line
	}
	k := hashKey(identityKey(nc.FirstName, nc.LastName, nc.BirthDate))
	if first, ok := d.identity[k]; ok {
		return lineField(line, "", fmt.Sprintf("%s %s (date de naissance : %s) figure déjà à la ligne %d.", nc.FirstName, nc.LastName, nc.BirthDate.Numeric(), first),
			fmt.Sprintf("%s %s, born %s, is already on line %d.", nc.FirstName, nc.LastName, nc.BirthDate, first)), true
	}
	d.identity[k] = line
	return httpx.FieldError{}, false
}

// flushPending checks the pending rows against the candidates on record
// (two indexed queries a batch) and spools those that are new.
func (s *Service) flushPending(d *duplicates, enc *json.Encoder, report func(...httpx.FieldError)) error {
	if len(d.pending) == 0 {
		return nil
	}
	var emails []string
	var births []civil.Date
	for _, p := range d.pending {
		if e := auth.NormaliseEmail(p.nc.Email); e != "" {
			emails = append(emails, e)
		}
		births = append(births, p.nc.BirthDate)
	}
	known := map[string]bool{}
	if len(emails) > 0 {
		var found []string
		if err := s.db.Model(&Candidate{}).Where("email IN ?", emails).Pluck("email", &found).Error; err != nil {
			return fmt.Errorf("import: duplicates: %w", err)
		}
		for _, e := range found {
			known[e] = true
		}
	}
	var people []Candidate
	if err := s.db.Select("first_name", "last_name", "birth_date").Where("birth_date IN ?", births).Find(&people).Error; err != nil {
		return fmt.Errorf("import: duplicates: %w", err)
	}
	identities := map[string]bool{}
	for _, c := range people {
		identities[identityKey(c.FirstName, c.LastName, c.BirthDate)] = true
	}
	for _, p := range d.pending {
		switch {
		case known[auth.NormaliseEmail(p.nc.Email)]:
			report(lineField(p.line, "email", fmt.Sprintf("un candidat est déjà enregistré avec l'adresse « %s ».", p.nc.Email),
				fmt.Sprintf("a candidate is already recorded with the address %q.", p.nc.Email)))
		case identities[identityKey(p.nc.FirstName, p.nc.LastName, p.nc.BirthDate)]:
			report(lineField(p.line, "", fmt.Sprintf("%s %s (date de naissance : %s) a déjà un dossier.", p.nc.FirstName, p.nc.LastName, p.nc.BirthDate.Numeric()),
				fmt.Sprintf("%s %s, born %s, is already recorded.", p.nc.FirstName, p.nc.LastName, p.nc.BirthDate)))
		default:
			if err := enc.Encode(p.nc); err != nil {
				return fmt.Errorf("import: spool: %w", err)
			}
		}
	}
	d.pending = d.pending[:0]
	return nil
}

// importRow turns one record into a checked NewCandidate; field errors name
// the file's line: lines[12].birth_date.
func (s *Service) importRow(rec []string, cols map[string]int, line int, today civil.Date) (NewCandidate, []httpx.FieldError) {
	var fs []httpx.FieldError
	get := func(name string) string {
		i, ok := cols[name]
		if !ok {
			return ""
		}
		v := strings.TrimSpace(rec[i])
		if !utf8.ValidString(v) {
			fs = append(fs, lineField(line, name, "caractères illisibles : enregistrez le fichier en UTF-8 ou en Windows-1252.",
				"unreadable characters: save the file as UTF-8 or Windows-1252."))
			return ""
		}
		clean, err := httpx.CleanText(v)
		if err != nil {
			fs = append(fs, lineField(line, name, "caractère interdit ("+err.Error()+").", "character not allowed ("+err.Error()+")."))
			return ""
		}
		return clean
	}
	nc := NewCandidate{FirstName: get("first_name"), LastName: get("last_name"), Email: get("email"),
		Employer: get("employer"), TrainingOrganisation: get("training_organisation")}
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

// lineField names a line and, when given, its column by the column's French
// header: « Ligne 12, colonne « Date de naissance » : … ».
func lineField(line int, field, fr, en string) httpx.FieldError {
	path := fmt.Sprintf("lines[%d]", line)
	where, whereEN := fmt.Sprintf("Ligne %d", line), fmt.Sprintf("Line %d", line)
	if field != "" {
		path += "." + field
		if l, ok := columnLabels[field]; ok {
			where += ", colonne « " + l + " »"
			// The validator's French message starts with the JSON name.
			fr = strings.Replace(fr, field, "la valeur", 1)
		}
		whereEN += ", column " + field
	}
	return httpx.Field(path, fmt.Sprintf("%s : %s", where, fr), fmt.Sprintf("%s: %s", whereEN, en))
}

func importHeader(header []string) (map[string]int, []httpx.FieldError) {
	known := map[string]bool{}
	for _, c := range ImportColumns {
		known[c] = true
	}
	cols := map[string]int{}
	var fs []httpx.FieldError
	var labels []string
	for _, c := range ImportColumns {
		labels = append(labels, columnLabels[c])
	}
	for i, h := range header {
		name, ok := headerAliases[Fold(h)]
		_, dup := cols[name]
		switch {
		case !ok || !known[name]:
			fs = append(fs, httpx.Field("header", fmt.Sprintf("Ligne 1 : colonne inconnue « %s » (colonnes possibles : %s).", strings.TrimSpace(h), strings.Join(labels, " ; ")),
				fmt.Sprintf("Line 1: unknown column %q (known columns: %s).", strings.TrimSpace(h), strings.Join(ImportColumns, ", "))))
		case dup:
			fs = append(fs, httpx.Field("header", fmt.Sprintf("Ligne 1 : colonne « %s » en double.", columnLabels[name]), fmt.Sprintf("Line 1: column %q appears twice.", name)))
		default:
			cols[name] = i
		}
	}
	for _, req := range ImportColumns[:3] {
		if _, ok := cols[req]; !ok {
			fs = append(fs, httpx.Field("header", fmt.Sprintf("Ligne 1 : colonne obligatoire « %s » absente.", columnLabels[req]),
				fmt.Sprintf("Line 1: required column %q is missing.", req)))
		}
	}
	return cols, fs
}

// utf8Reader reads a file saved as UTF-8 (with or without a byte-order
// mark) or, when its first 64 KiB are not valid UTF-8, as Windows-1252,
// what Excel writes on a French Windows ("Prénom" saved as 0x50 0x72 0xE9…).
func utf8Reader(r io.Reader) (*bufio.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(br.Size())
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if len(head) == br.Size() {
		// A rune cut by the end of the peek window is not an error.
		for k := 1; k < utf8.UTFMax && k <= len(head); k++ {
			if tail := head[len(head)-k:]; utf8.RuneStart(tail[0]) && !utf8.FullRune(tail) {
				head = head[:len(head)-k]
				break
			}
		}
	}
	if utf8.Valid(head) {
		return br, nil
	}
	return bufio.NewReaderSize(charmap.Windows1252.NewDecoder().Reader(br), 64<<10), nil
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

// agree is the noun for a count: one for 0 and 1 (French), many above.
func agree(n int, one, many string) string {
	if n <= 1 {
		return one
	}
	return many
}
