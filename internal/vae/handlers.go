package vae

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
)

// UploadPath is the route that receives documents: the composition root
// exempts it from the general body limit, since it applies UploadLimit itself.
const UploadPath = "/api/v1/vae/dossiers/:id/documents"

// Routes registers the VAE API.
func (s *Service) Routes(g *echo.Group) {
	anyone := auth.Require()
	owner := auth.Require(auth.RoleAdmin, auth.RoleCandidate)
	admin := auth.Require(auth.RoleAdmin)
	g.POST("/vae/dossiers", s.handleOpen, owner)
	g.GET("/vae/dossiers", s.handleList, anyone)
	g.GET("/vae/dossiers/:id", s.handleGet, anyone)
	g.POST("/vae/dossiers/:id/admissibility", s.handleAdmissibility, admin)
	g.POST("/vae/dossiers/:id/missing-pieces", s.handleMissingPieces, admin)
	g.POST("/vae/dossiers/:id/complete", s.handleComplete, owner)
	g.POST("/vae/dossiers/:id/experiences", s.handleAddExperience, owner)
	g.PUT("/vae/dossiers/:id/experiences/:experience_id", s.handleUpdateExperience, owner)
	g.DELETE("/vae/dossiers/:id/experiences/:experience_id", s.handleDeleteExperience, owner)
	g.POST("/vae/dossiers/:id/documents", s.handleUpload, owner)
	g.GET("/vae/dossiers/:id/documents/:document_id", s.handleDownload, anyone)
	g.DELETE("/vae/dossiers/:id/documents/:document_id", s.handleDeleteDocument, owner)
	g.POST("/vae/dossiers/:id/submit", s.handleSubmit, owner)
	g.POST("/vae/dossiers/:id/lock", s.handleLock, admin)
	g.POST("/vae/dossiers/:id/jury", s.handleHandToJury, admin)
	g.GET("/vae/dossiers/:id/timeline", s.handleTimeline, anyone)
	g.GET("/vae/dossiers/:id/support", s.handleSupport, anyone)
	g.PUT("/vae/dossiers/:id/support", s.handleSetSupport, owner)
	g.PUT("/vae/dossiers/:id/support/opinion", s.handleOpinion, auth.Require(auth.RoleSupport, auth.RoleJury))
	g.POST("/vae/dossiers/:id/comments", s.handleComment, anyone)
}

func (s *Service) handleSupport(c echo.Context) error {
	v, err := s.Support(c.Request().Context(), auth.Caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Service) handleSetSupport(c echo.Context) error {
	var req SupportChoice
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	d, err := s.SetSupport(c.Request().Context(), auth.Caller(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (s *Service) handleOpinion(c echo.Context) error {
	var req NewOpinion
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	op, err := s.GiveOpinion(c.Request().Context(), auth.Caller(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, op)
}

func (s *Service) handleComment(c echo.Context) error {
	var req NewComment
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	cm, err := s.AddComment(c.Request().Context(), auth.Caller(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, cm)
}

func (s *Service) handleOpen(c echo.Context) error {
	var req NewRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	d, err := s.Open(c.Request().Context(), auth.Caller(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

func (s *Service) handleList(c echo.Context) error {
	return httpx.List(c, func(after string, limit int) ([]Dossier, string, error) {
		return s.List(c.Request().Context(), auth.Caller(c), ListQuery{Status: c.QueryParam("status"),
			CandidateID: c.QueryParam("candidate_id"), After: after, Limit: limit})
	})
}

func (s *Service) handleGet(c echo.Context) error {
	d, err := s.Get(c.Request().Context(), auth.Caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (s *Service) handleAdmissibility(c echo.Context) error {
	var req AdmissibilityDecision
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	d, err := s.DecideAdmissibility(c.Request().Context(), auth.Caller(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (s *Service) handleMissingPieces(c echo.Context) error {
	var req MissingPieces
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	d, err := s.AskMissingPieces(c.Request().Context(), auth.Caller(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (s *Service) handleComplete(c echo.Context) error {
	d, err := s.Complete(c.Request().Context(), auth.Caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (s *Service) handleAddExperience(c echo.Context) error {
	var req ExperienceInput
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	e, err := s.AddExperience(c.Request().Context(), auth.Caller(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, e)
}

func (s *Service) handleUpdateExperience(c echo.Context) error {
	var req ExperienceInput
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	e, err := s.UpdateExperience(c.Request().Context(), auth.Caller(c), c.Param("id"), c.Param("experience_id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, e)
}

func (s *Service) handleDeleteExperience(c echo.Context) error {
	if err := s.DeleteExperience(c.Request().Context(), auth.Caller(c), c.Param("id"), c.Param("experience_id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// handleUpload reads a multipart form whose "file" part is the document
// (an optional "title" part before it names it). The body is bounded here,
// at the upload limit plus room for the form's own lines.
func (s *Service) handleUpload(c echo.Context) error {
	r := c.Request()
	if r.ContentLength > s.uploadLimit+64<<10 {
		return s.tooLarge()
	}
	r.Body = http.MaxBytesReader(c.Response(), r.Body, s.uploadLimit+64<<10)
	mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if mt != "multipart/form-data" {
		return httpx.New(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"Le document doit être envoyé en multipart/form-data (champ « file »).",
			"Send the document as multipart/form-data (field \"file\").")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return httpx.BadRequest("Formulaire multipart illisible.", "Unreadable multipart form.").Wrap(err)
	}
	title := ""
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return httpx.Invalid(httpx.Field("file", "Le document est absent (champ « file »).", "The document is missing (field \"file\")."))
		}
		if err != nil {
			return readError(err, s)
		}
		switch part.FormName() {
		case "title":
			b, err := io.ReadAll(io.LimitReader(part, 1000))
			if err != nil {
				return readError(err, s)
			}
			title = string(b)
		case "file":
			doc, err := s.AddDocument(r.Context(), auth.Caller(c), c.Param("id"), Upload{Title: title, FileName: part.FileName(), Body: part})
			if err != nil {
				return err
			}
			return c.JSON(http.StatusCreated, doc)
		}
	}
}

func (s *Service) handleDownload(c echo.Context) error {
	return s.Download(c, c.Param("id"), c.Param("document_id"))
}

// Download streams a dossier's document to a caller who may read it (the
// API and the web pages alike). It is served as a download with its sniffed
// type, so that a browser never runs it in the application's origin.
func (s *Service) Download(c echo.Context, dossierID, documentID string) error {
	doc, f, err := s.OpenDocument(c.Request().Context(), auth.Caller(c), dossierID, documentID)
	if err != nil {
		return err
	}
	defer f.Close()
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`,
		asciiName(doc.FileName), url.PathEscape(doc.FileName)))
	h.Set(echo.HeaderContentLength, fmt.Sprint(doc.Size))
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	return c.Stream(http.StatusOK, doc.ContentType, f)
}

func asciiName(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			r = '_'
		}
		out = append(out, r)
	}
	return string(out)
}

func (s *Service) handleDeleteDocument(c echo.Context) error {
	if err := s.DeleteDocument(c.Request().Context(), auth.Caller(c), c.Param("id"), c.Param("document_id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Service) handleSubmit(c echo.Context) error {
	d, err := s.Submit(c.Request().Context(), auth.Caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (s *Service) handleLock(c echo.Context) error {
	d, err := s.Lock(c.Request().Context(), auth.Caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (s *Service) handleHandToJury(c echo.Context) error {
	var req struct {
		JuryID string `json:"jury_id" validate:"required,max=36"`
	}
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	d, err := s.HandToJury(c.Request().Context(), auth.Caller(c), c.Param("id"), req.JuryID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (s *Service) handleTimeline(c echo.Context) error {
	evs, err := s.Timeline(c.Request().Context(), auth.Caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, evs)
}
