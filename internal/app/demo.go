package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/platform/auth"
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
	var n int64
	if err := a.DB.WithContext(ctx).Model(&auth.User{}).Where("email <> ?", auth.NormaliseEmail(a.Cfg.BootstrapAdminEmail)).Count(&n).Error; err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if n > 0 {
		return nil
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
	if err := a.loadDemoSessions(ctx, system, df, ids, users); err != nil {
		return err
	}
	a.Log.Info("demo dataset loaded", "candidates", len(df.Candidates), "users", len(df.Users))
	return nil
}
