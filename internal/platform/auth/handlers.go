package auth

import (
	"net/http"
	"slices"
	"strings"

	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
)

const userKey = "auth.user"

// Middleware reads "Authorization: Bearer …" and, when the token is valid,
// puts the user in the context. It does not refuse anonymous requests: that
// is Require's job, so that public routes can share the group.
func (s *Service) Middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Request().Header.Get(echo.HeaderAuthorization)
			if h == "" {
				return next(c)
			}
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				return httpx.Unauthorized("En-tête Authorization attendu : Bearer <jeton>.", "Expected Authorization: Bearer <token>.")
			}
			u, err := s.Authenticate(c.Request().Context(), strings.TrimSpace(tok))
			if err != nil {
				return err
			}
			SetUser(c, u)
			return next(c)
		}
	}
}

// SetUser puts the authenticated user in the request context (the web UI's
// cookie sessions use it too).
func SetUser(c echo.Context, u User) { c.Set(userKey, u) }

// UserFrom returns the caller; ok is false for an anonymous request.
func UserFrom(c echo.Context) (User, bool) {
	u, ok := c.Get(userKey).(User)
	return u, ok
}

// Caller is the signed-in user of a request behind Require: the zero User
// when there is none, which every service treats as nobody.
func Caller(c echo.Context) User {
	u, _ := UserFrom(c)
	return u
}

// Require refuses anonymous callers (401) and, when roles are given, callers
// of any other role (403).
func Require(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u, ok := UserFrom(c)
			if !ok {
				return httpx.Unauthorized("Authentification requise.", "Authentication required.")
			}
			if len(roles) > 0 && !u.Is(roles...) {
				return httpx.Forbidden("Votre rôle ne permet pas cette action.", "Your role does not allow this action.")
			}
			return next(c)
		}
	}
}

// Routes registers /auth and /users on the API group.
func (s *Service) Routes(g *echo.Group) {
	g.POST("/auth/login", s.handleLogin)
	g.POST("/auth/logout", s.handleLogout, Require())
	g.GET("/auth/me", s.handleMe, Require())
	g.POST("/auth/logout-all", s.handleLogoutAll, Require())
	g.POST("/auth/activate", s.handleActivate)
	g.POST("/auth/password-reset", s.handleResetRequest)
	g.POST("/auth/password-reset/confirm", s.handleResetConfirm)
	g.POST("/auth/password", s.handleChangePassword, Require())
	g.POST("/auth/totp", s.handleTOTPEnrol, Require(TOTPRoles()...))
	g.POST("/auth/totp/confirm", s.handleTOTPConfirm, Require(TOTPRoles()...))
	g.DELETE("/auth/totp", s.handleTOTPDisable, Require(TOTPRoles()...))
	g.POST("/users", s.handleCreateUser, Require(RoleAdmin))
	g.GET("/users", s.handleListUsers, Require(RoleAdmin))
	g.GET("/users/:id", s.handleGetUser, Require(RoleAdmin))
	g.PATCH("/users/:id", s.handleUpdateUser, Require(RoleAdmin))
	g.POST("/users/:id/invitation", s.handleResendInvitation, Require(RoleAdmin))
	g.POST("/users/:id/unlock", s.handleUnlock, Require(RoleAdmin))
}

type tokenPassword struct {
	Token    string `json:"token" validate:"required,max=200"`
	Password string `json:"password" validate:"required,max=256"`
}

func (s *Service) handleActivate(c echo.Context) error {
	var req tokenPassword
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	if err := s.Activate(c.Request().Context(), req.Token, req.Password); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Service) handleResetRequest(c echo.Context) error {
	var req struct {
		Email string `json:"email" validate:"required,max=254"`
	}
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	if err := s.RequestReset(c.Request().Context(), req.Email, c.RealIP()); err != nil {
		return err
	}
	// The same answer whether or not the address has an account.
	return c.JSON(http.StatusAccepted, map[string]string{"status": "accepted"})
}

func (s *Service) handleResetConfirm(c echo.Context) error {
	var req tokenPassword
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	if err := s.ConfirmReset(c.Request().Context(), req.Token, req.Password); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func bearer(c echo.Context) string {
	tok, _ := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
	return strings.TrimSpace(tok)
}

func (s *Service) handleChangePassword(c echo.Context) error {
	var req struct {
		Current string `json:"current_password" validate:"required,max=256"`
		New     string `json:"new_password" validate:"required,max=256"`
	}
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	if err := s.ChangePassword(c.Request().Context(), Caller(c), req.Current, req.New, bearer(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Service) handleTOTPEnrol(c echo.Context) error {
	e, err := s.EnrolTOTP(c.Request().Context(), Caller(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, e)
}

func (s *Service) handleTOTPConfirm(c echo.Context) error {
	var req struct {
		Code string `json:"code" validate:"required,max=10"`
	}
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	codes, err := s.ConfirmTOTP(c.Request().Context(), Caller(c), req.Code)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"recovery_codes": codes})
}

func (s *Service) handleTOTPDisable(c echo.Context) error {
	var req struct {
		Password string `json:"password" validate:"required,max=256"`
	}
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	if err := s.DisableTOTP(c.Request().Context(), Caller(c), req.Password); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Service) handleLogoutAll(c echo.Context) error {
	if err := s.LogoutAll(c.Request().Context(), Caller(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Service) handleResendInvitation(c echo.Context) error {
	if err := s.ResendInvitation(c.Request().Context(), Caller(c).ID, c.Param("id")); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{"status": "sent"})
}

func (s *Service) handleUnlock(c echo.Context) error {
	if err := s.Unlock(c.Request().Context(), Caller(c).ID, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type loginRequest struct {
	Email    string `json:"email" validate:"required,max=254"`
	Password string `json:"password" validate:"required,max=256"`
	// OTP is the second factor's code, for an account that has one.
	OTP string `json:"otp" validate:"max=40"`
}

func (s *Service) handleLogin(c echo.Context) error {
	var req loginRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	sess, err := s.Login(c.Request().Context(), req.Email, req.Password, req.OTP, c.RealIP())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sess)
}

func (s *Service) handleLogout(c echo.Context) error {
	if err := s.Logout(c.Request().Context(), bearer(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Service) handleMe(c echo.Context) error {
	u, _ := UserFrom(c)
	return c.JSON(http.StatusOK, u)
}

func (s *Service) handleCreateUser(c echo.Context) error {
	var req NewUser
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	actor, _ := UserFrom(c)
	u, err := s.CreateUser(c.Request().Context(), actor.ID, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

func (s *Service) handleListUsers(c echo.Context) error {
	role := c.QueryParam("role")
	if role != "" && !slices.Contains(Roles, role) {
		return httpx.Invalid(httpx.Field("role", "Rôle inconnu.", "Unknown role."))
	}
	return httpx.List(c, func(after string, limit int) ([]User, string, error) {
		return s.Search(c.Request().Context(), UserQuery{Q: c.QueryParam("q"), Role: role, After: after, Limit: limit})
	})
}

func (s *Service) handleUpdateUser(c echo.Context) error {
	var req UserChange
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	u, err := s.UpdateUser(c.Request().Context(), Caller(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (s *Service) handleGetUser(c echo.Context) error {
	u, err := s.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}
