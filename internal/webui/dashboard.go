package webui

import (
	"math"
	"net/http"

	outbox "github.com/ancr/cqp/internal/platform/messages"
	"github.com/ancr/cqp/internal/referential"
	"github.com/ancr/cqp/internal/reporting"
	"github.com/labstack/echo/v4"
)

type dashboardData struct {
	Candidates   int64
	Enrollments  int64
	Decisions    int
	SuccessRate  float64 // of all component decisions in force, percent
	ByPathway    chart
	ByComponent  chart
	Issued       chart
	IssuedTotal  int64
	Upcoming     []upcomingSession
	CertTitles   map[string]string
	PathwayNames []string
	// Missing are the law parameters the engine lacks today: the current
	// half-year's legal rate, this year's seizure scale.
	Missing referential.MissingParameters
	// FailedMessages are messages the mail server refused or that ran out
	// of attempts; Unsent those kept without a mail server.
	FailedMessages, UnsentMessages int64
	// SecondFactorOff recommends the administrator turns TOTP on.
	SecondFactorOff bool
}

type upcomingSession struct {
	ID, Certification, Location string
	Date                        string
	Members, Candidates         int
}

// dashboard shows the administrators the state of the certifications: who
// is enrolled, by which pathway, how the components fare before the juries,
// the sessions to come and the documents issued month by month. The
// figures come from the reporting package; this handler draws them.
func (ui *UI) dashboard(c echo.Context) error {
	p := ui.newPage(c, "Tableau de bord", "Dashboard")
	ctx := c.Request().Context()
	d := dashboardData{CertTitles: map[string]string{}, Missing: ui.Referential.Missing(p.Today)}
	on, err := ui.Auth.TOTPEnabled(ctx, p.User.ID)
	if err != nil {
		return err
	}
	d.SecondFactorOff = !on
	counts, err := ui.Outbox.Counts(ctx)
	if err != nil {
		return err
	}
	d.FailedMessages, d.UnsentMessages = counts[outbox.StatusFailed], counts[outbox.StatusNotConfigured]
	figures, err := ui.Reporting.Dashboard(ctx, p.Today)
	if err != nil {
		return err
	}
	d.Candidates = figures.Candidates
	ui.pathwayChart(p, figures, &d)
	ui.componentChart(p, figures, &d)
	issuedChart(p, figures, &d)
	for _, r := range figures.Upcoming {
		title := r.Certification
		if cert, ok := ui.Referential.Certification(r.Certification); ok {
			title = cert.Title
		}
		d.Upcoming = append(d.Upcoming, upcomingSession{ID: r.ID, Certification: title, Location: r.Location,
			Date: p.Date(r.SessionDate), Members: r.Members, Candidates: r.Candidates})
	}
	p.Data = d
	return ui.render(c, http.StatusOK, "admin/dashboard", p)
}

// pathwayChart shows active enrollments by pathway (groups) and
// certification (series).
func (ui *UI) pathwayChart(p *page, f reporting.Dashboard, d *dashboardData) {
	pathways := []string{"formation_continue", "contrat_professionnalisation", "vae"}
	labels := make([]string, len(pathways))
	for i, pw := range pathways {
		labels[i] = p.T("pathway." + pw)
	}
	var ss []series
	for _, cert := range ui.Referential.Certifications() {
		s := series{Name: cert.Title, Values: make([]float64, len(pathways))}
		for _, r := range f.Enrollments {
			if r.Certification != cert.Code {
				continue
			}
			for i, pw := range pathways {
				if pw == r.Pathway {
					s.Values[i] += float64(r.N)
					d.Enrollments += r.N
				}
			}
		}
		ss = append(ss, s)
	}
	d.ByPathway = columnChart(p.L("Candidats inscrits par voie d'accès et certification", "Enrolled candidates by pathway and certification"),
		labels, ss, nil)
}

// componentChart is the share of validated decisions per component (the
// decisions in force, corrections applied).
func (ui *UI) componentChart(p *page, f reporting.Dashboard, d *dashboardData) {
	var total, ok int64
	for _, t := range f.Components {
		total += t.Total
		ok += t.Validated
	}
	d.Decisions = int(total)
	if total > 0 {
		d.SuccessRate = 100 * float64(ok) / float64(total)
	}
	var labels []string
	s := series{Name: p.L("Taux de validation", "Validation rate")}
	for _, cert := range ui.Referential.Certifications() {
		for _, comp := range cert.Components {
			t := f.Components[comp.Code]
			labels = append(labels, comp.Code)
			rate := math.NaN() // nobody presented: no rate, not 0 %
			if t.Total > 0 {
				rate = 100 * float64(t.Validated) / float64(t.Total)
			}
			s.Values = append(s.Values, rate)
		}
	}
	pct := func(x float64) string { return formatNumber(p.Lang, float64(int(x+0.5))) + "\u00a0%" }
	d.ByComponent = barChart(p.L("Taux de validation par bloc de compétences", "Validation rate per component"), labels, s, 100, pct)
}

// issuedChart counts the documents in force issued per month over the last
// twelve months, one series per kind.
func issuedChart(p *page, f reporting.Dashboard, d *dashboardData) {
	first := f.Since
	labels := make([]string, 12)
	for i := range labels {
		m := first.AddMonths(i)
		labels[i] = monthLabel(p.Lang, m.Year, m.Month)
	}
	kinds := []string{"certificate", "partial_attestation"}
	ss := make([]series, len(kinds))
	for i, k := range kinds {
		ss[i] = series{Name: p.T("kind." + k), Values: make([]float64, 12)}
	}
	for _, r := range f.Issued {
		i := (r.Year-first.Year)*12 + r.Month - int(first.Month)
		if i < 0 || i >= 12 {
			continue
		}
		k := 0
		if r.Kind == "partial_attestation" {
			k = 1
		}
		ss[k].Values[i] += float64(r.N)
		d.IssuedTotal += r.N
	}
	d.Issued = lineChart(p.L("Documents délivrés par mois", "Documents issued per month"), labels, ss, nil)
}
