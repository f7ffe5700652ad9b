package webui

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/labstack/echo/v4"
)

// The CSV import page: the file is kept in a durable job's payload, the
// import (candidates.Service.Import, all rows or none) runs as that job
// (import_job.go), on whichever replica's worker takes it, and its page
// shows the progress, then the count or the bad lines.

const (
	importRoute   = "/admin/candidates/import"
	importTimeout = 15 * time.Minute
)

// importExample is the example file offered for download: the header line
// and two rows, in the formats the import reads.
const importExample = "first_name;last_name;birth_date;email;employer;training_organisation\n" +
	"Camille;Lefèvre;1990-04-12;camille.lefevre@example.fr;Cabinet Recouvre;Institut ANCR\n" +
	"Mathéo;Nguyễn;03/09/1996;;Société Générale de Recouvrement;\n"

func (ui *UI) importRoutes(admin *echo.Group) {
	admin.GET("/candidates/import", ui.importForm)
	admin.POST("/candidates/import", ui.importStart)
	admin.GET("/candidates/import/example.csv", ui.importExampleCSV)
	admin.GET("/candidates/import/:job", ui.importJobPage)
}

// importLimit is the largest CSV file taken: the API's body limit, which
// bounds the same import there.
func (ui *UI) importLimit() int64 {
	if ui.Cfg.BodyLimit > 0 {
		return ui.Cfg.BodyLimit
	}
	return 10 << 20
}

type importColumn struct {
	Name, Label string
	Required    bool
}

type importFormData struct {
	Columns  []importColumn
	LimitMiB int64
}

func (ui *UI) importForm(c echo.Context) error {
	return ui.showImportForm(c, ui.newPage(c, "Importer des candidats", "Import candidates"), http.StatusOK)
}

func (ui *UI) showImportForm(c echo.Context, p *page, status int) error {
	labels := ui.candidateFieldMap(p)
	d := importFormData{LimitMiB: ui.importLimit() >> 20}
	for i, name := range candidates.ImportColumns {
		d.Columns = append(d.Columns, importColumn{Name: name, Label: labels[name].label, Required: i < 3})
	}
	p.Data = d
	return ui.render(c, status, "admin/candidate_import", p)
}

func (ui *UI) importExampleCSV(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="exemple-candidats.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", []byte(importExample))
}

func (ui *UI) importFileError(c echo.Context, status int, fr, en string) error {
	p := ui.newPage(c, "Importer des candidats", "Import candidates")
	p.Errors = map[string]string{"file": p.L(fr, en)}
	p.FormError = p.T("form.invalid")
	return ui.showImportForm(c, p, status)
}

// importTooLarge answers a body over the limit before it is read.
func (ui *UI) importTooLarge(c echo.Context) error {
	lim := ui.importLimit() >> 20
	return ui.importFileError(c, http.StatusRequestEntityTooLarge,
		fmt.Sprintf("Le fichier dépasse la taille autorisée (%d Mio).", lim),
		fmt.Sprintf("The file exceeds the size limit (%d MiB).", lim))
}

// importStart stores the upload to a temporary file (checked for size and
// for being text), starts the import job and goes to its page.
func (ui *UI) importStart(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	fh, err := c.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) {
		return ui.importFileError(c, http.StatusUnprocessableEntity, "Choisissez le fichier CSV à importer.", "Choose the CSV file to import.")
	}
	if err != nil {
		return uploadReadError(err)
	}
	src, err := fh.Open()
	if err != nil {
		return uploadReadError(err)
	}
	defer src.Close()
	ext := strings.ToLower(filepath.Ext(fh.Filename))
	if ext != ".csv" && ext != ".txt" {
		return ui.importFileError(c, http.StatusUnprocessableEntity,
			"Seuls les fichiers CSV sont acceptés (.csv, texte séparé par des virgules ou des points-virgules) : enregistrez le tableur au format CSV UTF-8.",
			"Only CSV files are accepted (.csv, text separated by commas or semicolons): save the spreadsheet as CSV UTF-8.")
	}
	content, rows, err := ui.readCSV(src)
	switch {
	case errors.Is(err, errNotText):
		return ui.importFileError(c, http.StatusUnprocessableEntity,
			"Ce fichier n'est pas un fichier texte CSV (son contenu a été vérifié, pas seulement son nom).",
			"This file is not a CSV text file (its content was checked, not just its name).")
	case errors.Is(err, errTooLarge):
		return ui.importTooLarge(c)
	case err != nil:
		return err
	}
	id, err := ui.enqueueImport(c.Request().Context(), actor, cleanFileName(fh.Filename), rows, content)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, importRoute+"/"+id)
}

var (
	errNotText  = errors.New("not a text file")
	errTooLarge = errors.New("too large")
)

// readCSV reads the upload, refusing binary content and files over the
// limit, and counts its data lines. The bytes go to the job's payload, so
// that the import survives a restart and runs on any replica.
func (ui *UI) readCSV(src io.Reader) (content []byte, rows int, err error) {
	limit := ui.importLimit()
	var out bytes.Buffer
	buf := make([]byte, 64<<10)
	var (
		size  int64
		lines int
		last  byte
	)
	for {
		n, rerr := src.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if size == 0 && !isText(chunk) {
				return nil, 0, errNotText
			}
			size += int64(n)
			if size > limit {
				return nil, 0, errTooLarge
			}
			lines += bytes.Count(chunk, []byte{'\n'})
			last = chunk[n-1]
			out.Write(chunk)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return nil, 0, uploadReadError(rerr)
		}
	}
	if size > 0 && last != '\n' {
		lines++
	}
	return out.Bytes(), max(lines-1, 0), nil
}

// isText tells a text file from a spreadsheet, PDF or image by its first
// bytes, as browsers do.
func isText(head []byte) bool {
	return strings.HasPrefix(http.DetectContentType(head), "text/")
}

// cleanFileName keeps a client's file name printable, for display.
func cleanFileName(s string) string {
	s = filepath.Base(strings.ReplaceAll(s, `\`, "/"))
	if r := []rune(s); len(r) > 120 {
		s = string(r[:120])
	}
	return s
}

// importLine is a refused line of the file, as the result table shows it.
type importLine struct {
	Line    int
	Column  string
	Message string
}

type importJobData struct {
	Job importJob
	// The bar runs over both steps, each as long as the file: checking
	// every line, then saving them.
	Max, Value int
	Pct        int // of the current step
	Summary    string
	Lines      []importLine
	Failed     bool
	Internal   bool
}

// PhaseLabel names the job's current step.
func (d importJobData) PhaseLabel(p *page) string {
	if d.Job.Phase == "import" {
		return p.L("Enregistrement", "Saving")
	}
	return p.L("Vérification", "Checking")
}

var fieldPathRe = regexp.MustCompile(`^lines\[(\d+)\](?:\.(.+))?$`)
var linePrefixRe = regexp.MustCompile(`^(Ligne|Line) \d+(, (colonne|column) [^:]+)? ?: `)

func (ui *UI) importJobPage(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	job, outcome, err := ui.importJob(c.Request().Context(), c.Param("job"), actor.ID)
	if err != nil {
		return err
	}
	p := ui.newPage(c, "Import de candidats", "Candidate import")
	d := importJobData{Job: job}
	d.Max, d.Value = 2*max(job.Rows, 1), job.Done
	if job.Phase == "import" {
		d.Value += job.Rows
	}
	if job.Rows > 0 {
		d.Pct = min(job.Done*100/job.Rows, 100)
	}
	if job.Finished && job.Failed {
		d.Failed = true
		pr := outcome.Problem
		if pr == nil {
			ui.Log.Error("candidate import failed", "err", job.LastError, "job", job.ID)
			d.Internal = true
			d.Summary = p.L("L'import a échoué avant la fin : aucun candidat n'a été importé. Recommencez dans un instant.",
				"The import failed before the end: no candidate was imported. Try again in a moment.")
		} else {
			d.Summary = p.L(pr.FR, pr.EN)
			labels := ui.candidateFieldMap(p)
			for _, f := range pr.Fields {
				l := importLine{Message: linePrefixRe.ReplaceAllString(p.L(f.FR, f.EN), "")}
				if m := fieldPathRe.FindStringSubmatch(f.Field); m != nil {
					l.Line, _ = strconv.Atoi(m[1])
					if m[2] != "" {
						l.Column = m[2]
						if lb, ok := labels[m[2]]; ok {
							l.Column = lb.label + " (" + m[2] + ")"
						}
					}
				} else if f.Field == "header" {
					l.Line = 1
				}
				d.Lines = append(d.Lines, l)
			}
		}
	}
	p.Data = d
	if p.HX {
		return ui.renderBlock(c, http.StatusOK, "admin/candidate_import_job", "job", p)
	}
	return ui.render(c, http.StatusOK, "admin/candidate_import_job", p)
}
