package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// client calls the platform's JSON API with a personal access token.
type client struct {
	base  string // platform URL without a trailing slash
	token string
	http  *http.Client
}

func newClient(e *env, c credentials) *client {
	return &client{base: strings.TrimSuffix(c.URL, "/"), token: c.Token, http: e.http}
}

// clientFor is the client of the logged-in user.
func (e *env) client() (*client, error) {
	c, err := e.credentials()
	if err != nil {
		return nil, err
	}
	base, err := normalizeURL(c.URL)
	if err != nil {
		return nil, err
	}
	c.URL = base
	return newClient(e, c), nil
}

// do sends in (JSON, unless nil) to path under /api/v1 and decodes a 2xx
// answer into out (unless nil). Any other answer is an *apiError.
func (c *client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(raw)
	}
	req, err := c.request(ctx, method, path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.send(req, out)
}

func (c *client) request(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+"/api/v1"+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "appstore-cli/"+cliVersion())
	return req, nil
}

// send performs req and decodes the answer like do.
func (c *client) send(req *http.Request, out any) error {
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && req.Context().Err() == nil {
			err = ue.Err // the URL is in the message already
		}
		return fmt.Errorf("%s %s at %s: %w", req.Method, req.URL.Path, c.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return readAPIError(req, resp)
	}
	if out == nil {
		_, err := io.Copy(io.Discard, resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: unexpected answer: %w", req.Method, req.URL.Path, err)
	}
	return nil
}

// problem is the API's application/problem+json body (api/errors.go), plus
// current_status, which illegal transitions add.
type problem struct {
	Title         string       `json:"title"`
	Status        int          `json:"status"`
	Detail        string       `json:"detail"`
	Message       string       `json:"message"`
	Code          string       `json:"code"`
	RequestID     string       `json:"request_id"`
	Errors        []fieldError `json:"errors"`
	CurrentStatus string       `json:"current_status"`
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// apiError is a non-2xx answer.
type apiError struct {
	Method, Path string
	Status       int
	Problem      problem
}

func readAPIError(req *http.Request, resp *http.Response) error {
	e := &apiError{Method: req.Method, Path: req.URL.Path, Status: resp.StatusCode}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt == "application/problem+json" || mt == "application/json" {
		_ = json.Unmarshal(raw, &e.Problem)
	}
	return e
}

// Code is the problem's stable code ("" when the answer had none).
func (e *apiError) Code() string { return e.Problem.Code }

func (e *apiError) Error() string {
	p := e.Problem
	msg := p.Detail
	if msg == "" {
		msg = p.Message
	}
	if msg == "" {
		msg = fmt.Sprintf("%s %s answered %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	}
	var b strings.Builder
	b.WriteString(msg)
	if p.Code != "" {
		fmt.Fprintf(&b, " (%s, HTTP %d)", p.Code, e.Status)
	}
	for _, f := range p.Errors {
		fmt.Fprintf(&b, "\n  %s: %s", f.Field, f.Message)
	}
	if p.CurrentStatus != "" {
		fmt.Fprintf(&b, "\n  current status: %s", p.CurrentStatus)
	}
	if e.Status >= 500 && p.RequestID != "" {
		fmt.Fprintf(&b, "\n  request id: %s", p.RequestID)
	}
	return b.String()
}

// projectClient loads the app project in dir and an API client: what every
// command that acts on the project's app starts with.
func (e *env) projectClient(dir string) (*project, string, *client, error) {
	p, err := loadProject(dir)
	if err != nil {
		return nil, "", nil, err
	}
	appID, err := p.appID()
	if err != nil {
		return nil, "", nil, err
	}
	c, err := e.client()
	if err != nil {
		return nil, "", nil, err
	}
	return p, appID, c, nil
}
