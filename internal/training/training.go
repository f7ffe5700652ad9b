// Package training runs the simulated collection files of internal/scenario
// for trainees: attempts drawn from a stored seed, autosave, one timed
// submission graded at once, the trainers' review queue for free text, exam
// attempts whose result stays hidden until released, and progress by component.
package training

import (
	"context"
	"io/fs"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ancr/cqp/internal/law"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/scenario"
	"gorm.io/gorm"
)

// Grace is how long after the deadline answers and a submission still count
// as on time: it absorbs the autosave in flight at the last second and the
// network. After it, saves are refused and a submission is graded on the
// answers saved in time, flagged late.
const Grace = 60 * time.Second

// ParameterSource gives the dated law tables in force (the referential) and
// the version of what it holds, which changes whenever an administrator adds
// a value (on any replica: the referential follows the database).
type ParameterSource interface {
	LawParameters() law.Parameters
	Version() int64
}

// Visibility says whether an actor may see a candidate's records: the
// candidates feature answers (a trainer sees the trainees of their cohorts).
type Visibility interface {
	CanSee(ctx context.Context, actor auth.User, candidateID string) (bool, error)
}

// Service is the training feature.
type Service struct {
	db     *gorm.DB
	now    func() time.Time
	params ParameterSource
	vis    Visibility
	log    *slog.Logger

	// raw is the content as read from the assessments, before the checks.
	// A scenario whose dates lie outside the parameter tables fails its
	// check (its keys cannot be computed) and is held back; the checks run
	// again when the parameters change, so the scenario is served as soon as
	// an administrator adds the missing value, without a release.
	raw     scenario.Catalogue
	loadErr []error
	mu      sync.Mutex            // one re-check at a time
	idx     atomic.Pointer[index] // the checked catalogue in force
}

// index is a checked catalogue and what the pages need of it, computed once
// per version of the parameters.
type index struct {
	version  int64 // of the parameters it was checked against
	cat      scenario.Catalogue
	problems []error

	entries  []ScenarioEntry          // the catalogue as listed
	byID     map[string]int           // scenario id → index in cat.Scenarios and entries
	moduleOf map[string]string        // scenario id → first module that lists it
	base     map[string]scenario.View // scenario id → its public view on the base case
	comps    map[string][]string      // component → scenario ids, in module then id order
}

// NewService reads the scenarios and modules of assessments and checks them
// against the parameters in force: a broken scenario or module is logged and
// left out, so that it is never served. A nil Visibility lets trainers and
// administrators see every trainee.
func NewService(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Visibility == nil {
		o.Visibility = openVisibility{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{db: o.DB, now: o.Now, params: o.Parameters, vis: o.Visibility, log: o.Log}
	s.raw, s.loadErr = scenario.Load(o.Assessments)
	s.index()
	return s
}

// Options is what the service is built with.
type Options struct {
	DB  *gorm.DB
	Now func() time.Time
	// Parameters are the law parameters in force (the referential).
	Parameters ParameterSource
	// Visibility says which trainees a trainer or administrator sees.
	Visibility Visibility
	// Assessments holds the scenarios and modules (assessments/).
	Assessments fs.FS
	Log         *slog.Logger
}

// index is the checked catalogue for the parameters in force, checked again
// when they have changed since.
func (s *Service) index() *index {
	v := s.params.Version()
	if ix := s.idx.Load(); ix != nil && ix.version == v {
		return ix
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ix := s.idx.Load(); ix != nil && ix.version == v {
		return ix
	}
	cat, errs := scenario.CheckAll(s.raw, s.params.LawParameters())
	ix := newIndex(cat)
	ix.version, ix.problems = v, append(slices.Clip(s.loadErr), errs...)
	for _, e := range ix.problems {
		s.log.Warn("assessment excluded: run `cqp assessments check`", "problem", e.Error())
	}
	s.log.Info("assessments checked", "scenarios", len(cat.Scenarios), "modules", len(cat.Modules),
		"problems", len(ix.problems), "parameters_version", v)
	s.idx.Store(ix)
	return ix
}

func newIndex(cat scenario.Catalogue) *index {
	s := &index{cat: cat, byID: map[string]int{}, moduleOf: map[string]string{}, base: map[string]scenario.View{},
		comps: map[string][]string{}}
	for _, m := range cat.Modules {
		for _, id := range m.Scenarios {
			if _, ok := s.moduleOf[id]; !ok {
				s.moduleOf[id] = m.ID
			}
		}
	}
	for i, sc := range cat.Scenarios {
		s.byID[sc.ID] = i
		v := scenario.Public(sc, scenario.Base(sc))
		s.base[sc.ID] = v
		s.entries = append(s.entries, ScenarioEntry{
			ID: sc.ID, Title: sc.Title, Component: sc.Component(), Components: sc.Components, Kind: sc.Kind,
			DurationMinutes: sc.DurationMinutes, PassMark: sc.Mark(), Summary: v.Summary, Module: s.moduleOf[sc.ID],
			Tasks: len(sc.Tasks), TrainerReview: slices.ContainsFunc(sc.Tasks, func(t scenario.Task) bool { return t.Type == scenario.FreeText }),
		})
	}
	// Within a component, scenarios come in module order, then the others.
	for _, m := range cat.Modules {
		for _, id := range m.Scenarios {
			if i, ok := s.byID[id]; ok {
				for _, c := range cat.Scenarios[i].Components {
					if !slices.Contains(s.comps[c], id) {
						s.comps[c] = append(s.comps[c], id)
					}
				}
			}
		}
	}
	for _, sc := range cat.Scenarios {
		for _, c := range sc.Components {
			if !slices.Contains(s.comps[c], sc.ID) {
				s.comps[c] = append(s.comps[c], sc.ID)
			}
		}
	}
	return s
}

// Catalogue is what the service serves.
func (s *Service) Catalogue() scenario.Catalogue { return s.index().cat }

// Problems are why scenarios or modules are held back, for the parameters in force.
func (s *Service) Problems() []error { return s.index().problems }

// Parameters are the law tables grading uses.
func (s *Service) Parameters() law.Parameters { return s.params.LawParameters() }

func (s *Service) scenario(id string) (scenario.Scenario, bool) {
	ix := s.index()
	i, ok := ix.byID[id]
	if !ok {
		return scenario.Scenario{}, false
	}
	return ix.cat.Scenarios[i], true
}

// openVisibility is the rule without cohorts: staff see every trainee.
type openVisibility struct{}

func (openVisibility) CanSee(_ context.Context, actor auth.User, candidateID string) (bool, error) {
	switch actor.Role {
	case auth.RoleAdmin, auth.RoleTrainer:
		return true, nil
	case auth.RoleCandidate:
		return actor.CandidateID != nil && *actor.CandidateID == candidateID, nil
	}
	return false, nil
}
