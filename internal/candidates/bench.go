package candidates

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/database"
	"gorm.io/gorm"
)

// Synthetic names for the benchmark dataset: French and foreign names with
// accents, so that searches exercise the folded column.
var (
	benchFirst = []string{"Éloïse", "Chloé", "Mathieu", "Camille", "Léa", "Noémie", "Jérôme", "Hélène", "Inès", "Benoît",
		"François", "Maëlle", "Zoé", "Anaïs", "Gaëlle", "Loïc", "Raphaël", "Joël", "Cécile", "Océane",
		"Łukasz", "Nguyễn Thị", "Ángel", "Søren", "Jürgen", "Çağla", "Thomas", "Nicolas", "Julie", "Sophie",
		"Pierre", "Marie", "Lucas", "Emma", "Hugo", "Manon", "Louis", "Sarah", "Nathan", "Laura"}
	benchLast = []string{"Lefèvre", "Dubois", "Garnier", "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand",
		"Moreau", "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
		"Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Müller", "Wiśniewski",
		"Ánh", "Nguyễn", "Benoît", "Gauthier", "Perrin", "Chevalier", "Mercier", "Blanc", "Guérin", "Boyer",
		"Faure", "André", "Clément", "Gaillard", "Barbier", "Arnaud", "Rolland", "Lemaître", "Brunet", "Meunier"}
	benchEmployers = []string{"Cabinet Recouvrement Atlantique", "Créances Services Lyon", "Recouvrement Méditerranée",
		"Cabinet Dupré Recouvrement", "Groupe Créances du Nord", "Recouvrement de l'Ouest", "Intrum Justitia",
		"Contentia Île-de-France", "Cabinet Bérard", "Société Générale de Recouvrement", "Créancia Bretagne", "Axiome Recouvrement"}
	benchOrgs = []string{"Institut de formation du recouvrement", "Centre de formation ANCR", "Formapro Créances", "École du recouvrement"}
)

// SeedBench inserts n synthetic candidates as fast as the database allows,
// for the million-row benchmark: on PostgreSQL one INSERT … SELECT over
// generate_series per 100 000 rows (the server builds the rows), on SQLite
// batches of 5 000. progress hears the running total.
func SeedBench(ctx context.Context, db *gorm.DB, n int, progress func(done int)) error {
	if progress == nil {
		progress = func(int) {}
	}
	db = db.WithContext(ctx)
	if db.Dialector.Name() == "postgres" {
		return seedBenchPostgres(db, n, progress)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 42))
	const batch = 5000
	now := time.Now().UTC()
	buf := make([]Candidate, 0, batch)
	for done := 0; done < n; {
		buf = buf[:0]
		for i := 0; i < batch && done+i < n; i++ {
			f, l := benchFirst[rng.IntN(len(benchFirst))], benchLast[rng.IntN(len(benchLast))]
			c := Candidate{ID: database.NewID(), FirstName: f, LastName: l,
				BirthDate: civil.New(1960+rng.IntN(45), time.Month(1+rng.IntN(12)), 1+rng.IntN(28)),
				Email:     fmt.Sprintf("%s.%s.%d@example.fr", strings.ReplaceAll(Fold(f), " ", "-"), Fold(l), done+i),
				Employer:  benchEmployers[rng.IntN(len(benchEmployers))], TrainingOrganisation: benchOrgs[rng.IntN(len(benchOrgs))],
				CreatedBy: "bench", CreatedAt: now, UpdatedAt: now}
			c.Search = c.searchText()
			buf = append(buf, c)
		}
		if err := db.CreateInBatches(buf, 500).Error; err != nil {
			return fmt.Errorf("seed bench: %w", err)
		}
		done += len(buf)
		progress(done)
	}
	return nil
}

func seedBenchPostgres(db *gorm.DB, n int, progress func(int)) error {
	arr := func(xs []string, fold bool) string {
		q := make([]string, len(xs))
		for i, x := range xs {
			if fold {
				x = Fold(x)
			}
			q[i] = "'" + strings.ReplaceAll(x, "'", "''") + "'"
		}
		return "ARRAY[" + strings.Join(q, ",") + "]"
	}
	// Ids look like UUIDv7 (time-ordered text): this run's millisecond, then
	// the row number, so that they sort after every existing id and by row.
	ms := fmt.Sprintf("%012x", time.Now().UnixMilli())
	prefix := ms[:8] + "-" + ms[8:12] + "-7" + fmt.Sprintf("%03x", rand.IntN(4096)) + "-8"
	// Building the trigram index once over the new rows is several times
	// faster than maintaining it row by row: drop it, insert, rebuild it from
	// its own definition.
	var indexDef string
	if err := db.Raw(`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()
		AND tablename = 'candidates' AND indexname = 'idx_candidates_search_trgm'`).Scan(&indexDef).Error; err != nil {
		return fmt.Errorf("seed bench: %w", err)
	}
	if indexDef != "" {
		if err := db.Exec("DROP INDEX idx_candidates_search_trgm").Error; err != nil {
			return fmt.Errorf("seed bench: %w", err)
		}
	}
	const chunk = 100_000
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		sql := fmt.Sprintf(`INSERT INTO candidates (id, first_name, last_name, birth_date, email, employer,
				training_organisation, search, created_by, created_at, updated_at)
			SELECT '%[1]s' || lpad(to_hex(i / 281474976710656), 3, '0') || '-' || lpad(to_hex(i %% 281474976710656), 12, '0'),
				(%[2]s)[f], (%[3]s)[l], DATE '1960-01-01' + (i * 7919 %% 16000)::int,
				replace((%[4]s)[f], ' ', '-') || '.' || (%[5]s)[l] || '.' || i || '@example.fr', (%[6]s)[e], (%[7]s)[o],
				(%[4]s)[f] || ' ' || (%[5]s)[l] || ' ' || replace((%[4]s)[f], ' ', '-') || '.' || (%[5]s)[l] || '.' || i || '@example.fr ' || (%[8]s)[e],
				'bench', now(), now()
			FROM (SELECT i, 1 + (i * 31 + i / 7) %% %[9]d AS f, 1 + (i * 17 + i / 13) %% %[10]d AS l,
				1 + i %% %[11]d AS e, 1 + i %% %[12]d AS o FROM generate_series(%[13]d::bigint, %[14]d::bigint) AS i) AS g`,
			prefix, arr(benchFirst, false), arr(benchLast, false), arr(benchFirst, true), arr(benchLast, true),
			arr(benchEmployers, false), arr(benchOrgs, false), arr(benchEmployers, true),
			len(benchFirst), len(benchLast), len(benchEmployers), len(benchOrgs), start, end-1)
		if err := db.Exec(sql).Error; err != nil {
			return fmt.Errorf("seed bench: %w", err)
		}
		progress(end)
	}
	if indexDef != "" {
		if err := db.Exec(indexDef).Error; err != nil {
			return fmt.Errorf("seed bench: rebuild search index: %w", err)
		}
	}
	// VACUUM sets the visibility map (index-only scans) and, had the index
	// been kept, would empty GIN's pending list, which every search scans
	// linearly until then; ANALYZE gives the planner the new row counts.
	return db.Exec("VACUUM ANALYZE candidates").Error
}
