package webui

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/ancr/cqp/internal/reporting"
	"github.com/labstack/echo/v4"
)

type statisticsData struct {
	S              reporting.Statistics
	Title          string
	Years          []int
	Certifications []option
	Presented      int64 // candidates presented, all pathways
	Rates          chart
	Pathways       chart
	ComponentTitle map[string]string
}

// statistics is the certifier's yearly figures for one certification: what
// the RNCP form asks a certifier to publish, as charts with their tables.
func (ui *UI) statistics(c echo.Context) error {
	p := ui.newPage(c, "Statistiques", "Statistics")
	st, err := ui.statisticsOf(c)
	if err != nil {
		return err
	}
	cert, _ := ui.Referential.Certification(st.Certification)
	d := statisticsData{S: st, Title: cert.Title, ComponentTitle: map[string]string{}}
	for y := p.Today.Year; y >= p.Today.Year-5; y-- {
		d.Years = append(d.Years, y)
	}
	for _, c := range ui.Referential.Certifications() {
		d.Certifications = append(d.Certifications, option{c.Code, c.Title})
	}
	var labels []string
	rates := series{Name: p.L("Taux de validation", "Validation rate")}
	for _, comp := range cert.Components {
		d.ComponentTitle[comp.Code] = comp.Title
	}
	for _, r := range st.Components {
		labels = append(labels, r.Code)
		v := math.NaN() // nobody presented: no rate
		if r.Rate != nil {
			v = 100 * *r.Rate
		}
		rates.Values = append(rates.Values, v)
	}
	pct := func(x float64) string { return formatNumber(p.Lang, math.Round(x*10)/10) + "\u00a0%" }
	d.Rates = barChart(p.L("Taux de validation par bloc de compétences", "Validation rate per component"), labels, rates, 100, pct)
	var pl []string
	counts := series{Name: p.L("Candidats présentés", "Candidates presented")}
	for _, pw := range st.Pathways {
		pl = append(pl, p.T("pathway."+pw.Pathway))
		counts.Values = append(counts.Values, float64(pw.Candidates))
		d.Presented += pw.Candidates
	}
	d.Pathways = columnChart(p.L("Candidats présentés au jury par voie d'accès", "Candidates presented to the jury by pathway"), pl, []series{counts}, nil)
	p.Data = d
	return ui.render(c, http.StatusOK, "admin/statistics", p)
}

// statisticsCSV is the page's figures as a spreadsheet (UTF-8 with BOM,
// semicolons, French headers, like the exports); "no data" is an empty cell.
func (ui *UI) statisticsCSV(c echo.Context) error {
	st, err := ui.statisticsOf(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	w.Write([]string{"Année", "Certification", "Bloc", "Présentés", "Validés", "Taux de validation (%)"})
	for _, r := range st.Components {
		rate := ""
		if r.Rate != nil {
			rate = strconv.FormatFloat(100**r.Rate, 'f', 2, 64)
		}
		w.Write([]string{strconv.Itoa(st.Year), st.Certification, r.Code, strconv.FormatInt(r.Presented, 10), strconv.FormatInt(r.Validated, 10), rate})
	}
	w.Flush()
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="statistiques-%s-%d.csv"`, st.Certification, st.Year))
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// statisticsOf reads ?year= and ?certification= (this year and the first
// certification by default) and computes the figures.
func (ui *UI) statisticsOf(c echo.Context) (reporting.Statistics, error) {
	year := ui.Now().Year()
	if v, err := strconv.Atoi(c.QueryParam("year")); err == nil && v >= 2000 && v <= year+1 {
		year = v
	}
	certs := ui.Referential.Certifications()
	cert, ok := ui.Referential.Certification(c.QueryParam("certification"))
	if !ok && len(certs) > 0 {
		cert = certs[0]
	}
	return ui.Reporting.Statistics(c.Request().Context(), year, cert)
}
