package vae

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/blobs"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"gorm.io/gorm"
)

// Accepted document types, recognised by their first bytes: a file's name
// and the client's Content-Type say nothing reliable.
var signatures = []struct {
	contentType string
	magic       []byte
}{
	{"application/pdf", []byte("%PDF-")},
	{"image/jpeg", []byte{0xFF, 0xD8, 0xFF}},
	{"image/png", []byte("\x89PNG\r\n\x1a\n")},
}

// Sniff names the type of a document from its first bytes; "" when it is
// not one of the accepted types.
func Sniff(head []byte) string {
	for _, s := range signatures {
		if bytes.HasPrefix(head, s.magic) {
			return s.contentType
		}
	}
	return ""
}

func (s *Service) tooLarge() error {
	return httpx.New(http.StatusRequestEntityTooLarge, "too_large",
		fmt.Sprintf("Le document dépasse la taille autorisée (%d Mio).", s.uploadLimit>>20),
		fmt.Sprintf("The document exceeds the size limit (%d MiB).", s.uploadLimit>>20))
}

// Upload is a document being received.
type Upload struct {
	Title    string
	FileName string
	Body     io.Reader
}

// AddDocument checks a document by its content (PDF, JPEG or PNG only) and
// size, stores it by content hash and attaches it to an editable dossier.
func (s *Service) AddDocument(ctx context.Context, actor auth.User, dossierID string, up Upload) (Document, error) {
	if err := s.settle(ctx); err != nil {
		return Document{}, err
	}
	// Check who and what first, so that nothing is stored for a dossier the
	// caller may not change.
	d, err := s.load(ctx, s.db.WithContext(ctx), actor, dossierID)
	if err != nil {
		return Document{}, err
	}
	if !canEdit(actor, d) {
		return Document{}, httpx.Forbidden("Seul le candidat ou un administrateur modifie ce dossier.",
			"Only the candidate or an administrator changes this dossier.")
	}
	if !d.Editable() {
		return Document{}, frozen(d)
	}
	br := bufio.NewReaderSize(up.Body, 4096)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) {
		return Document{}, readError(err, s)
	}
	ct := Sniff(head)
	if ct == "" {
		return Document{}, httpx.Unprocessable("unsupported_type",
			"Seuls les documents PDF, JPEG et PNG sont acceptés (le contenu du fichier a été vérifié, pas seulement son nom).",
			"Only PDF, JPEG and PNG documents are accepted (the file's content was checked, not just its name).",
			httpx.Field("file", "Type de fichier refusé.", "File type refused."))
	}
	sp, err := s.blobs.Spool(br, s.uploadLimit)
	if errors.Is(err, blobs.ErrTooLarge) {
		return Document{}, s.tooLarge()
	}
	if err != nil {
		return Document{}, readError(err, s)
	}
	defer sp.Close()
	doc := Document{ID: database.NewID(), DossierID: d.ID, Title: cleanText(up.Title, 200), FileName: cleanName(up.FileName, 200),
		ContentType: ct, Size: sp.Size, SHA256: sp.Sum, UploadedBy: actor.ID}
	if doc.FileName == "" {
		doc.FileName = "document" + extension(ct)
	}
	if doc.Title == "" {
		doc.Title = doc.FileName
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		d, err := s.loadForEdit(ctx, tx, actor, dossierID)
		if err != nil {
			return err
		}
		// The dossier's row is locked by loadForEdit: two uploads at once
		// are counted one after the other.
		if err := s.checkQuota(tx, d.ID, doc.Size); err != nil {
			return err
		}
		if err := tx.Create(&doc).Error; err != nil {
			return fmt.Errorf("vae document: %w", err)
		}
		if err := s.blobs.Acquire(ctx, tx, sp); err != nil {
			return err
		}
		return s.record(tx, actor, d, "vae.document.add", "Justificatif ajouté : "+doc.Title+".", "", "vae_document", doc.ID, nil, doc)
	})
	if err != nil {
		// The bytes may have been stored for the row that was not written.
		_ = s.blobs.Collect(context.WithoutCancel(ctx), sp.Sum)
		return Document{}, err
	}
	return doc, nil
}

// OpenDocument returns a document and its bytes, for whoever may see the
// dossier (owner, administrators, the examining jury); others get 404.
func (s *Service) OpenDocument(ctx context.Context, actor auth.User, dossierID, id string) (Document, blobs.Object, error) {
	db := s.db.WithContext(ctx)
	if _, err := s.load(ctx, db, actor, dossierID); err != nil {
		return Document{}, nil, err
	}
	var doc Document
	err := db.Where("id = ? AND dossier_id = ?", id, dossierID).Take(&doc).Error
	if database.IsNotFound(err) {
		return doc, nil, httpx.NotFound("Document introuvable.", "Document not found.")
	}
	if err != nil {
		return doc, nil, fmt.Errorf("vae document %s: %w", id, err)
	}
	f, err := s.blobs.Store().Open(ctx, doc.SHA256)
	if err != nil {
		return doc, nil, fmt.Errorf("vae document %s: %w", id, err)
	}
	return doc, f, nil
}

// DeleteDocument removes a document from a dossier not yet submitted.
func (s *Service) DeleteDocument(ctx context.Context, actor auth.User, dossierID, id string) error {
	var doc Document
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		d, err := s.loadForEdit(ctx, tx, actor, dossierID)
		if err != nil {
			return err
		}
		err = tx.Where("id = ? AND dossier_id = ?", id, d.ID).Take(&doc).Error
		if database.IsNotFound(err) {
			return httpx.NotFound("Document introuvable.", "Document not found.")
		}
		if err != nil {
			return fmt.Errorf("vae document %s: %w", id, err)
		}
		if err := tx.Delete(&Document{}, "id = ?", id).Error; err != nil {
			return fmt.Errorf("vae document %s: %w", id, err)
		}
		if err := s.blobs.Release(tx, doc.SHA256); err != nil {
			return err
		}
		return s.record(tx, actor, d, "vae.document.delete", "Justificatif retiré : "+doc.Title+".", "", "vae_document", id, doc, nil)
	})
	if err != nil {
		return err
	}
	// A failure here leaves a count at zero, which the daily maintenance
	// collects: the document is gone either way.
	_ = s.blobs.Collect(context.WithoutCancel(ctx), doc.SHA256)
	return nil
}

// checkQuota refuses a document that would take the dossier over its
// number of documents or total size.
func (s *Service) checkQuota(tx *gorm.DB, dossierID string, size int64) error {
	var used struct {
		N     int
		Bytes int64
	}
	if err := tx.Model(&Document{}).Select("COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes").
		Where("dossier_id = ?", dossierID).Scan(&used).Error; err != nil {
		return fmt.Errorf("vae quota: %w", err)
	}
	if used.N+1 > s.maxDocs {
		return httpx.Unprocessable("quota_exceeded",
			fmt.Sprintf("Le dossier contient déjà %d documents, le maximum : retirez-en un avant d'en ajouter.", used.N),
			fmt.Sprintf("The dossier already holds %d documents, the most it may: remove one before adding another.", used.N),
			httpx.Field("file", "Nombre maximal de documents atteint.", "Most documents reached."))
	}
	if used.Bytes+size > s.maxBytes {
		return httpx.Unprocessable("quota_exceeded",
			fmt.Sprintf("Les documents du dossier dépasseraient %d Mio au total : réduisez la taille des fichiers ou retirez-en.", s.maxBytes>>20),
			fmt.Sprintf("The dossier's documents would exceed %d MiB in all: make the files smaller or remove some.", s.maxBytes>>20),
			httpx.Field("file", "Taille totale du dossier dépassée.", "Dossier's total size exceeded."))
	}
	return nil
}

func readError(err error, s *Service) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return s.tooLarge()
	}
	return httpx.BadRequest("Lecture du document impossible.", "The document could not be read.").Wrap(err)
}

// cleanName keeps a client-given file name printable and short, without
// the folders a browser may send: it is shown, never used as a path.
func cleanName(s string, n int) string {
	s = filepath.Base(strings.ReplaceAll(s, `\`, "/"))
	if s == "." || s == "/" {
		s = ""
	}
	return cleanText(s, n)
}

// cleanText keeps a client-given title printable and short; a title is
// free text, where "Bulletins 01/2026" keeps its slash.
func cleanText(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		s = string(r[:n])
	}
	return s
}

func extension(ct string) string {
	switch ct {
	case "application/pdf":
		return ".pdf"
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	}
	return ""
}
