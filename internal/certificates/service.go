package certificates

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/platform/jobs"
	"github.com/ancr/cqp/internal/platform/messages"
	"github.com/ancr/cqp/internal/referential"
	"gorm.io/gorm"
)

// Referential is what issuance reads from the referential.
type Referential interface {
	Certification(code string) (referential.Certification, bool)
}

// Service issues, serves, verifies and revokes documents.
type Service struct {
	db      *gorm.DB
	now     func() time.Time
	ref     Referential
	keys    *Keyring
	baseURL string
	limiter *limiter
	roster  RosterFunc
	outbox  *messages.Outbox
	jobs    *jobs.Queue // asynchronous batches (batch_job.go)
}

// Options are what the service is built from.
type Options struct {
	DB          *gorm.DB
	Now         func() time.Time
	Referential Referential
	Keys        *Keyring
	// BaseURL (CQP_BASE_URL) prefixes the verification address printed in
	// QR codes and sent in messages.
	BaseURL string
	Roster  RosterFunc
	// Outbox tells holders their document is issued, in the issuing
	// transaction; nil sends nothing.
	Outbox *messages.Outbox
	// VerifyRate is public checks per minute per client (CQP_VERIFY_RATE);
	// 0 is unlimited.
	VerifyRate int
	// Jobs runs asynchronous batches (batch_job.go); nil: batches are
	// synchronous only.
	Jobs *jobs.Queue
}

// NewService builds the service.
func NewService(o Options) *Service {
	s := &Service{db: o.DB, now: o.Now, ref: o.Referential, keys: o.Keys, baseURL: strings.TrimRight(o.BaseURL, "/"),
		limiter: newLimiter(o.Now, o.VerifyRate), roster: o.Roster, outbox: o.Outbox, jobs: o.Jobs}
	if s.jobs != nil {
		s.handleBatchJobs()
	}
	return s
}

// notifyIssued tells the holder their document is issued, with the links
// to it and to its public check, in the issuing transaction.
func (s *Service) notifyIssued(tx *gorm.DB, rec Record, doc Document, title string) error {
	if s.outbox == nil {
		return nil
	}
	to, ok, err := candidates.Recipient(tx, rec.CandidateID)
	if err != nil || !ok {
		return err
	}
	_, _, err = s.outbox.Enqueue(tx, messages.Draft{Kind: messages.KindCertificateIssued, To: to,
		DedupeKey: "certificate_issued:" + rec.Number,
		Data: map[string]any{"Number": rec.Number, "Full": rec.Kind == KindCertificate, "Certification": title,
			"IssuedOn": doc.IssuedOn, "Supersedes": doc.Supersedes, "PDFLink": "/documents/" + rec.Number + "/pdf",
			"VerifyURL": doc.VerificationURL, "Account": to.UserID != ""}})
	return err
}

// Keys is the keyring the service signs with.
func (s *Service) Keys() *Keyring { return s.keys }

func (s *Service) today() civil.Date { return civil.Of(s.now().UTC()) }

func notFound() error {
	return httpx.NotFound("Document introuvable.", "Document not found.")
}

// lockKey serialises issuance for one candidate and certification, so that
// two requests racing on the same state make one document (SQLite's write
// lock already serialises every writer).
func lockKey(candidateID, certification string) int64 {
	h := fnv.New64a()
	h.Write([]byte("certificates\x00" + candidateID + "\x00" + certification))
	return int64(h.Sum64() &^ (1 << 63))
}

// stateHash identifies what a document says, all but its number and date.
func stateHash(out Outcome, cert string, h Holder) (string, error) {
	b, err := CanonicalOf(map[string]any{"kind": out.Kind, "certification": cert, "awarded_on": out.AwardedOn,
		"components": out.Components, "holder": h})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// Issued is the outcome of Issue.
type Issued struct {
	Record  Record
	Created bool // false when the same state already had its document
}

// Issue makes the document a candidate is entitled to for a certification
// from the final decisions in force: the same document when nothing changed
// since the last one (and it is not revoked), otherwise a new one that
// supersedes it. Everything happens in one transaction: the number is taken
// from its counter there, so a failure gives it back.
func (s *Service) Issue(ctx context.Context, actorID, candidateID, certification string) (Issued, error) {
	cert, ok := s.ref.Certification(certification)
	if !ok {
		return Issued{}, httpx.Invalid(httpx.Field("certification", "Certification inconnue.", "Unknown certification."))
	}
	kid, key, err := s.keys.Signer()
	if err != nil {
		return Issued{}, err
	}
	var res Issued
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := database.Lock(tx, lockKey(candidateID, cert.Code)); err != nil {
			return err
		}
		cand, err := candidates.Load(tx, candidateID)
		if err != nil {
			return err
		}
		ds, err := candidates.InForce(tx, candidateID, cert.Code)
		if err != nil {
			return err
		}
		codes := make([]string, len(cert.Components))
		titles := make(map[string]string, len(cert.Components))
		for i, c := range cert.Components {
			codes[i], titles[c.Code] = c.Code, c.Title
		}
		today := s.today()
		out, ok := Assess(codes, cert.ValidityYears, ds, today)
		if !ok {
			return httpx.Unprocessable("nothing_acquired",
				"Aucun bloc de compétences n'est acquis par une décision définitive : il n'y a rien à certifier ni à attester.",
				"No component is acquired by a final decision: there is nothing to certify or attest.")
		}
		holder := Holder{FirstName: cand.FirstName, LastName: cand.LastName}
		hash, err := stateHash(out, cert.Code, holder)
		if err != nil {
			return err
		}
		var cur []Record
		if err := tx.Where("candidate_id = ? AND certification = ? AND superseded_by IS NULL", candidateID, cert.Code).
			Order("created_at DESC").Limit(1).Find(&cur).Error; err != nil {
			return err
		}
		if len(cur) == 1 && cur[0].StateHash == hash && cur[0].RevokedAt == nil {
			res = Issued{Record: cur[0]}
			return nil
		}

		number, err := s.nextNumber(tx, out.Kind, cert.Short, today.Year)
		if err != nil {
			return err
		}
		doc := Document{
			Number: number, Kind: out.Kind, Certification: cert.Code, CertificationTitle: cert.Title,
			Codes:     Codes{NSF: cert.NSF, ROME: cert.ROME, Formacode: cert.Formacode},
			Certifier: cert.Certifier, Holder: holder, IssuedOn: today,
			VerificationURL: s.baseURL + "/verify/" + number, Issuer: s.baseURL,
		}
		mentionOn := today
		if out.Kind == KindCertificate {
			awarded := out.AwardedOn
			doc.AwardedOn, mentionOn = &awarded, awarded
		}
		if reg, ok := RegistryEntry(cert.Registrations, mentionOn); ok {
			doc.Registration = &RegistryMention{Registry: reg.Registry, Number: reg.Number}
		}
		for _, a := range out.Components {
			doc.Components = append(doc.Components, ComponentLine{Code: a.Code, Title: titles[a.Code], AcquiredOn: a.AcquiredOn, ExpiresOn: a.ExpiresOn})
		}
		rec := Record{ID: database.NewID(), Number: number, Kind: out.Kind, CandidateID: candidateID,
			Certification: cert.Code, IssuedOn: today, StateHash: hash, KID: kid, CreatedBy: actorID}
		if len(cur) == 1 {
			doc.Supersedes = cur[0].Number
			rec.SupersedesID = &cur[0].ID
		}
		body, err := sign(&doc, kid, key)
		if err != nil {
			return err
		}
		creds := credentials(doc)
		for _, c := range creds {
			if err := signCredential(c, today.Time(), s.baseURL, kid, key); err != nil {
				return err
			}
		}
		credJSON, err := json.Marshal(creds)
		if err != nil {
			return fmt.Errorf("credentials of %s: %w", number, err)
		}
		rec.Body, rec.Credentials = string(body), string(credJSON)
		if err := tx.Create(&rec).Error; err != nil {
			return err
		}
		if len(cur) == 1 {
			if err := tx.Model(&Record{}).Where("id = ?", cur[0].ID).Update("superseded_by", rec.ID).Error; err != nil {
				return err
			}
		}
		res = Issued{Record: rec, Created: true}
		if err := s.notifyIssued(tx, rec, doc, cert.Title); err != nil {
			return err
		}
		return audit.Record(tx, s.now(), audit.Event{ActorID: actorID, Action: "certificate.issue", Entity: "certificate",
			EntityID: number, After: map[string]any{"number": number, "kind": out.Kind, "candidate_id": candidateID,
				"certification": cert.Code, "supersedes": doc.Supersedes, "kid": kid}})
	})
	if err != nil {
		return Issued{}, fmt.Errorf("issue %s for %s: %w", certification, candidateID, err)
	}
	return res, nil
}

// nextNumber takes the next number of a prefix and year. The upsert holds
// the counter row's lock until the issuing transaction ends, so concurrent
// issuers queue on it and a rolled-back issuance leaves no gap.
func (s *Service) nextNumber(tx *gorm.DB, kind, short string, year int) (string, error) {
	prefix := numberPrefix(kind, short)
	var last int64
	err := tx.Raw(`INSERT INTO certificate_counters (prefix, year, last) VALUES (?, ?, 1)
		ON CONFLICT (prefix, year) DO UPDATE SET last = certificate_counters.last + 1
		RETURNING last`, prefix, year).Scan(&last).Error
	if err != nil {
		return "", fmt.Errorf("number %s-%d: %w", prefix, year, err)
	}
	return formatNumber(s.keys.NumberingSecret(), prefix, year, last), nil
}

// lookup reads a document's row; malformed or mistyped numbers (wrong
// check character) are unknown at once, without a query.
func (s *Service) lookup(ctx context.Context, number string, omit ...string) (Record, error) {
	if !CheckNumber(s.keys.NumberingSecret(), number) {
		return Record{}, notFound()
	}
	var r Record
	db := s.db.WithContext(ctx)
	if len(omit) > 0 {
		db = db.Omit(omit...)
	}
	err := db.Take(&r, "number = ?", number).Error
	if database.IsNotFound(err) {
		return Record{}, notFound()
	}
	if err != nil {
		return Record{}, fmt.Errorf("certificate %s: %w", number, err)
	}
	return r, nil
}

// Get returns a document to an administrator or to its holder; anyone
// else is told it does not exist.
func (s *Service) Get(ctx context.Context, actor auth.User, number string) (Record, error) {
	r, err := s.lookup(ctx, number)
	if err != nil {
		return Record{}, err
	}
	if !canRead(actor, r) {
		return Record{}, notFound()
	}
	return r, nil
}

func canRead(actor auth.User, r Record) bool {
	switch actor.Role {
	case auth.RoleAdmin:
		return true
	case auth.RoleCandidate:
		return actor.CandidateID != nil && *actor.CandidateID == r.CandidateID
	}
	return false
}

// List returns a candidate's documents, newest first (administrator or the
// candidate themself).
func (s *Service) List(ctx context.Context, actor auth.User, candidateID string) ([]Record, error) {
	if !canRead(actor, Record{CandidateID: candidateID}) {
		return nil, httpx.NotFound("Candidat introuvable.", "Candidate not found.")
	}
	var rs []Record
	if err := s.db.WithContext(ctx).Where("candidate_id = ?", candidateID).Order("created_at DESC, number DESC").
		Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("certificates of %s: %w", candidateID, err)
	}
	return rs, nil
}

// PDF draws a document again from its signed snapshot.
func (s *Service) PDF(ctx context.Context, actor auth.User, number string) ([]byte, error) {
	r, err := s.Get(ctx, actor, number)
	if err != nil {
		return nil, err
	}
	d, err := s.verified(r)
	if err != nil {
		return nil, httpx.Conflict("invalid_signature",
			"Ce document ne correspond plus à sa signature : il a été modifié hors de la plateforme et n'est pas délivré.",
			"This document no longer matches its signature: it was changed outside the platform and is not served.").Wrap(err)
	}
	if r.RevokedAt != nil {
		return RenderPDF(d, civil.Of(r.RevokedAt.UTC())) // the date the public check shows
	}
	return RenderPDF(d)
}

// verified reads a stored document only if its signature holds and it is
// the document of its own row: the stored body is not trusted (an edit in
// the database would otherwise print, and verify, a forged name).
func (s *Service) verified(r Record) (Document, error) {
	d, err := Verify([]byte(r.Body), s.keys.Public())
	if errors.Is(err, ErrUnknownKey) && s.keys.Refresh() == nil {
		// Signed a moment ago on another replica by a key made there.
		d, err = Verify([]byte(r.Body), s.keys.Public())
	}
	if err != nil {
		return Document{}, fmt.Errorf("certificate %s: %w", r.Number, err)
	}
	if d.Number != r.Number || d.Certification != r.Certification || d.Kind != r.Kind {
		return Document{}, fmt.Errorf("certificate %s: the signed document is %s", r.Number, d.Number)
	}
	return d, nil
}

// Credentials returns the signed Open Badges credentials of a document.
func (s *Service) Credentials(ctx context.Context, actor auth.User, number string) (json.RawMessage, error) {
	r, err := s.Get(ctx, actor, number)
	if err != nil {
		return nil, err
	}
	return json.RawMessage(r.Credentials), nil
}

// Revoke marks a document revoked, for ever, with the reason.
func (s *Service) Revoke(ctx context.Context, actorID, number, reason string) (Record, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Record{}, httpx.Invalid(httpx.Field("reason", "Le motif de la révocation est obligatoire.", "The reason for revocation is required."))
	}
	if !WellFormed(number) {
		return Record{}, notFound()
	}
	var r Record
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Take(&r, "number = ?", number).Error; err != nil {
			if database.IsNotFound(err) {
				return notFound()
			}
			return err
		}
		if r.RevokedAt != nil {
			return httpx.Conflict("already_revoked", "Ce document est déjà révoqué.", "This document is already revoked.")
		}
		at := s.now().UTC().Truncate(time.Microsecond)
		res := tx.Model(&Record{}).Where("id = ? AND revoked_at IS NULL", r.ID).
			Updates(map[string]any{"revoked_at": at, "revoked_by": actorID, "revocation_reason": reason})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return httpx.Conflict("already_revoked", "Ce document est déjà révoqué.", "This document is already revoked.")
		}
		r.RevokedAt, r.RevokedBy, r.RevocationReason = &at, &actorID, reason
		return audit.Record(tx, at, audit.Event{ActorID: actorID, Action: "certificate.revoke", Entity: "certificate",
			EntityID: number, Before: map[string]any{"status": StatusValid},
			After: map[string]any{"status": StatusRevoked, "reason": reason}})
	})
	if err != nil {
		return Record{}, fmt.Errorf("revoke %s: %w", number, err)
	}
	return r, nil
}

// Statuses of a document for the public check.
const (
	StatusValid   = "valid"
	StatusRevoked = "revoked"
	// StatusInvalid: the stored document does not match its signature.
	StatusInvalid = "invalid"
)

// PublicView is GET /verify/{number}: enough to tell a genuine document
// from a forged one, and no more of the holder than a first name and an
// initial.
type PublicView struct {
	Number             string          `json:"number"`
	Status             string          `json:"status"`
	Kind               string          `json:"kind"`
	Certification      string          `json:"certification"`
	CertificationTitle string          `json:"certification_title"`
	Holder             PublicHolder    `json:"holder"`
	IssuedOn           civil.Date      `json:"issued_on"`
	AwardedOn          *civil.Date     `json:"awarded_on,omitempty"`
	Components         []ComponentLine `json:"components"`
	RevokedOn          *civil.Date     `json:"revoked_on,omitempty"`
	SupersededBy       string          `json:"superseded_by,omitempty"`
}

// PublicHolder is the holder as the public check shows them.
type PublicHolder struct {
	FirstName       string `json:"first_name"`
	LastNameInitial string `json:"last_name_initial"`
}

// initial is "N." for "Nguyễn", "É." for "émile".
func initial(name string) string {
	r, _ := utf8.DecodeRuneInString(strings.TrimSpace(name))
	if r == utf8.RuneError {
		return ""
	}
	return string(unicode.ToUpper(r)) + "."
}

// Public answers the verification of a number by anyone.
func (s *Service) Public(ctx context.Context, number string) (PublicView, error) {
	// Typed from a paper, a number comes in any case, with or without its
	// dashes: the whole number, check character included, is still needed.
	if body, check, ok := NormaliseNumber(number); ok && check != "" {
		number = body + "-" + check
	}
	// The credentials (several kilobytes) are not shown here: not read.
	r, err := s.lookup(ctx, number, "credentials")
	if err != nil {
		return PublicView{}, err
	}
	d, err := s.verified(r)
	if err != nil {
		// Say so, and show nothing of a document that may be forged.
		return PublicView{Number: r.Number, Status: StatusInvalid, Kind: r.Kind, Certification: r.Certification,
			Components: []ComponentLine{}}, nil
	}
	v := PublicView{Number: d.Number, Status: StatusValid, Kind: d.Kind, Certification: d.Certification,
		CertificationTitle: d.CertificationTitle, IssuedOn: d.IssuedOn, AwardedOn: d.AwardedOn, Components: d.Components,
		Holder: PublicHolder{FirstName: d.Holder.FirstName, LastNameInitial: initial(d.Holder.LastName)}}
	if r.RevokedAt != nil {
		on := civil.Of(r.RevokedAt.UTC())
		v.Status, v.RevokedOn = StatusRevoked, &on
	}
	if r.SupersededBy != nil {
		var next Record
		if err := s.db.WithContext(ctx).Select("number").Take(&next, "id = ?", *r.SupersededBy).Error; err == nil {
			v.SupersededBy = next.Number
		}
	}
	return v, nil
}

// BatchReport counts what a batch did.
type BatchReport struct {
	Total     int      `json:"total"`
	Issued    int      `json:"issued"`
	Unchanged int      `json:"unchanged"`
	Nothing   int      `json:"nothing_acquired"`
	Numbers   []string `json:"numbers"`
}

// RosterFunc tells a jury's certification and the candidates assigned to
// it; the jury feature provides it (an httpx 404 problem for an unknown jury).
type RosterFunc func(ctx context.Context, juryID string) (certification string, candidateIDs []string, err error)

// JuryCandidates lists the candidates a jury assessed and the
// certification it sat for, for a batch by jury.
func (s *Service) JuryCandidates(ctx context.Context, juryID string) (string, []string, error) {
	if s.roster == nil {
		return "", nil, httpx.Unprocessable("no_juries", "Les jurys ne sont pas gérés par cette installation : donnez la liste des candidats.",
			"Juries are not managed by this installation: give the list of candidates.")
	}
	return s.roster(ctx, juryID)
}

// Batch issues the documents of many candidates, one transaction each.
// Issuance is idempotent, so running a batch again after a crash issues
// only what is missing: nothing is issued twice. progress, when not nil, is
// called after each candidate.
func (s *Service) Batch(ctx context.Context, actorID, certification string, candidateIDs []string, progress func(done, total int)) (BatchReport, error) {
	rep := BatchReport{Total: len(candidateIDs), Numbers: []string{}}
	for i, id := range candidateIDs {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		res, err := s.Issue(ctx, actorID, id, certification)
		var p *httpx.Problem
		switch {
		case errors.As(err, &p) && p.Code == "nothing_acquired":
			rep.Nothing++
		case err != nil:
			return rep, err
		case res.Created:
			rep.Issued++
			rep.Numbers = append(rep.Numbers, res.Record.Number)
		default:
			rep.Unchanged++
			rep.Numbers = append(rep.Numbers, res.Record.Number)
		}
		if progress != nil {
			progress(i+1, len(candidateIDs))
		}
	}
	return rep, nil
}
