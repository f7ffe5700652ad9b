package certificates

import (
	"context"
	"fmt"
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/database"
)

// SeedBench inserts one synthetic document per candidate id, numbered as
// the service numbers them (valid check characters, series CQP-BENCH), for
// the register benchmark (`cqp bench backoffice`). The bodies are empty:
// nothing reads them there. It returns the numbers.
func (s *Service) SeedBench(ctx context.Context, candidateIDs []string, certification string, on civil.Date) ([]string, error) {
	db := s.db.WithContext(ctx)
	secret := s.keys.NumberingSecret()
	numbers := make([]string, 0, len(candidateIDs))
	now := time.Now().UTC()
	const batch = 2000
	for start := 0; start < len(candidateIDs); start += batch {
		rows := make([]Record, 0, batch)
		for i, id := range candidateIDs[start:min(start+batch, len(candidateIDs))] {
			n := formatNumber(secret, numberPrefix(KindCertificate, "BENCH"), on.Year, int64(start+i+1))
			numbers = append(numbers, n)
			rows = append(rows, Record{ID: database.NewID(), Number: n, Kind: KindCertificate, CandidateID: id,
				Certification: certification, IssuedOn: on, StateHash: "bench", Body: "{}", Credentials: "{}", KID: "bench",
				CreatedBy: "bench", CreatedAt: now})
		}
		if err := db.CreateInBatches(rows, 500).Error; err != nil {
			return nil, fmt.Errorf("seed bench certificates: %w", err)
		}
	}
	return numbers, nil
}
