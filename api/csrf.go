package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

var errCSRF = &models.Error{Kind: models.KindForbidden, Code: "csrf_rejected",
	Message: "This request did not come from the Appstore site. Reload the page and try again."}

// csrfProtect rejects state-changing requests that a browser could have sent
// from another site. Cookie-authenticated and browser-originated requests
// must carry an Origin exactly equal to the platform's (not merely the same
// site: the app runtime lives on a sibling port in development), or, lacking
// Origin, Sec-Fetch-Site: same-origin. Requests authenticated by an
// Authorization header carry no ambient authority and are not checked.
func csrfProtect(platformOrigin string) gin.HandlerFunc {
	return func(c *gin.Context) {
		switch c.Request.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			c.Next()
			return
		}
		if c.GetHeader("Authorization") != "" {
			c.Next()
			return
		}
		origin := c.GetHeader("Origin")
		fetchSite := c.GetHeader("Sec-Fetch-Site")
		_, cookieErr := c.Request.Cookie(SessionCookie)
		hasCookie := cookieErr == nil
		switch {
		case origin != "":
			if origin != platformOrigin {
				writeError(c, errCSRF)
				return
			}
		case fetchSite != "":
			if fetchSite != "same-origin" {
				writeError(c, errCSRF)
				return
			}
		case hasCookie:
			// A cookie with neither header: not a modern browser's own
			// request, so the cookie must not authorise it.
			writeError(c, errCSRF)
			return
		}
		c.Next()
	}
}
