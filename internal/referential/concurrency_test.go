package referential_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
)

// Administrators on two replicas add the same half-year at the same time:
// exactly one value is written, the others get 409, none a 500.
func TestParameters_ConcurrentAdditionsOfOneHalfYearKeepOne(t *testing.T) {
	a := apptest.New(t)
	b := apptest.New(t, apptest.ReplicaOf(a))
	_, ta := a.User(t, "admin")
	tb := ta // one database: B reads A's sessions
	const n = 8
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			env, tok := a, ta
			if i%2 == 1 {
				env, tok = b, tb
			}
			body := fmt.Sprintf(`{"from":"2027-01-01","values":{"consumer_creditor":7.%d,"other":3.%d}}`, i, i)
			statuses[i] = env.Do(t, "POST", "/api/v1/parameters/legal_interest_rate", tok, body).Status
		}()
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
		default:
			t.Fatalf("statuses %v", statuses)
		}
	}
	var rows int64
	a.App.DB.Table("parameter_values").Where("param_table = ? AND valid_from = ?", "legal_interest_rate", "2027-01-01").Count(&rows)
	if created != 1 || rows != 1 {
		t.Fatalf("%d created, %d rows; statuses %v", created, rows, statuses)
	}
}

// BenchmarkSync measures the check each request makes: one primary-key
// read when nothing changed.
func BenchmarkSync(b *testing.B) {
	env := apptest.New(b)
	ref := env.App.Referential
	ctx := context.Background()
	for b.Loop() {
		if err := ref.Sync(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefresh measures a reload after a change elsewhere.
func BenchmarkRefresh(b *testing.B) {
	env := apptest.New(b)
	ref := env.App.Referential
	ctx := context.Background()
	for b.Loop() {
		if err := ref.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
