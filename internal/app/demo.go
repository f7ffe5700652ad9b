package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/training"
)

type demoFile struct {
	Candidates []struct {
		Key string `json:"key"`
		candidates.NewCandidate
		// Enrollments: a jury assesses only candidates enrolled in its certification.
		Enrollments []candidates.NewEnrollment `json:"enrollments"`
	} `json:"candidates"`
	Users []struct {
		auth.NewUser
		Candidate string `json:"candidate"`
	} `json:"users"`
	Juries      []demoJury    `json:"juries"`
	VAEDossiers []demoDossier `json:"vae_dossiers"`
}

// loadDemo fills an empty database (no account yet, or only the bootstrap
// administrator) with the demo dataset of seed/demo.json, through the same
// services as real use, so that it is audited and valid.
func (a *App) loadDemo(ctx context.Context) error {
	if used, err := a.hasData(ctx); err != nil || used {
		return err
	}
	raw, err := fs.ReadFile(a.seedFS, "demo.json")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	var df demoFile
	if err := json.Unmarshal(raw, &df); err != nil {
		return fmt.Errorf("demo: demo.json: %w", err)
	}
	system := auth.User{ID: "system", Role: auth.RoleAdmin}
	// With the demo year, the named persons and accounts are made when its
	// story starts, years back, and the year is written in date order
	// after them; the clock comes back to now for what happens today.
	today := civil.Of(a.clock.base().UTC())
	year := a.Cfg.DemoYear
	if year {
		a.clock.set(at(demoStart(today), 8, 0))
	}
	defer a.clock.release()
	ids, users := map[string]string{}, map[string]string{}
	for _, c := range df.Candidates {
		cand, err := a.Candidates.Create(ctx, system, c.NewCandidate)
		if err != nil {
			return fmt.Errorf("demo candidate %s: %w", c.Key, err)
		}
		ids[c.Key] = cand.ID
		for _, e := range c.Enrollments {
			if _, err := a.Candidates.Enroll(ctx, system, cand.ID, e); err != nil {
				return fmt.Errorf("demo candidate %s: enroll in %s: %w", c.Key, e.Certification, err)
			}
		}
	}
	for _, u := range df.Users {
		nu := u.NewUser
		if u.Candidate != "" {
			id := ids[u.Candidate]
			nu.CandidateID = &id
		}
		created, err := a.Auth.CreateUser(ctx, "system", nu)
		if err != nil {
			return fmt.Errorf("demo user %s: %w", u.Email, err)
		}
		users[u.Email] = created.ID
	}
	if year {
		if err := a.loadDemoYear(ctx, today, ids, users); err != nil {
			return err
		}
		a.clock.release()
		// The README's jury sits in two and a half weeks, whatever today is.
		for i := range df.Juries {
			df.Juries[i].SessionDate = weekday(today.AddDays(18+7*i), false)
		}
	}
	if err := a.loadDemoSessions(ctx, system, df, ids, users); err != nil {
		return err
	}
	if year {
		if err := a.demoToday(ctx, ids["eloise"], users); err != nil {
			return err
		}
	}
	a.Log.Info("demo dataset loaded", "candidates", len(df.Candidates), "users", len(df.Users), "year", year)
	return nil
}

// demoToday is what the demo year leaves for now: requests the certifier's
// silence made admissible, and the demo trainee's exam in progress.
func (a *App) demoToday(ctx context.Context, eloise string, users map[string]string) error {
	if _, err := a.VAE.ApplyImplicitAdmissibility(ctx); err != nil {
		return fmt.Errorf("demo: implicit admissibility: %w", err)
	}
	admin, err := a.Auth.Get(ctx, users["admin@demo.cqp.fr"])
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for _, e := range a.Training.Scenarios() {
		if !strings.HasPrefix(e.Component, "CLERC") {
			continue
		}
		_, err := a.Training.Start(ctx, admin, e.ID, training.StartRequest{Mode: training.Exam, CandidateID: eloise})
		if err != nil {
			return fmt.Errorf("demo: the trainee's exam: %w", err)
		}
		return nil
	}
	return nil
}

// hasData tells whether the database holds an account (the bootstrap
// administrator aside) or a candidate: the demo then stays out.
func (a *App) hasData(ctx context.Context) (bool, error) {
	var n, c int64
	if err := a.DB.WithContext(ctx).Model(&auth.User{}).Where("email <> ?", auth.NormaliseEmail(a.Cfg.BootstrapAdminEmail)).Count(&n).Error; err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	if err := a.DB.WithContext(ctx).Model(&candidates.Candidate{}).Count(&c).Error; err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	return n+c > 0, nil
}
