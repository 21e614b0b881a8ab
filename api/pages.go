package api

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"appstore/models"
	"appstore/web"
)

// pageData is what every page template receives.
type pageData struct {
	Title             string
	User              *models.User
	Flash             string
	Error             string
	Email             string
	Next              string
	DevMode           bool
	Organizations     []models.OrganizationMembership
	DeveloperAccounts []models.DeveloperAccountMembership
}

// parsePages builds one template set per page: the layout plus that page's
// "content" block.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(web.Templates(), "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.ParseFS(web.Templates(), "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// renderPage renders into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (s *Server) renderPage(c *gin.Context, status int, name string, data pageData) {
	data.DevMode = s.cfg.DevMode
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		logger(c).Error("render page", "page", name, "err", err)
		c.String(http.StatusInternalServerError, "Something went wrong on our side.")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// pageUser loads the signed-in browser user, or redirects to the login page.
func (s *Server) pageUser(c *gin.Context) (*models.User, bool) {
	p := principal(c)
	if p == nil || p.Via != "cookie" {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		return nil, false
	}
	u, err := s.store.GetUser(c.Request.Context(), p.UserID)
	if err != nil {
		s.setSessionCookie(c, "", -1)
		c.Redirect(http.StatusSeeOther, "/login")
		return nil, false
	}
	return u, true
}

func (s *Server) homePage(c *gin.Context) {
	u, ok := s.pageUser(c)
	if !ok {
		return
	}
	orgs, accounts, err := s.store.Memberships(c.Request.Context(), u.ID)
	if err != nil {
		logger(c).Error("home memberships", "err", err)
		s.renderPage(c, http.StatusInternalServerError, "notfound", pageData{Title: "Error", User: u, Error: "Something went wrong on our side."})
		return
	}
	s.renderPage(c, http.StatusOK, "home", pageData{Title: "Home", User: u, Organizations: orgs, DeveloperAccounts: accounts})
}

func (s *Server) loginPage(c *gin.Context) {
	if p := principal(c); p != nil && p.Via == "cookie" {
		c.Redirect(http.StatusSeeOther, safeNext(c.Query("next")))
		return
	}
	s.renderPage(c, http.StatusOK, "login", pageData{Title: "Sign in", Next: safeNext(c.Query("next"))})
}

// loginSubmit is the browser's sign-in: the same password check, login
// token and exchange as the API, in one round trip.
func (s *Server) loginSubmit(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 64<<10)
	email, password, next := c.PostForm("email"), c.PostForm("password"), safeNext(c.PostForm("next"))
	token, _, err := s.checkPassword(c, email, password)
	if err == nil {
		_, _, _, err = s.startSession(c, token)
	}
	if err != nil {
		p := problemFor(err)
		if p.Status >= 500 {
			logger(c).Error("page login", "err", err)
		}
		s.renderPage(c, p.Status, "login", pageData{Title: "Sign in", Error: p.Detail, Email: email, Next: next})
		return
	}
	c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) logoutSubmit(c *gin.Context) {
	s.endSession(c)
	c.Redirect(http.StatusSeeOther, "/login")
}

// safeNext keeps post-login redirects on this site: only local absolute paths.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
