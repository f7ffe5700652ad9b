package certificates

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/platform/jobs"
	"github.com/labstack/echo/v4"
)

// BatchKind is the durable job of a batch issuance asked for with
// POST /certificates/batch?async=true. Its report stays with the job (GET
// /jobs/{id}) instead of vanishing with the request, and a batch cut short
// by a restart is taken again by a worker: issuance is idempotent per
// candidate, so the re-run issues only what is missing (what the first run
// issued counts as unchanged in the final report).
const BatchKind = "certificates.batch"

// batchPayload is what the job carries: the batch as the request resolved
// it (a jury's roster is read when the batch is asked for).
type batchPayload struct {
	ActorID       string   `json:"actor_id"`
	Certification string   `json:"certification"`
	Candidates    []string `json:"candidates"`
}

// BatchAccepted is the answer to an asynchronous batch: the job to follow.
type BatchAccepted struct {
	JobID  string `json:"job_id"`
	Status string `json:"status"`
}

// handleBatchJobs registers the handler of asynchronous batches on the
// service's queue (Options.Jobs). Without a queue, ?async=true answers 503.
// The lease is short because every candidate's progress renews it: a
// replica that dies mid-batch hands the rest to another within 20 seconds.
func (s *Service) handleBatchJobs() {
	s.jobs.Handle(BatchKind, s.runBatchJob, jobs.HandlerOptions{Lease: 20 * time.Second, MaxAttempts: 5})
}

// EnqueueBatch writes the job of a batch; it runs when a worker takes it.
func (s *Service) EnqueueBatch(ctx context.Context, actorID, certification string, candidateIDs []string) (string, error) {
	if s.jobs == nil {
		return "", httpx.New(http.StatusServiceUnavailable, "unavailable", "Les traitements en arrière-plan ne sont pas disponibles.",
			"Background work is not available.")
	}
	id, err := s.jobs.Enqueue(s.db.WithContext(ctx), jobs.NewJob{Kind: BatchKind, CreatedBy: actorID,
		Payload: batchPayload{ActorID: actorID, Certification: certification, Candidates: candidateIDs}})
	if err != nil {
		return "", fmt.Errorf("batch: %w", err)
	}
	return id, nil
}

// startBatchJob answers 202 with the job, and where to follow it.
func (s *Service) startBatchJob(c echo.Context, actorID, certification string, candidateIDs []string) error {
	id, err := s.EnqueueBatch(c.Request().Context(), actorID, certification, candidateIDs)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/jobs/"+id)
	return c.JSON(http.StatusAccepted, BatchAccepted{JobID: id, Status: jobs.StatusPending})
}

// runBatchJob issues the batch, reporting each candidate done. A refusal
// (an unknown candidate, a certification unknown) fails the job at once
// with the report so far; any other error is retried.
func (s *Service) runBatchJob(ctx context.Context, r *jobs.Run) error {
	var p batchPayload
	if err := r.Decode(&p); err != nil {
		return err
	}
	_ = r.Progress(ctx, 0, len(p.Candidates))
	rep, err := s.Batch(ctx, p.ActorID, p.Certification, p.Candidates, func(done, total int) {
		_ = r.Progress(ctx, done, total)
	})
	if serr := r.SetResult(rep); serr != nil {
		return serr
	}
	var pr *httpx.Problem
	if errors.As(err, &pr) && pr.Status < 500 {
		return jobs.Permanent(err)
	}
	return err
}
