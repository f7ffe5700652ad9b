package webui

import (
	"context"
	"fmt"
	"math"
	"net/http"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	outbox "github.com/ancr/cqp/internal/platform/messages"
	"github.com/ancr/cqp/internal/referential"
	"github.com/labstack/echo/v4"
)

type dashboardData struct {
	Candidates   int64
	Enrollments  int64
	Decisions    int64
	SuccessRate  float64 // of all component decisions in force, percent
	ByPathway    chart
	ByComponent  chart
	Issued       chart
	IssuedTotal  int64
	Upcoming     []upcomingSession
	HasIssued    bool
	HasJuries    bool
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
// the sessions to come and the documents issued month by month.
func (ui *UI) dashboard(c echo.Context) error {
	p := ui.newPage(c, "Tableau de bord", "Dashboard")
	ctx := c.Request().Context()
	d := dashboardData{CertTitles: map[string]string{}, Missing: ui.Referential.Missing(p.Today)}
	on, err := ui.Auth.TOTPEnabled(c.Request().Context(), p.User.ID)
	if err != nil {
		return err
	}
	d.SecondFactorOff = !on
	if ui.Outbox != nil {
		counts, err := ui.Outbox.Counts(c.Request().Context())
		if err != nil {
			return err
		}
		d.FailedMessages, d.UnsentMessages = counts[outbox.StatusFailed], counts[outbox.StatusNotConfigured]
	}
	db := ui.DB.WithContext(ctx)
	if err := db.Model(&candidates.Candidate{}).Count(&d.Candidates).Error; err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	if err := ui.pathwayChart(ctx, p, &d); err != nil {
		return err
	}
	if err := ui.componentChart(ctx, p, &d); err != nil {
		return err
	}
	if err := ui.issuedChart(ctx, p, &d); err != nil {
		return err
	}
	if err := ui.upcomingSessions(ctx, p, &d); err != nil {
		return err
	}
	p.Data = d
	return ui.render(c, http.StatusOK, "admin/dashboard", p)
}

// pathwayChart counts active enrollments by pathway (groups) and
// certification (series).
func (ui *UI) pathwayChart(ctx context.Context, p *page, d *dashboardData) error {
	var rows []struct {
		Certification, Pathway string
		N                      int64
	}
	err := ui.DB.WithContext(ctx).Model(&candidates.Enrollment{}).
		Select("certification, pathway, COUNT(*) AS n").Where("status = ?", candidates.EnrollmentActive).
		Group("certification, pathway").Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("dashboard: enrollments: %w", err)
	}
	pathways := []string{"formation_continue", "contrat_professionnalisation", "vae"}
	labels := make([]string, len(pathways))
	for i, pw := range pathways {
		labels[i] = p.T("pathway." + pw)
	}
	var ss []series
	for _, cert := range ui.Referential.Certifications() {
		s := series{Name: cert.Title, Values: make([]float64, len(pathways))}
		for _, r := range rows {
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
	return nil
}

// componentChart is the share of validated decisions per component (the
// decisions in force, corrections applied).
func (ui *UI) componentChart(ctx context.Context, p *page, d *dashboardData) error {
	var rows []struct {
		Component string
		Total     int64
		Validated int64
	}
	err := ui.DB.WithContext(ctx).Model(&candidates.Decision{}).
		Select("component, COUNT(*) AS total, SUM(CASE WHEN decision = ? THEN 1 ELSE 0 END) AS validated", candidates.Validated).
		Where("superseded_by IS NULL").Group("component").Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("dashboard: decisions: %w", err)
	}
	byComp := map[string][2]int64{}
	var total, ok int64
	for _, r := range rows {
		byComp[r.Component] = [2]int64{r.Validated, r.Total}
		total += r.Total
		ok += r.Validated
	}
	d.Decisions = total
	if total > 0 {
		d.SuccessRate = 100 * float64(ok) / float64(total)
	}
	var labels []string
	s := series{Name: p.L("Taux de validation", "Validation rate")}
	for _, cert := range ui.Referential.Certifications() {
		for _, comp := range cert.Components {
			v := byComp[comp.Code]
			labels = append(labels, comp.Code)
			rate := math.NaN() // nobody presented: no rate, not 0 %
			if v[1] > 0 {
				rate = 100 * float64(v[0]) / float64(v[1])
			}
			s.Values = append(s.Values, rate)
		}
	}
	pct := func(x float64) string { return formatNumber(p.Lang, float64(int(x+0.5))) + " %" }
	d.ByComponent = barChart(p.L("Taux de validation par bloc de compétences", "Validation rate per component"), labels, s, 100, pct)
	return nil
}

// issuedChart counts the documents issued per month over the last twelve
// months, one series per kind. The certificates feature may not be in this
// build yet: without its table the chart says so instead of failing.
func (ui *UI) issuedChart(ctx context.Context, p *page, d *dashboardData) error {
	today := p.Today
	first := civil.New(today.Year, today.Month, 1).AddMonths(-11)
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
	if ui.schema.certificates {
		var rows []struct {
			IssuedOn civil.Date
			Kind     string
		}
		q := ui.DB.WithContext(ctx).Table("certificates").Where("issued_on >= ?", first)
		if ui.schema.certificateKind {
			q = q.Select("issued_on, kind")
		} else {
			q = q.Select("issued_on")
		}
		if err := q.Scan(&rows).Error; err != nil {
			return fmt.Errorf("dashboard: certificates: %w", err)
		}
		d.HasIssued = true
		for _, r := range rows {
			i := (r.IssuedOn.Year-first.Year)*12 + int(r.IssuedOn.Month) - int(first.Month)
			if i < 0 || i >= 12 {
				continue
			}
			k := 0
			if r.Kind == "partial_attestation" {
				k = 1
			}
			ss[k].Values[i]++
			d.IssuedTotal++
		}
	}
	d.Issued = lineChart(p.L("Documents délivrés par mois", "Documents issued per month"), labels, ss, nil)
	return nil
}

// upcomingSessions lists the next jury sessions with their members and
// candidates, when the jury feature's tables exist in this build.
func (ui *UI) upcomingSessions(ctx context.Context, p *page, d *dashboardData) error {
	if !ui.schema.juries {
		return nil
	}
	d.HasJuries = true
	var rows []struct {
		ID, Certification, Location string
		SessionDate                 civil.Date
	}
	db := ui.DB.WithContext(ctx)
	err := db.Table("juries").Select("id, certification, location, session_date").
		Where("session_date >= ?", p.Today).Order("session_date, id").Limit(8).Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("dashboard: juries: %w", err)
	}
	if len(rows) == 0 {
		return nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	count := func(table string) (map[string]int, error) {
		var cs []struct {
			JuryID string
			N      int
		}
		if err := db.Table(table).Select("jury_id, COUNT(*) AS n").Where("jury_id IN ?", ids).
			Group("jury_id").Scan(&cs).Error; err != nil {
			return nil, fmt.Errorf("dashboard: %s: %w", table, err)
		}
		m := make(map[string]int, len(cs))
		for _, c := range cs {
			m[c.JuryID] = c.N
		}
		return m, nil
	}
	members, err := count("jury_members")
	if err != nil {
		return err
	}
	cands := map[string]int{}
	if ui.schema.juryCandidates {
		if cands, err = count("jury_candidates"); err != nil {
			return err
		}
	}
	for _, r := range rows {
		title := r.Certification
		if cert, ok := ui.Referential.Certification(r.Certification); ok {
			title = cert.Title
		}
		d.Upcoming = append(d.Upcoming, upcomingSession{ID: r.ID, Certification: title, Location: r.Location,
			Date: p.Date(r.SessionDate), Members: members[r.ID], Candidates: cands[r.ID]})
	}
	return nil
}
