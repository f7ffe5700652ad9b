package apptest

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"gorm.io/gorm"
)

// Statements counts the SQL statements the product sends through GORM from
// now on (queries, inserts, updates, deletes, raw statements; BEGIN and
// COMMIT are not counted): benchmarks report it per operation.
func (e *Env) Statements() *atomic.Int64 {
	var n atomic.Int64
	count := func(*gorm.DB) { n.Add(1) }
	cb := e.App.DB.Callback()
	name := "apptest:count"
	for _, err := range []error{
		cb.Query().After("gorm:query").Register(name, count),
		cb.Create().After("gorm:create").Register(name, count),
		cb.Update().After("gorm:update").Register(name, count),
		cb.Delete().After("gorm:delete").Register(name, count),
		cb.Row().After("gorm:row").Register(name, count),
		cb.Raw().After("gorm:raw").Register(name, count),
	} {
		if err != nil {
			panic(err)
		}
	}
	return &n
}

// ScoringJury is a jury of 6 members (4 professionals, 2 organisation
// representatives) for certification, sitting on 2026-11-20, with n
// enrolled candidates assigned, each with an exam attempt id: the set-up of
// the scoring benchmarks. It returns the jury, the last candidate, and a
// member (a professional, not the president) with their token.
func (e *Env) ScoringJury(t testing.TB, certification string, n int) (juryID, candidateID string, member auth.User, token string) {
	t.Helper()
	_, admin := e.User(t, auth.RoleAdmin)
	var seats []map[string]any
	for i := range 6 {
		u, tok := e.User(t, auth.RoleJury, Organisation(fmt.Sprintf("Organisation %d", i)))
		cat := "professional"
		if i >= 4 {
			cat = "organisation_representative"
		}
		seats = append(seats, map[string]any{"user_id": u.ID, "category": cat})
		if i == 1 {
			member, token = u, tok
		}
	}
	res := e.Do(t, "POST", "/api/v1/juries", admin, map[string]any{"certification": certification,
		"session_date": "2026-11-20", "location": "Lyon", "members": seats})
	if res.Status != http.StatusCreated {
		t.Fatalf("create jury: %d %s", res.Status, res.Body)
	}
	var j struct{ ID string }
	res.JSON(t, &j)
	for range n {
		c := e.Candidate(t, Employer("Employeur sans lien"))
		e.Enroll(t, c.ID, certification)
		res := e.Do(t, "POST", "/api/v1/juries/"+j.ID+"/candidates", admin,
			map[string]any{"candidate_id": c.ID, "exam_attempt_id": database.NewID()})
		if res.Status != http.StatusCreated {
			t.Fatalf("assign: %d %s", res.Status, res.Body)
		}
		candidateID = c.ID
	}
	return j.ID, candidateID, member, token
}
