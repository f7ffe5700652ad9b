package reporting

import (
	"context"
	"fmt"

	"github.com/ancr/cqp/internal/civil"
)

// Dashboard is what the administrators' dashboard shows, read in one place
// (this package is the one that reads across the features' tables).
type Dashboard struct {
	Candidates int64
	// Enrollments counts the active enrollments per certification and pathway.
	Enrollments []EnrollmentCount
	// Components tallies the decisions in force (corrections applied) per
	// component: how many, how many validated.
	Components map[string]Tally
	// Issued counts the documents in force (neither revoked nor replaced)
	// issued per month and kind, from the first day of Since.
	Since  civil.Date
	Issued []MonthCount
	// Upcoming are the next jury sessions, from today, at most eight.
	Upcoming []Session
}

// EnrollmentCount is one cell of the enrollments chart.
type EnrollmentCount struct {
	Certification, Pathway string
	N                      int64
}

// Tally is decisions taken and validated.
type Tally struct{ Total, Validated int64 }

// MonthCount is the documents of one kind issued in one month.
type MonthCount struct {
	Year  int
	Month int
	Kind  string
	N     int64
}

// Session is a jury session to come.
type Session struct {
	ID, Certification, Location string
	SessionDate                 civil.Date
	Members, Candidates         int
}

// Dashboard reads the dashboard's figures as of today; documents count
// over the twelve months ending with today's.
func (s *Service) Dashboard(ctx context.Context, today civil.Date) (Dashboard, error) {
	db := s.db.WithContext(ctx)
	d := Dashboard{Components: map[string]Tally{}, Since: civil.New(today.Year, today.Month, 1).AddMonths(-11)}
	if err := db.Table("candidates").Count(&d.Candidates).Error; err != nil {
		return d, fmt.Errorf("dashboard: candidates: %w", err)
	}
	if err := db.Table("enrollments").Select("certification, pathway, COUNT(*) AS n").Where("status = ?", "active").
		Group("certification, pathway").Scan(&d.Enrollments).Error; err != nil {
		return d, fmt.Errorf("dashboard: enrollments: %w", err)
	}
	var comps []struct {
		Component        string
		Total, Validated int64
	}
	if err := db.Table("component_decisions").
		Select("component, COUNT(*) AS total, SUM(CASE WHEN decision = 'validated' THEN 1 ELSE 0 END) AS validated").
		Where("superseded_by IS NULL").Group("component").Scan(&comps).Error; err != nil {
		return d, fmt.Errorf("dashboard: decisions: %w", err)
	}
	for _, c := range comps {
		d.Components[c.Component] = Tally{Total: c.Total, Validated: c.Validated}
	}
	var docs []struct {
		IssuedOn civil.Date
		Kind     string
	}
	if err := db.Table("certificates").Select("issued_on, kind").
		Where("issued_on >= ? AND revoked_at IS NULL AND superseded_by IS NULL", d.Since).Scan(&docs).Error; err != nil {
		return d, fmt.Errorf("dashboard: certificates: %w", err)
	}
	counts := map[MonthCount]int64{}
	for _, r := range docs {
		counts[MonthCount{Year: r.IssuedOn.Year, Month: int(r.IssuedOn.Month), Kind: r.Kind}]++
	}
	for k, n := range counts {
		k.N = n
		d.Issued = append(d.Issued, k)
	}
	var err error
	d.Upcoming, err = s.upcoming(ctx, today)
	return d, err
}

// upcoming lists the next jury sessions with their members and candidates.
func (s *Service) upcoming(ctx context.Context, today civil.Date) ([]Session, error) {
	db := s.db.WithContext(ctx)
	var out []Session
	if err := db.Table("juries").Select("id, certification, location, session_date").
		Where("session_date >= ?", today).Order("session_date, id").Limit(8).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("dashboard: juries: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]string, len(out))
	for i, r := range out {
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
		return nil, err
	}
	cands, err := count("jury_candidates")
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Members, out[i].Candidates = members[out[i].ID], cands[out[i].ID]
	}
	return out, nil
}
