package webui

import (
	"context"
	"fmt"
	"net/http"

	"github.com/ancr/cqp/internal/candidates"
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
	d := dashboardData{CertTitles: map[string]string{}}
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
			rate := 0.0
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
