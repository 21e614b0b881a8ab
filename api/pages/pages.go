package pages

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"appstore/api/httpx"
	"appstore/models"
	"appstore/web"
)

// pageData is what every page template receives. Portal is the signed-in
// user's dehydrated state (from the cache), which the layout renders.
type pageData struct {
	Title   string
	User    *models.User
	Portal  *models.PortalState
	Flash   string
	Error   string
	Email   string
	Next    string
	DevMode bool
	// Page holds the page's own data.
	Page any
}

// pageFuncs are the helpers templates may call.
var pageFuncs = template.FuncMap{
	"date": func(v any) string {
		switch t := v.(type) {
		case time.Time:
			return t.UTC().Format("2 Jan 2006 15:04 UTC")
		case *time.Time:
			if t != nil {
				return t.UTC().Format("2 Jan 2006 15:04 UTC")
			}
		}
		return ""
	},
	// duration writes a call's length in seconds as "1h 02m", "4m 05s" or "42s".
	"duration": func(sec int) string {
		switch {
		case sec >= 3600:
			return fmt.Sprintf("%dh %02dm", sec/3600, sec%3600/60)
		case sec >= 60:
			return fmt.Sprintf("%dm %02ds", sec/60, sec%60)
		}
		return fmt.Sprintf("%ds", sec)
	},
	// linkify escapes text and makes its http(s) URLs clickable, for the
	// development mail outbox.
	"linkify": func(text string) template.HTML {
		var b strings.Builder
		last := 0
		for _, loc := range urlPattern.FindAllStringIndex(text, -1) {
			b.WriteString(template.HTMLEscapeString(text[last:loc[0]]))
			u := template.HTMLEscapeString(text[loc[0]:loc[1]])
			b.WriteString(`<a href="` + u + `">` + u + `</a>`)
			last = loc[1]
		}
		b.WriteString(template.HTMLEscapeString(text[last:]))
		return template.HTML(b.String())
	},
}

var urlPattern = regexp.MustCompile(`https?://[^\s<>"']+`)

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
		if name == "layout" || strings.HasPrefix(name, "_") {
			continue // the layout and the shared partials are parsed into every page
		}
		t, err := template.New(name).Funcs(pageFuncs).ParseFS(web.Templates(), "templates/layout.html", "templates/_*.html", n)
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
		httpx.Logger(c).Error("render page", "page", name, "err", err)
		c.String(http.StatusInternalServerError, "Something went wrong on our side.")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// pageUser returns the signed-in browser user's portal state from the
// cache (no database query on a hit), or redirects to the login page.
func (s *Server) pageUser(c *gin.Context) (*models.PortalState, bool) {
	p := httpx.PrincipalOf(c)
	if p == nil || p.Via != "cookie" {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		return nil, false
	}
	state, err := s.portal.Get(c.Request.Context(), p.UserID)
	if errors.Is(err, models.ErrNotFound) {
		// The account is gone: the session means nothing any more.
		s.api.ForgetSession(c)
		c.Redirect(http.StatusSeeOther, "/login")
		return nil, false
	}
	if err != nil {
		httpx.Logger(c).Error("portal state", "err", err)
		s.renderPage(c, http.StatusInternalServerError, "error", pageData{Title: "Error", Error: "Something went wrong on our side. Try again in a moment."})
		return nil, false
	}
	return state, true
}

// userPage is pageData for a signed-in page.
func userPage(title string, state *models.PortalState, page any) pageData {
	return pageData{Title: title, User: state.User, Portal: state, Page: page}
}

// pageError renders an error for a signed-in page, with the problem's status.
func (s *Server) pageError(c *gin.Context, state *models.PortalState, err error) {
	p := httpx.ProblemFor(err)
	if p.Status >= 500 {
		httpx.Logger(c).Error("page failed", "err", err)
	}
	d := userPage(http.StatusText(p.Status), state, nil)
	d.Error = p.Detail
	s.renderPage(c, p.Status, "error", d)
}

func (s *Server) homePage(c *gin.Context) {
	state, ok := s.pageUser(c)
	if !ok {
		return
	}
	s.renderPage(c, http.StatusOK, "home", userPage("Home", state, nil))
}

func (s *Server) loginPage(c *gin.Context) {
	if p := httpx.PrincipalOf(c); p != nil && p.Via == "cookie" {
		c.Redirect(http.StatusSeeOther, models.LocalPath(c.Query("next")))
		return
	}
	s.renderPage(c, http.StatusOK, "login", pageData{Title: "Sign in", Next: models.LocalPath(c.Query("next"))})
}

// loginSubmit is the browser's sign-in: the same password check, login
// token and exchange as the API, in one round trip.
func (s *Server) loginSubmit(c *gin.Context) {
	if err := s.api.ReadSignInForm(c); err != nil {
		p := httpx.ProblemFor(err)
		s.renderPage(c, p.Status, "login", pageData{Title: "Sign in", Error: p.Detail})
		return
	}
	email, password, next := c.PostForm("email"), c.PostForm("password"), models.LocalPath(c.PostForm("next"))
	if err := s.api.SignIn(c, email, password); err != nil {
		p := httpx.ProblemFor(err)
		if p.Status >= 500 {
			httpx.Logger(c).Error("page login", "err", err)
		}
		s.renderPage(c, p.Status, "login", pageData{Title: "Sign in", Error: p.Detail, Email: email, Next: next})
		return
	}
	c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) logoutSubmit(c *gin.Context) {
	s.api.SignOut(c)
	c.Redirect(http.StatusSeeOther, "/login")
}

// invitationsPanel is the data of the shared "invitations" partial.
type invitationsPanel struct {
	Base        string // API path of the account or organization
	TestID      string
	Invitations []models.Invitation
	CanManage   bool
	MemberMeans string
	AdminMeans  string
}

// registerSignInPageRoutes mounts the routes served from this file.
func (s *Server) registerSignInPageRoutes(pages *gin.RouterGroup) {
	pages.GET("/", s.homePage)
	pages.GET("/login", s.loginPage)
	pages.POST("/login", s.loginSubmit)
	pages.POST("/logout", s.logoutSubmit)
}

// userOnlyPage serves template, titled title, with nothing but the
// signed-in user's portal state (their organizations and accounts, from
// the cache): the lists with their create forms.
func (s *Server) userOnlyPage(template, title string) gin.HandlerFunc {
	return func(c *gin.Context) {
		state, ok := s.pageUser(c)
		if !ok {
			return
		}
		s.renderPage(c, http.StatusOK, template, userPage(title, state, nil))
	}
}
