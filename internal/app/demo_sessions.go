package app

import (
	"bytes"
	"context"
	"fmt"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/vae"
)

// demoJury is a jury of the demo dataset; members and president are named
// by email, candidates by their key.
type demoJury struct {
	Certification string     `json:"certification"`
	SessionDate   civil.Date `json:"session_date"`
	Location      string     `json:"location"`
	President     string     `json:"president"`
	Members       []struct {
		Email    string `json:"email"`
		Category string `json:"category"`
	} `json:"members"`
	Candidates []string `json:"candidates"`
}

// demoDossier is a VAE request of the demo dataset: declared admissible,
// built and submitted when it has experiences and Submit is set.
type demoDossier struct {
	Candidate      string                `json:"candidate"`
	Certification  string                `json:"certification"`
	Motivation     string                `json:"motivation"`
	ActivityMonths int                   `json:"activity_months"`
	Submit         bool                  `json:"submit"`
	Experiences    []vae.ExperienceInput `json:"experiences"`
	// Support is the email of the candidate's support person, who gives
	// SupportOpinion on the request.
	Support        string `json:"support"`
	SupportOpinion string `json:"support_opinion"`
	Documents      []struct {
		Title    string `json:"title"`
		FileName string `json:"file_name"`
	} `json:"documents"`
}

// loadDemoSessions gives the administrator's jury and VAE pages something
// to show on a fresh start: a jury with a candidate, a VAE request awaiting
// its admissibility decision, and a dossier submitted to be locked.
func (a *App) loadDemoSessions(ctx context.Context, system auth.User, df demoFile, cands, users map[string]string) error {
	for _, dj := range df.Juries {
		in := jury.NewJury{Certification: dj.Certification, SessionDate: dj.SessionDate, Location: dj.Location,
			PresidentID: users[dj.President]}
		for _, m := range dj.Members {
			in.Members = append(in.Members, jury.NewMember{UserID: users[m.Email], Category: m.Category})
		}
		v, err := a.Jury.Create(ctx, system, in)
		if err != nil {
			return fmt.Errorf("demo jury %s: %w", dj.SessionDate, err)
		}
		for _, key := range dj.Candidates {
			if _, err := a.Jury.Assign(ctx, system, v.ID, jury.NewAssignment{CandidateID: cands[key]}); err != nil {
				return fmt.Errorf("demo jury %s, candidate %s: %w", dj.SessionDate, key, err)
			}
		}
	}
	yes := true
	for _, dd := range df.VAEDossiers {
		d, err := a.VAE.Open(ctx, system, vae.NewRequest{CandidateID: cands[dd.Candidate], Certification: dd.Certification,
			Motivation: dd.Motivation, ActivityMonths: dd.ActivityMonths})
		if err != nil {
			return fmt.Errorf("demo vae %s: %w", dd.Candidate, err)
		}
		if err := a.demoSupport(ctx, system, d, dd, users); err != nil {
			return err
		}
		if len(dd.Experiences) == 0 {
			continue
		}
		var dec vae.AdmissibilityDecision
		dec.Decision = vae.StatusAdmissible
		dec.Criteria.RelatedToCertification, dec.Criteria.DocumentedByTheCandidate = &yes, &yes
		if _, err := a.VAE.DecideAdmissibility(ctx, system, d.ID, dec); err != nil {
			return fmt.Errorf("demo vae %s: admissibility: %w", dd.Candidate, err)
		}
		for _, e := range dd.Experiences {
			if _, err := a.VAE.AddExperience(ctx, system, d.ID, e); err != nil {
				return fmt.Errorf("demo vae %s: experience: %w", dd.Candidate, err)
			}
		}
		for _, doc := range dd.Documents {
			up := vae.Upload{Title: doc.Title, FileName: doc.FileName, Body: bytes.NewReader(demoPDF(doc.Title))}
			if _, err := a.VAE.AddDocument(ctx, system, d.ID, up); err != nil {
				return fmt.Errorf("demo vae %s: document: %w", dd.Candidate, err)
			}
		}
		if dd.Submit {
			if _, err := a.VAE.Submit(ctx, system, d.ID); err != nil {
				return fmt.Errorf("demo vae %s: submit: %w", dd.Candidate, err)
			}
		}
	}
	return nil
}

// demoPDF is a one-page PDF showing title (ASCII letters are enough for a
// sample): the demo's supporting documents must pass the upload's check
// by content, and open in a viewer.
func demoPDF(title string) []byte {
	text := make([]byte, 0, len(title))
	for _, r := range title {
		switch {
		case r == '(' || r == ')' || r == '\\':
			text = append(text, '\\', byte(r))
		case r >= 0x20 && r < 0x7f:
			text = append(text, byte(r))
		default:
			text = append(text, '?')
		}
	}
	stream := fmt.Sprintf("BT /F1 14 Tf 56 780 Td (%s) Tj ET", text)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// demoSupport names the dossier's support person and records their opinion.
func (a *App) demoSupport(ctx context.Context, system auth.User, d vae.Dossier, dd demoDossier, users map[string]string) error {
	if dd.Support == "" {
		return nil
	}
	id := users[dd.Support]
	if _, err := a.VAE.SetSupport(ctx, system, d.ID, vae.SupportChoice{UserID: id}); err != nil {
		return fmt.Errorf("demo vae %s: support: %w", dd.Candidate, err)
	}
	if dd.SupportOpinion == "" {
		return nil
	}
	supporter, err := a.Auth.Get(ctx, id)
	if err != nil {
		return fmt.Errorf("demo vae %s: support: %w", dd.Candidate, err)
	}
	if _, err := a.VAE.GiveOpinion(ctx, supporter, d.ID, vae.NewOpinion{Text: dd.SupportOpinion}); err != nil {
		return fmt.Errorf("demo vae %s: opinion: %w", dd.Candidate, err)
	}
	return nil
}
