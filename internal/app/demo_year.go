package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/referential"
	"github.com/ancr/cqp/internal/scenario"
	"github.com/ancr/cqp/internal/training"
)

// The demo year: what the ANCR's platform holds in its second year, made
// by a fixed-seed generator and written through the services (rules, audit
// chain, signatures), never by raw inserts. The plan is drawn first, from
// the seed alone, as dated events; the events then run in date order with
// the services' clock standing at each one's instant, so that every rule
// about dates holds and the journal is chronological. Dates are relative
// to today (the clock when the demo loads), so the demo never looks stale.

const (
	clerc = "clerc-recouvrement-amiable"
	agent = "agent-recouvrement"
)

// demoSeed fixes the generator: the same people, sessions and scores on
// every load, on both databases.
var demoSeed = [2]uint64{19, 2098}

// demoYearCandidates is how many candidates the year generates, besides
// the named demo persons of seed/demo.json.
const demoYearCandidates = 195

// demoJurorPassword is the password of the jurors the year adds (the same
// as the README's jury accounts).
const demoJurorPassword = "Jury-CQP-2026"

// event is one dated write of the plan.
type event struct {
	at  time.Time
	run func() error
}

// year is the generator's state: the plan, then what the writes made.
type year struct {
	a     *App
	ctx   context.Context
	rng   *rand.Rand
	today civil.Date
	plan  []event

	admin, trainer, support auth.User
	// jurors by email: the README's and the year's own.
	jurors map[string]auth.User
	// named demo candidates by key (seed/demo.json).
	named map[string]string

	scenarios map[string][]training.ScenarioEntry // by certification
	// juries by the plan's name (P1…P4, R, U1), filled when created.
	juries map[string]*string
	// handedP3 and handedU1 are the VAE candidates handed to those juries.
	handedP3, handedU1 []*gc
	freeText           map[string]bool // scenarios with a free-text task (reviewed by a trainer)
}

// gc is a generated candidate: its draw, then its id once created.
type gc struct {
	person
	id      string
	account *auth.User // a trainee's account (invited), who answers attempts
	exam    *string    // the exam attempt shown to its jury
}

// at is an instant of day d, in UTC.
func at(d civil.Date, hour, minute int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, time.UTC)
}

// weekday moves d forward to a Monday–Friday (backward when back is set).
func weekday(d civil.Date, back bool) civil.Date {
	for {
		switch d.Time().Weekday() {
		case time.Saturday, time.Sunday:
			if back {
				d = d.AddDays(-1)
			} else {
				d = d.AddDays(1)
			}
			continue
		}
		return d
	}
}

func (y *year) add(t time.Time, run func() error) { y.plan = append(y.plan, event{at: t, run: run}) }

// loadDemoYear plans the year from the seed, then runs it; the named
// persons and accounts of seed/demo.json already exist (made at start).
func (a *App) loadDemoYear(ctx context.Context, today civil.Date, named, users map[string]string) error {
	y := &year{a: a, ctx: ctx, rng: rand.New(rand.NewPCG(demoSeed[0], demoSeed[1])), today: today,
		named: named, jurors: map[string]auth.User{}, juries: map[string]*string{}, scenarios: map[string][]training.ScenarioEntry{}, freeText: map[string]bool{}}
	var err error
	get := func(email string) auth.User {
		if err != nil {
			return auth.User{}
		}
		var u auth.User
		u, err = a.Auth.Get(ctx, users[email])
		return u
	}
	y.admin, y.trainer, y.support = get("admin@demo.cqp.fr"), get("formatrice@demo.cqp.fr"), get("accompagnatrice@demo.cqp.fr")
	for _, e := range []string{"jury.pro1@demo.cqp.fr", "jury.pro2@demo.cqp.fr", "jury.pro3@demo.cqp.fr", "jury.ancr@demo.cqp.fr"} {
		y.jurors[e] = get(e)
	}
	if err != nil {
		return fmt.Errorf("demo year: accounts: %w", err)
	}
	cat := a.Training.Catalogue()
	for _, e := range a.Training.Scenarios() {
		sc, ok := cat.Scenario(e.ID)
		if !ok {
			continue
		}
		cert := agent
		if len(e.Component) >= 5 && e.Component[:5] == "CLERC" {
			cert = clerc
		}
		y.scenarios[cert] = append(y.scenarios[cert], e)
		for _, t := range sc.Tasks {
			if t.Type == scenario.FreeText {
				y.freeText[e.ID] = true
			}
		}
	}
	if len(y.scenarios[clerc]) == 0 || len(y.scenarios[agent]) == 0 {
		return errors.New("demo year: no scenario for one of the certifications")
	}
	if err := y.planYear(); err != nil {
		return err
	}
	sort.SliceStable(y.plan, func(i, j int) bool { return y.plan[i].at.Before(y.plan[j].at) })
	for _, e := range y.plan {
		// An event of today planned for a later hour happens now: the plan
		// is sorted, so the clock still only moves forward.
		t := e.at
		if now := a.clock.base(); t.After(now) {
			t = now
		}
		a.clock.set(t)
		if err := e.run(); err != nil {
			return fmt.Errorf("demo year, %s: %w", e.at.Format(time.DateTime), err)
		}
	}
	return nil
}

// extraJurors are the year's own jury members, besides the README's four.
var extraJurors = []auth.NewUser{
	{Email: "jury.pro4@demo.cqp.fr", Name: "Karim Benali", Role: auth.RoleJury, Organisation: "Alsace Créances", Gender: "male"},
	{Email: "jury.pro5@demo.cqp.fr", Name: "Marie-Claire Le Goff", Role: auth.RoleJury, Organisation: "Bretagne Recouvrement", Gender: "female"},
	{Email: "jury.pro6@demo.cqp.fr", Name: "João Ferreira", Role: auth.RoleJury, Organisation: "Provence Gestion de Créances", Gender: "male"},
	{Email: "jury.pro7@demo.cqp.fr", Name: "Aminata Diallo", Role: auth.RoleJury, Organisation: "Cabinet Lamartine", Gender: "female"},
	{Email: "jury.of1@demo.cqp.fr", Name: "Clémence de La Fontaine", Role: auth.RoleJury, Organisation: "Académie des métiers du recouvrement", Gender: "female"},
	{Email: "jury.of2@demo.cqp.fr", Name: "Stéphane Thévenin", Role: auth.RoleJury, Organisation: "Centre de formation ANCR", Gender: "male"},
}

// planYear draws the whole year from the seed, as dated events.
func (y *year) planYear() error {
	T := y.today
	p1 := firstSession(T)
	start := demoStart(T)

	y.add(at(start, 8, 0), func() error {
		for _, nu := range extraJurors {
			nu.Password = demoJurorPassword
			u, err := y.a.Auth.CreateUser(y.ctx, y.admin.ID, nu)
			if err != nil {
				return fmt.Errorf("juror %s: %w", nu.Email, err)
			}
			y.jurors[nu.Email] = u
		}
		return nil
	})
	// The RNCP renewal: the seed's registration 26291 ended in 2019; the
	// Clerc was registered again fourteen months ago for five years.
	from := civil.New(T.AddMonths(-14).Year, T.AddMonths(-14).Month, 1)
	y.add(at(from.AddDays(-20), 9, 0), func() error {
		_, err := y.a.Referential.AddRegistration(y.ctx, y.admin, clerc, referential.RegistrationInput{Registry: "RNCP",
			Number: "39877", From: from.String(), To: from.AddYears(5).AddDays(-1).String(),
			Act: "Décision de France compétences — renouvellement de l'enregistrement (données de démonstration)"})
		return err
	})

	taken := map[string]bool{}
	for _, e := range []string{"eloise.lefevre@example.fr", "lukasz.wisniewski@example.fr", "anh.nguyen@example.fr",
		"mathieu.garnier@example.fr", "chloe.dubois@example.fr"} {
		taken[e] = true
	}
	all := people(y.rng, demoYearCandidates, T, taken)
	cs := make([]*gc, len(all))
	for i := range all {
		cs[i] = &gc{person: all[i]}
	}
	next := 0
	take := func(n int) []*gc {
		out := cs[next : next+n]
		next += n
		return out
	}

	// Cohorts per pathway for both CQPs, from a year ago to the next months.
	type cohortPlan struct {
		name, org, cert, pathway string
		from, to                 civil.Date
		n                        int
	}
	cohorts := []cohortPlan{
		{"Agents — contrat de professionnalisation, promotion d'automne", demoOrganisations[1], agent, "contrat_professionnalisation", T.AddMonths(-13), T.AddMonths(-10), 14},
		{"Clercs — formation continue, session d'hiver", demoOrganisations[0], clerc, "formation_continue", T.AddMonths(-10), T.AddMonths(-6), 14},
		{"Clercs — contrat de professionnalisation", demoOrganisations[2], clerc, "contrat_professionnalisation", T.AddMonths(-8), T.AddMonths(-2), 12},
		{"Agents — formation continue, session de printemps", demoOrganisations[0], agent, "formation_continue", T.AddMonths(-5), T.AddDays(-14), 14},
		{"Clercs — formation continue, session en cours", demoOrganisations[0], clerc, "formation_continue", T.AddMonths(-3), T.AddMonths(3), 12},
		{"Agents — contrat de professionnalisation, promotion en cours", demoOrganisations[2], agent, "contrat_professionnalisation", T.AddMonths(-2), T.AddMonths(4), 12},
	}
	groups := make([][]*gc, len(cohorts))
	historic := take(6)
	for i, c := range historic {
		c.TrainingOrganisation = demoOrganisations[i%2]
		y.register(c, start.AddDays(3+i), clerc, "formation_continue", nil)
	}
	for i, cp := range cohorts {
		cp := cp
		g := take(cp.n)
		groups[i] = g
		var cohortID string
		y.add(at(cp.from.AddDays(-14), 10, 0), func() error {
			co, err := y.a.Candidates.CreateCohort(y.ctx, y.admin, candidates.NewCohort{Name: cp.name, TrainingOrganisation: cp.org,
				Certification: cp.cert, StartsOn: cp.from, EndsOn: cp.to, TrainerIDs: []string{y.trainer.ID}})
			cohortID = co.ID
			return err
		})
		for j, c := range g {
			c.TrainingOrganisation = cp.org
			y.register(c, cp.from.AddDays(-10+j%7), cp.cert, cp.pathway, &cohortID)
			y.practise(c, cp.cert, cp.from, minDate(cp.to, T.AddDays(-1)))
		}
		if i == 4 { // Éloïse, the demo trainee, follows the current Clerc session
			y.add(at(cp.from.AddDays(-7), 11, 0), func() error {
				id := y.named["eloise"]
				if _, err := y.a.Candidates.Enroll(y.ctx, y.admin, id, candidates.NewEnrollment{Certification: clerc, Pathway: "formation_continue"}); err != nil {
					return err
				}
				return y.a.Candidates.AddMember(y.ctx, y.admin, cohortID, id)
			})
			y.practiseNamed(cp.from, T)
		}
	}

	// VAE requests at every stage.
	if err := y.planVAE(take(20)); err != nil {
		return err
	}

	// Candidates registered over the year, waiting for a session or a
	// training place; a few withdrew.
	rest := cs[next:]
	for i, c := range rest {
		c.TrainingOrganisation = demoOrganisations[i%3]
		on := T.AddDays(-360 + (i*353)/len(rest))
		cert, pathway := clerc, "formation_continue"
		switch i % 4 {
		case 1:
			cert = agent
		case 2:
			cert, pathway = agent, "contrat_professionnalisation"
		case 3:
			pathway = "contrat_professionnalisation"
		}
		if i%9 == 8 {
			y.register(c, on, "", "", nil) // recorded, not yet enrolled
			continue
		}
		y.register(c, on, cert, pathway, nil)
		if i%13 == 5 {
			c := c
			y.add(at(on.AddDays(40), 15, 0), func() error {
				es, err := y.a.Candidates.Enrollments(y.ctx, y.admin, c.id)
				if err != nil || len(es) == 0 {
					return err
				}
				_, err = y.a.Candidates.EndEnrollment(y.ctx, y.admin, c.id, es[0].ID, candidates.EnrollmentPatch{Status: "withdrawn"})
				return err
			})
		}
	}

	// Four past sessions, a recent one still being scored, and one to come
	// (the README's jury, loaded with seed/demo.json, is the other).
	pro := func(n string) string { return "jury.pro" + n + "@demo.cqp.fr" }
	y.session(sessionPlan{name: "P1", cert: clerc, date: p1, location: "Paris — ANCR, salle Colbert",
		members: []seat{{pro("1"), jury.Professional}, {pro("2"), jury.Professional}, {pro("3"), jury.Professional}, {"jury.ancr@demo.cqp.fr", jury.OrganisationRepresentative}},
		cands:   historic, partial: 4, refusedAll: 0, sign: true, issueAfter: 12})
	y.session(sessionPlan{name: "P2", cert: agent, date: weekday(T.AddMonths(-9), false), location: "Lyon — Centre de formation ANCR",
		members: []seat{{pro("2"), jury.Professional}, {pro("4"), jury.Professional}, {pro("6"), jury.Professional}, {"jury.of2@demo.cqp.fr", jury.OrganisationRepresentative}},
		cands:   groups[0][:9], partial: 2, refusedAll: 1, disagree: 2, sign: true, issueAfter: 8, revoke: true})
	// P3 starts with three members; a candidate employed by one of them
	// makes the rule fail, and the administrator enlarges the jury.
	groups[1][3].Employer = "Bretagne Recouvrement"
	y.session(sessionPlan{name: "P3", cert: clerc, date: weekday(T.AddMonths(-5), false), location: "Nantes — Institut de formation du recouvrement",
		members: []seat{{pro("3"), jury.Professional}, {pro("5"), jury.Professional}, {"jury.of1@demo.cqp.fr", jury.OrganisationRepresentative}},
		enlarge: &seat{pro("1"), jury.Professional}, conflicted: groups[1][3],
		cands: groups[1][:8], partial: 2, disagree: 1, sign: true, issueAfter: 9, vaeHanded: y.handedP3})
	y.session(sessionPlan{name: "P4", cert: clerc, date: weekday(T.AddDays(-42), false), location: "Marseille — Académie des métiers du recouvrement",
		members: []seat{{pro("1"), jury.Professional}, {pro("2"), jury.Professional}, {pro("7"), jury.Professional}, {"jury.of1@demo.cqp.fr", jury.OrganisationRepresentative}},
		cands:   groups[2][:8], partial: 2, refusedAll: 1, disagree: 1, sign: true, exams: true})
	y.session(sessionPlan{name: "R", cert: agent, date: weekday(T.AddDays(-3), true), location: "Paris — ANCR, salle Turgot",
		members: []seat{{pro("1"), jury.Professional}, {pro("2"), jury.Professional}, {pro("4"), jury.Professional}, {"jury.ancr@demo.cqp.fr", jury.OrganisationRepresentative}},
		cands:   groups[3][:5], partial: 1, deliberate: 3, unscoredBy: pro("1"), exams: true})
	y.session(sessionPlan{name: "U1", cert: agent, date: weekday(T.AddDays(35), false), location: "Bordeaux — Institut de formation du recouvrement",
		members: []seat{{pro("6"), jury.Professional}, {pro("4"), jury.Professional}, {pro("7"), jury.Professional}, {"jury.of2@demo.cqp.fr", jury.OrganisationRepresentative}},
		cands:   groups[3][5:10], exams: true, vaeHanded: y.handedU1})
	return nil
}

// firstSession is the first jury session on the platform, 4 years and 8
// months ago: the components it validated expire within six months.
func firstSession(today civil.Date) civil.Date { return weekday(today.AddMonths(-56), false) }

// demoStart is when the demo's story starts, before the first jury is
// formed (two months ahead of its session): the accounts and the named
// persons of seed/demo.json are made then.
func demoStart(today civil.Date) civil.Date { return firstSession(today).AddDays(-75) }

func minDate(a, b civil.Date) civil.Date {
	if a.Before(b) {
		return a
	}
	return b
}

// register records a candidate on day on, enrolled when cert is set, put
// in the cohort *cohort names once it exists.
func (y *year) register(c *gc, on civil.Date, cert, pathway string, cohort *string) {
	y.add(at(on, 9, 30), func() error {
		in := c.NewCandidate
		if cohort != nil {
			in.CohortID = *cohort
		}
		cand, err := y.a.Candidates.Create(y.ctx, y.admin, in)
		if err != nil {
			return fmt.Errorf("candidate %s %s: %w", c.FirstName, c.LastName, err)
		}
		c.id = cand.ID
		if cert == "" {
			return nil
		}
		if _, err := y.a.Candidates.Enroll(y.ctx, y.admin, c.id, candidates.NewEnrollment{Certification: cert, Pathway: pathway}); err != nil {
			return fmt.Errorf("enroll %s %s: %w", c.FirstName, c.LastName, err)
		}
		return nil
	})
}

// invite gives a trainee their account (invited: they choose a password
// from the link), made the first time they practise.
func (y *year) invite(c *gc) (auth.User, error) {
	if c.account != nil {
		return *c.account, nil
	}
	id := c.id
	u, err := y.a.Auth.CreateUser(y.ctx, y.admin.ID, auth.NewUser{Email: c.Email, Name: c.FirstName + " " + c.LastName,
		Role: auth.RoleCandidate, CandidateID: &id})
	if err != nil {
		return auth.User{}, fmt.Errorf("account of %s %s: %w", c.FirstName, c.LastName, err)
	}
	c.account = &u
	return u, nil
}

// answers is the attempt's corrigé with dropped tasks left unanswered:
// the score follows from how many are dropped, whatever case was drawn.
func (y *year) answers(attemptID string, drop float64, rng *rand.Rand) (map[string]json.RawMessage, error) {
	v, err := y.a.Training.Get(y.ctx, y.admin, attemptID)
	if err != nil {
		return nil, err
	}
	sc, ok := y.a.Training.Catalogue().Scenario(v.Scenario)
	if !ok || v.Seed == nil {
		return nil, fmt.Errorf("attempt %s: scenario or seed missing", attemptID)
	}
	// Under the names the attempt shows its trainee, as a trainee answers.
	sheet := scenario.AliasAnswers(sc, attemptID, scenario.AnswerSheet(sc, scenario.Draw(sc, *v.Seed), y.a.Training.Parameters()))
	keys := make([]string, 0, len(sheet))
	for k := range sheet {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if rng.Float64() < drop {
			delete(sheet, k)
		}
	}
	for _, t := range sc.Tasks {
		if t.Type == scenario.FreeText {
			b, _ := json.Marshal("Je vérifie d'abord l'identité de mon interlocuteur, puis je rappelle le montant dû, " +
				"sans frais de recouvrement, et je propose un échéancier compatible avec sa situation.")
			sheet[t.ID] = b
		}
	}
	return sheet, nil
}

// attempt plans one attempt of c on scenario e, started at t: practice
// by the trainee, or an exam opened by the administrator. drop is the
// share of tasks left unanswered.
func (y *year) attempt(c *gc, e training.ScenarioEntry, t time.Time, mode string, drop float64, exam bool) {
	rng := rand.New(rand.NewPCG(y.rng.Uint64(), 1)) // drawn now: the plan stays fixed
	minutes := max(5, min(e.DurationMinutes-5, 35))
	var id string
	y.add(t, func() error {
		u, err := y.invite(c)
		if err != nil {
			return err
		}
		var v training.AttemptView
		if mode == training.Exam {
			v, err = y.a.Training.Start(y.ctx, y.admin, e.ID, training.StartRequest{Mode: training.Exam, CandidateID: c.id})
		} else {
			v, err = y.a.Training.Start(y.ctx, u, e.ID, training.StartRequest{Mode: training.Practice})
		}
		if err != nil {
			return fmt.Errorf("start %s for %s: %w", e.ID, c.LastName, err)
		}
		id = v.ID
		if exam {
			c.exam = &id
		}
		return nil
	})
	y.add(t.Add(time.Duration(minutes)*time.Minute), func() error {
		sheet, err := y.answers(id, drop, rng)
		if err != nil {
			return err
		}
		if _, err := y.a.Training.Submit(y.ctx, *c.account, id, sheet); err != nil {
			return fmt.Errorf("submit %s for %s: %w", e.ID, c.LastName, err)
		}
		return nil
	})
}

// practise plans a trainee's practice attempts over their cohort: two to
// four scenarios, one in five failed first and tried again; the last
// weeks' free-text answers await the trainer's review.
func (y *year) practise(c *gc, cert string, from, to civil.Date) {
	span := from.DaysUntil(to)
	if span < 7 {
		return
	}
	pool := y.scenarios[cert]
	n := 2 + y.rng.IntN(3)
	for k := range n {
		e := pool[y.rng.IntN(len(pool))]
		day := weekday(from.AddDays(3+y.rng.IntN(span-3)), true)
		if y.freeText[e.ID] && y.today.AddDays(-21).After(day) {
			// Free-text answers are marked by the trainer: only recent ones
			// are left waiting, older practice is on graded scenarios.
			for _, alt := range pool {
				if !y.freeText[alt.ID] {
					e = alt
					break
				}
			}
		}
		t := at(day, 8+k%9, 7*k%60)
		if y.rng.IntN(5) == 0 {
			y.attempt(c, e, t, training.Practice, 0.7, false)
			t = t.Add(26 * time.Hour)
		}
		y.attempt(c, e, t, training.Practice, []float64{0, 0.1, 0.25}[y.rng.IntN(3)], false)
	}
}

// practiseNamed plans Éloïse's practice: a progress to look at.
func (y *year) practiseNamed(from, today civil.Date) {
	el := &gc{}
	y.add(at(from.AddDays(-6), 9, 0), func() error {
		var u auth.User
		if err := y.a.DB.WithContext(y.ctx).Where("email = ?", "candidat@demo.cqp.fr").Take(&u).Error; err != nil {
			return fmt.Errorf("demo trainee account: %w", err)
		}
		el.id, el.account = *u.CandidateID, &u
		el.LastName = "Lefèvre"
		return nil
	})
	pool := y.scenarios[clerc]
	for k := 0; k < 5; k++ {
		e := pool[k%len(pool)]
		if y.freeText[e.ID] && k < 3 {
			continue
		}
		day := weekday(from.AddDays(10+k*from.DaysUntil(today)/6), true)
		if !day.Before(today) {
			day = weekday(today.AddDays(-1), true)
		}
		drop := []float64{0.6, 0.1, 0.2, 0, 0.3}[k]
		y.attempt(el, e, at(day, 14, 0), training.Practice, drop, false)
	}
}

// seat is a jury member by email and college.
type seat struct{ email, category string }

// sessionPlan is one jury session of the year.
type sessionPlan struct {
	name, cert, location string
	date                 civil.Date
	members              []seat
	enlarge              *seat // added when the conflicted candidate's assignment is refused
	conflicted           *gc
	cands                []*gc
	partial, refusedAll  int // how many are partly validated, wholly refused
	disagree             int // candidates on whom a member scored far from the others
	sign                 bool
	issueAfter           int // days after the session the documents are issued (0: not yet)
	revoke               bool
	exams                bool // candidates sit a scenario as an exam a week before
	deliberate           int  // on a session not signed: how many candidates are deliberated
	unscoredBy           string
	vaeHanded            []*gc // VAE candidates handed to this jury (already assigned by the hand-over)
}

// session plans a jury from its creation (two months before) to the
// documents issued.
func (y *year) session(p sessionPlan) {
	juryID := y.jury(p.name)
	var members []jury.NewMember
	created := weekday(p.date.AddMonths(-2), true)
	if created.After(y.today) {
		created = y.today
	}
	if p.date.After(y.today) {
		created = weekday(y.today.AddDays(-20), true)
	}
	y.add(at(created, 10, 30), func() error {
		members = members[:0]
		for _, s := range p.members {
			members = append(members, jury.NewMember{UserID: y.jurors[s.email].ID, Category: s.category})
		}
		v, err := y.a.Jury.Create(y.ctx, y.admin, jury.NewJury{Certification: p.cert, SessionDate: p.date, Location: p.location,
			StartTime: "09:00", EndTime: "17:30", PresidentID: members[0].UserID, Members: members})
		if err != nil {
			return fmt.Errorf("jury %s: %w", p.name, err)
		}
		*juryID = v.ID
		return nil
	})
	if p.exams {
		for i, c := range p.cands {
			pool := y.scenarios[p.cert]
			var e training.ScenarioEntry
			for k := range pool {
				e = pool[(i+k)%len(pool)]
				if !y.freeText[e.ID] {
					break
				}
			}
			day := weekday(p.date.AddDays(-8+i%3), true)
			if !day.Before(y.today) {
				day = weekday(y.today.AddDays(-2), true)
			}
			y.attempt(c, e, at(day, 9, 15+i), training.Exam, []float64{0, 0.15, 0.3, 0.5}[i%4], true)
		}
	}
	// Assignments a month before the session (or on creation for a session
	// to come): each convenes the candidate.
	assignOn := weekday(p.date.AddDays(-5), true)
	if assignOn.After(y.today) {
		assignOn = y.today
	}
	y.add(at(assignOn, 16, 0), func() error {
		for _, c := range p.cands {
			if c == p.conflicted {
				continue
			}
			if _, err := y.a.Jury.Assign(y.ctx, y.admin, *juryID, jury.NewAssignment{CandidateID: c.id, ExamAttemptID: c.exam}); err != nil {
				return fmt.Errorf("jury %s: assign %s %s: %w", p.name, c.FirstName, c.LastName, err)
			}
		}
		if p.conflicted == nil {
			return nil
		}
		// The candidate works for a member's firm: without them the jury
		// no longer meets the rule; the administrator adds a professional.
		_, err := y.a.Jury.Assign(y.ctx, y.admin, *juryID, jury.NewAssignment{CandidateID: p.conflicted.id})
		var pb *httpx.Problem
		if !errors.As(err, &pb) || pb.Code != "conflict_of_interest" {
			return fmt.Errorf("jury %s: the conflict was not found: %v", p.name, err)
		}
		if _, err := y.a.Jury.PutMember(y.ctx, y.admin, *juryID, jury.NewMember{UserID: y.jurors[p.enlarge.email].ID, Category: p.enlarge.category}); err != nil {
			return fmt.Errorf("jury %s: enlarge: %w", p.name, err)
		}
		_, err = y.a.Jury.Assign(y.ctx, y.admin, *juryID, jury.NewAssignment{CandidateID: p.conflicted.id})
		return err
	})
	if !p.date.Before(y.today) && p.date != y.today {
		return // a session to come: convened, nothing scored yet
	}
	everyone := append(slices.Clone(p.cands), p.vaeHanded...)
	// Outcomes, drawn now: the first `partial` candidates fail one or two
	// components, the next `refusedAll` fail all but one.
	type outcome struct{ refused map[string]bool }
	outs := make([]outcome, len(everyone))
	comps := y.components(p.cert)
	for i := range everyone {
		o := outcome{refused: map[string]bool{}}
		switch {
		case i < p.partial:
			o.refused[comps[y.rng.IntN(len(comps))]] = true
			if y.rng.IntN(2) == 0 {
				o.refused[comps[y.rng.IntN(len(comps))]] = true
			}
		case i < p.partial+p.refusedAll:
			for _, c := range comps[1:] {
				o.refused[c] = true
			}
		}
		outs[i] = o
	}
	levels := make([][][]int, len(everyone)) // candidate × member × criterion level seeds
	for i := range everyone {
		levels[i] = make([][]int, len(p.members)+1)
		for m := range levels[i] {
			levels[i][m] = []int{y.rng.IntN(2), y.rng.IntN(2), y.rng.IntN(2), y.rng.IntN(2), y.rng.IntN(2), y.rng.IntN(2)}
		}
	}
	scoreDay := p.date
	y.add(at(scoreDay, 11, 0), func() error {
		v, err := y.a.Jury.Get(y.ctx, y.admin, *juryID)
		if err != nil {
			return err
		}
		excluded := map[string]map[string]bool{}
		for _, av := range v.Candidates {
			excluded[av.CandidateID] = map[string]bool{}
			for _, ex := range av.Exclusions {
				excluded[av.CandidateID][ex.UserID] = true
			}
		}
		grids := map[string][]jury.Criterion{}
		for _, comp := range comps {
			if grids[comp], err = y.a.Jury.Grid(y.ctx, y.admin, *juryID, comp); err != nil {
				return err
			}
		}
		for i, c := range everyone {
			for m, mem := range v.Members {
				if excluded[c.id][mem.UserID] || (p.unscoredBy != "" && mem.UserID == y.jurors[p.unscoredBy].ID && i >= p.deliberate) {
					continue
				}
				u, err := y.a.Auth.Get(y.ctx, mem.UserID)
				if err != nil {
					return err
				}
				for _, comp := range comps {
					in := jury.NewEvaluation{CandidateID: c.id, Component: comp, Comment: "Entretien et mise en situation étudiés."}
					for k, cr := range grids[comp] {
						l := 3 + levels[i][m%len(levels[i])][k%6]
						if outs[i].refused[comp] {
							l -= 2
						}
						// A disagreement: one member sees the first criterion
						// very differently from the others.
						if i < p.disagree && m == len(v.Members)-1 && k == 0 && comp == comps[0] {
							l = 5 - l
						}
						in.Scores = append(in.Scores, jury.LevelScore{Criterion: cr.Code, Level: min(4, max(1, l))})
					}
					if outs[i].refused[comp] {
						in.Comment = "Les critères essentiels ne sont pas atteints lors de la mise en situation."
					}
					if _, _, _, err := y.a.Jury.SaveScores(y.ctx, u, *juryID, in); err != nil {
						return fmt.Errorf("jury %s: score %s of %s %s by %s: %w", p.name, comp, c.FirstName, c.LastName, u.Name, err)
					}
				}
			}
		}
		return nil
	})
	n := len(everyone)
	if !p.sign {
		n = p.deliberate
	}
	y.add(at(p.date, 16, 30), func() error {
		v, err := y.a.Jury.Get(y.ctx, y.admin, *juryID)
		if err != nil {
			return err
		}
		president, err := y.a.Auth.Get(y.ctx, v.PresidentID)
		if err != nil {
			return err
		}
		present := make([]string, 0, len(v.Members))
		for _, m := range v.Members {
			present = append(present, m.UserID)
		}
		excluded := map[string]map[string]bool{}
		for _, av := range v.Candidates {
			excluded[av.CandidateID] = map[string]bool{}
			for _, ex := range av.Exclusions {
				excluded[av.CandidateID][ex.UserID] = true
			}
		}
		for i, c := range everyone[:n] {
			// The president records the decisions, or the first member
			// free of conflict with the candidate.
			clerk := president
			for _, m := range v.Members {
				if !excluded[c.id][clerk.ID] {
					break
				}
				if clerk, err = y.a.Auth.Get(y.ctx, m.UserID); err != nil {
					return err
				}
			}
			var ds []jury.DecisionInput
			for _, comp := range comps {
				d := jury.DecisionInput{Component: comp, Decision: "validated"}
				if outs[i].refused[comp] {
					d.Decision, d.Reason = "not_validated", refusal(comp)
				}
				ds = append(ds, d)
			}
			if _, err := y.a.Jury.Deliberate(y.ctx, clerk, *juryID, jury.NewDeliberation{CandidateID: c.id,
				PresentMemberIDs: present, DecidedOn: p.date, Decisions: ds}); err != nil {
				return fmt.Errorf("jury %s: deliberate on %s: %w", p.name, c.LastName, err)
			}
		}
		return nil
	})
	if !p.sign {
		return
	}
	y.add(at(p.date, 17, 15), func() error {
		v, err := y.a.Jury.Get(y.ctx, y.admin, *juryID)
		if err != nil {
			return err
		}
		// The president signs first, then each member countersigns.
		order := []string{v.PresidentID}
		for _, m := range v.Members {
			if m.UserID != v.PresidentID {
				order = append(order, m.UserID)
			}
		}
		for _, id := range order {
			u, err := y.a.Auth.Get(y.ctx, id)
			if err != nil {
				return err
			}
			if _, err := y.a.Jury.Sign(y.ctx, u, *juryID, jury.SignRequest{}); err != nil {
				return fmt.Errorf("jury %s: sign by %s: %w", p.name, u.Name, err)
			}
		}
		return nil
	})
	if p.issueAfter == 0 {
		return // signed, not yet issued: the administrator's batch to run
	}
	issue := weekday(p.date.AddDays(p.issueAfter), false)
	var numbers []string
	y.add(at(issue, 10, 0), func() error {
		ids := make([]string, len(everyone))
		for i, c := range everyone {
			ids[i] = c.id
		}
		rep, err := y.a.Certificates.Batch(y.ctx, y.admin.ID, p.cert, ids, nil)
		numbers = rep.Numbers
		return err
	})
	if p.revoke {
		y.add(at(weekday(y.today.AddMonths(-2), true), 14, 0), func() error {
			for _, n := range numbers {
				r, err := y.a.Certificates.Get(y.ctx, y.admin, n)
				if err != nil {
					return err
				}
				if r.Kind != "certificate" {
					continue
				}
				_, err = y.a.Certificates.Revoke(y.ctx, y.admin.ID, n,
					"Fraude à la mise en situation professionnelle établie après la délibération (rapport du surveillant et aveu du candidat).")
				return err
			}
			return errors.New("no certificate to revoke")
		})
	}
}

// jury is the id the plan's jury name will have once created.
func (y *year) jury(name string) *string {
	if y.juries[name] == nil {
		y.juries[name] = new(string)
	}
	return y.juries[name]
}

func (y *year) components(cert string) []string {
	c, _ := y.a.Referential.Certification(cert)
	out := make([]string, len(c.Components))
	for i, comp := range c.Components {
		out[i] = comp.Code
	}
	return out
}

// refusal is the jury's reason for not validating a component.
func refusal(comp string) string {
	switch comp {
	case "CLERC-1", "AGENT-1":
		return "Analyse du dossier incomplète : la prescription de la créance n'a pas été vérifiée."
	case "CLERC-2", "AGENT-2":
		return "Procédure mal choisie : une mise en demeure présentée comme un acte judiciaire."
	case "CLERC-3", "AGENT-3":
		return "Recherches d'informations menées sans respect de la protection des données du débiteur."
	default:
		return "Proposition d'échéancier incompatible avec la situation du débiteur (reste à vivre non respecté)."
	}
}
