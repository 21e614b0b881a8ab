package main

// Checks docker-compose.yml (repository root) without a Docker engine: the file
// is loaded by compose-go, the library behind `docker compose`, with the
// Compose Specification's JSON schema validation and the consistency checks
// on, then the stack's shape is asserted: services, healthchecks, start order,
// search attributes, pinned images and the appstore's production settings.

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
)

// composeSearchAttributes is DESIGN.md §6's full list of custom search
// attributes, all Keyword.
var composeSearchAttributes = []string{
	"AppSlug", "DeveloperAccount", "DeploymentID", "OrganizationID",
	"InstallationID", "ReviewStatus", "Version", "InvitationStatus",
}

// composeOneShots run to completion; everything else is long-running.
var composeOneShots = []string{"migrate", "temporal-schema", "temporal-search-attributes"}

// composeAppstoreServices run the appstore image.
var composeAppstoreServices = []string{"migrate", "appstore-serve", "appstore-worker"}

const (
	composeHealthy   = types.ServiceConditionHealthy               // service_healthy
	composeCompleted = types.ServiceConditionCompletedSuccessfully // service_completed_successfully
)

// composeWantDeps is the start order: for each service, exactly the services
// it waits for and the condition it waits on.
var composeWantDeps = map[string]map[string]string{
	"postgres":                   {},
	"temporal-schema":            {"postgres": composeHealthy},
	"temporal":                   {"postgres": composeHealthy, "temporal-schema": composeCompleted},
	"temporal-search-attributes": {"temporal": composeHealthy},
	"temporal-ui":                {"temporal": composeHealthy},
	"mailpit":                    {},
	"migrate":                    {"postgres": composeHealthy},
	"appstore-serve": {
		"postgres":                   composeHealthy,
		"migrate":                    composeCompleted,
		"temporal-search-attributes": composeCompleted,
	},
	"appstore-worker": {
		"postgres":                   composeHealthy,
		"migrate":                    composeCompleted,
		"temporal-search-attributes": composeCompleted,
	},
}

// composeRoot is the repository root (this package is cmd/appstore).
func composeRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found from the test's directory: %v", err)
	}
	return root
}

func composeOptions(t *testing.T, env map[string]string, extra ...cli.ProjectOptionsFn) *cli.ProjectOptions {
	t.Helper()
	root := composeRoot(t)
	var environ []string
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	// Only the given environment: neither the caller's shell nor an .env
	// file may change the outcome.
	opts := []cli.ProjectOptionsFn{
		cli.WithName("appstore"), // the file has no name: (docker-compose 1.x rejects it)
		cli.WithWorkingDirectory(root),
		cli.WithEnv(environ),
		cli.WithResolvedPaths(true),
		cli.WithConsistency(true),
	}
	o, err := cli.NewProjectOptions([]string{filepath.Join(root, "docker-compose.yml")}, append(opts, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// composeLoad loads docker-compose.yml the way `docker compose config` does:
// schema validation (the loader's default), interpolation, normalization and
// consistency checks, with the project directory at the repository root.
func composeLoad(t *testing.T, env map[string]string) *types.Project {
	t.Helper()
	p, err := composeOptions(t, env).LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p
}

func composeService(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, ok := p.Services[name]
	if !ok {
		t.Fatalf("service %q missing from docker-compose.yml", name)
	}
	return s
}

func composeEnv(s types.ServiceConfig, key string) (string, bool) {
	v, ok := s.Environment[key]
	if !ok || v == nil {
		return "", false
	}
	return *v, true
}

func TestComposeLoadsAndValidates(t *testing.T) {
	p := composeLoad(t, nil)
	var want []string
	for name := range composeWantDeps {
		want = append(want, name)
	}
	slices.Sort(want)
	got := p.ServiceNames()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("services = %v, want %v", got, want)
	}
}

func TestComposeVariablesHaveDefaults(t *testing.T) {
	// A bare ${VAR} would interpolate to "" when unset; every variable needs a
	// default so `docker compose up` works without an .env file.
	model, err := composeOptions(t, nil, cli.WithInterpolation(false)).LoadModel(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	vars := template.ExtractVariables(model, template.DefaultPattern)
	if len(vars) == 0 {
		t.Fatal("no ${VARIABLES} found; the extraction is broken")
	}
	for name, v := range vars {
		if v.DefaultValue == "" && !v.Required {
			t.Errorf("${%s} has no default", name)
		}
	}
}

func TestComposeHealthchecks(t *testing.T) {
	p := composeLoad(t, nil)
	for name, s := range p.Services {
		if slices.Contains(composeOneShots, name) {
			// A one-shot that restarts never "completes successfully".
			if s.Restart != "" && s.Restart != types.RestartPolicyNo {
				t.Errorf("one-shot %s: restart = %q, want \"no\"", name, s.Restart)
			}
			continue
		}
		hc := s.HealthCheck
		if hc == nil || hc.Disable || len(hc.Test) < 2 || hc.Test[0] == "NONE" {
			t.Errorf("long-running service %s has no healthcheck", name)
			continue
		}
		if hc.Test[0] != "CMD" && hc.Test[0] != "CMD-SHELL" {
			t.Errorf("%s: healthcheck test %v must start with CMD or CMD-SHELL", name, hc.Test)
		}
		if s.Restart == "" || s.Restart == types.RestartPolicyNo {
			t.Errorf("long-running service %s: restart = %q, want a restart policy", name, s.Restart)
		}
	}
	// The appstore's own probes: /healthz on HTTP_ADDR and WORKER_HTTP_ADDR.
	for name, url := range map[string]string{
		"appstore-serve":  "http://127.0.0.1:8080/healthz",
		"appstore-worker": "http://127.0.0.1:8081/healthz",
	} {
		s := composeService(t, p, name)
		if s.HealthCheck == nil || !slices.Contains(s.HealthCheck.Test, url) {
			t.Errorf("%s: healthcheck must call %s", name, url)
		}
	}
	if s := composeService(t, p, "postgres"); s.HealthCheck == nil || !strings.Contains(strings.Join(s.HealthCheck.Test, " "), "pg_isready") {
		t.Errorf("postgres: healthcheck must use pg_isready")
	}
}

func TestComposeDependencies(t *testing.T) {
	p := composeLoad(t, nil)
	for name, want := range composeWantDeps {
		s := composeService(t, p, name)
		for dep, cond := range want {
			got, ok := s.DependsOn[dep]
			if !ok {
				t.Errorf("%s must depend on %s (%s)", name, dep, cond)
				continue
			}
			if got.Condition != cond {
				t.Errorf("%s depends on %s with condition %q, want %q", name, dep, got.Condition, cond)
			}
		}
		for dep := range s.DependsOn {
			if _, ok := want[dep]; !ok {
				t.Errorf("%s has an unexpected dependency on %s", name, dep)
			}
		}
	}
	// Whatever the table says, the conditions must be satisfiable.
	for name, s := range p.Services {
		for dep, d := range s.DependsOn {
			target, ok := p.Services[dep]
			if !ok {
				t.Errorf("%s depends on unknown service %s", name, dep)
				continue
			}
			switch d.Condition {
			case composeHealthy:
				if target.HealthCheck == nil || target.HealthCheck.Disable {
					t.Errorf("%s waits for %s to be healthy, but %s has no healthcheck", name, dep, dep)
				}
			case composeCompleted:
				if !slices.Contains(composeOneShots, dep) {
					t.Errorf("%s waits for %s to complete, but %s is long-running", name, dep, dep)
				}
			}
		}
	}
}

func TestComposeSearchAttributes(t *testing.T) {
	p := composeLoad(t, nil)
	s := composeService(t, p, "temporal-search-attributes")
	if !strings.HasPrefix(s.Image, "temporalio/admin-tools:") {
		t.Errorf("temporal-search-attributes image = %q, want temporalio/admin-tools", s.Image)
	}
	if ns, _ := composeEnv(s, "TEMPORAL_NAMESPACE"); ns != "default" {
		t.Errorf("temporal-search-attributes: TEMPORAL_NAMESPACE = %q, want default", ns)
	}
	if addr, _ := composeEnv(s, "TEMPORAL_ADDRESS"); addr != "temporal:7233" {
		t.Errorf("temporal-search-attributes: TEMPORAL_ADDRESS = %q, want temporal:7233", addr)
	}
	argv := append(slices.Clone([]string(s.Entrypoint)), s.Command...)
	words := map[string]bool{}
	for _, arg := range argv {
		for _, w := range strings.FieldsFunc(arg, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_')
		}) {
			words[w] = true
		}
	}
	for _, sa := range composeSearchAttributes {
		if !words[sa] {
			t.Errorf("temporal-search-attributes command %q does not register %s", argv, sa)
		}
	}
	// The command runs a script mounted from the repository: it must exist,
	// register Keywords and tolerate attributes that already exist.
	var script string
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeBind && slices.Contains(argv, v.Target) {
			script = v.Source
		}
	}
	if script == "" {
		t.Fatalf("temporal-search-attributes: no bind-mounted script among %q", argv)
	}
	body, err := os.ReadFile(script)
	if err != nil {
		t.Fatalf("temporal-search-attributes script: %v", err)
	}
	for _, want := range []string{"--type Keyword", "already exists", "operator namespace create"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("%s does not contain %q", script, want)
		}
	}
}

// composeImageTag reports the tag (or digest) of an image reference.
func composeImageTag(image string) string {
	if i := strings.Index(image, "@"); i >= 0 {
		return image[i+1:]
	}
	name := image[strings.LastIndex(image, "/")+1:]
	if i := strings.LastIndex(name, ":"); i >= 0 {
		return name[i+1:]
	}
	return ""
}

func TestComposeImagesArePinned(t *testing.T) {
	p := composeLoad(t, nil)
	for name, s := range p.Services {
		if s.Image == "" {
			t.Errorf("%s has no image: name it (built services too), so the tag is explicit", name)
			continue
		}
		switch tag := composeImageTag(s.Image); tag {
		case "":
			t.Errorf("%s: image %q has no tag", name, s.Image)
		case "latest":
			t.Errorf("%s: image %q uses latest", name, s.Image)
		}
	}
	for _, tc := range []struct{ image, tag string }{
		{"postgres:16", "16"},
		{"localhost:5000/appstore", ""},
		{"temporalio/ui:2.49.1", "2.49.1"},
		{"ui@sha256:abc", "sha256:abc"},
	} {
		if got := composeImageTag(tc.image); got != tc.tag {
			t.Errorf("composeImageTag(%q) = %q, want %q", tc.image, got, tc.tag)
		}
	}
}

func TestComposeAppstoreServices(t *testing.T) {
	root := composeRoot(t)
	p := composeLoad(t, nil)
	var first types.MappingWithEquals
	for _, name := range composeAppstoreServices {
		s := composeService(t, p, name)
		if s.Build == nil {
			t.Errorf("%s: no build section", name)
		} else {
			if s.Build.Context != root {
				t.Errorf("%s: build context = %q, want the repository root %q", name, s.Build.Context, root)
			}
			if filepath.ToSlash(s.Build.Dockerfile) != "cmd/appstore/Dockerfile" {
				t.Errorf("%s: dockerfile = %q, want cmd/appstore/Dockerfile", name, s.Build.Dockerfile)
			}
		}
		for key, want := range map[string]string{
			"APPSTORE_ENV":        "production",
			"JWT_SECRET_FILE":     "/run/secrets/jwt_secret",
			"HTTP_ADDR":           ":8080",
			"WORKER_HTTP_ADDR":    ":8081",
			"TEMPORAL_ADDRESS":    "temporal:7233",
			"TEMPORAL_NAMESPACE":  "default",
			"TEMPORAL_TASK_QUEUE": "appstore",
			"LOG_FORMAT":          "json",
			"BASE_URL":            "http://localhost:8080",
			"DATABASE_URL":        "postgres://appstore:appstore@postgres:5432/appstore?sslmode=disable",
		} {
			if got, ok := composeEnv(s, key); !ok || got != want {
				t.Errorf("%s: %s = %q, want %q", name, key, got, want)
			}
		}
		// One shared environment (the x-appstore-environment anchor).
		if first == nil {
			first = s.Environment
		} else if !composeSameEnv(first, s.Environment) {
			t.Errorf("%s: environment differs from %s's; share one anchor", name, composeAppstoreServices[0])
		}
		var mounted bool
		for _, sec := range s.Secrets {
			if sec.Source == "jwt_secret" && (sec.Target == "" || sec.Target == "jwt_secret" || sec.Target == "/run/secrets/jwt_secret") {
				mounted = true
			}
		}
		if !mounted {
			t.Errorf("%s: secret jwt_secret not mounted at /run/secrets/jwt_secret", name)
		}
	}
	if sec, ok := p.Secrets["jwt_secret"]; !ok || sec.File != filepath.Join(root, "data", "jwt_secret") {
		t.Errorf("secret jwt_secret = %+v, want file ./data/jwt_secret by default", sec)
	}
	if got := composeService(t, p, "migrate").Command; !slices.Equal(got, []string{"migrate", "up"}) {
		t.Errorf("migrate: command = %q, want [migrate up]", got)
	}
	if got := composeService(t, p, "appstore-serve").Command; !slices.Equal(got, []string{"serve"}) {
		t.Errorf("appstore-serve: command = %q, want [serve]", got)
	}
	if got := composeService(t, p, "appstore-worker").Command; !slices.Equal(got, []string{"worker"}) {
		t.Errorf("appstore-worker: command = %q, want [worker]", got)
	}
}

func composeSameEnv(a, b types.MappingWithEquals) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb, ok := b[k]
		if !ok || (va == nil) != (vb == nil) || (va != nil && *va != *vb) {
			return false
		}
	}
	return true
}

func TestComposeVariablesReachEveryUse(t *testing.T) {
	p := composeLoad(t, map[string]string{
		"POSTGRES_PASSWORD": "s3cret",
		"JWT_SECRET_FILE":   "/srv/appstore/jwt_secret",
		"BASE_URL":          "https://apps.example.com",
	})
	// One password, used consistently by PostgreSQL, Temporal and the appstore.
	checks := []struct{ service, key, want string }{
		{"postgres", "POSTGRES_PASSWORD", "s3cret"},
		{"temporal-schema", "SQL_PASSWORD", "s3cret"},
		{"temporal", "POSTGRES_PWD", "s3cret"},
		{"appstore-serve", "DATABASE_URL", "postgres://appstore:s3cret@postgres:5432/appstore?sslmode=disable"},
		{"appstore-worker", "BASE_URL", "https://apps.example.com"},
	}
	for _, c := range checks {
		if got, _ := composeEnv(composeService(t, p, c.service), c.key); got != c.want {
			t.Errorf("%s: %s = %q, want %q", c.service, c.key, got, c.want)
		}
	}
	if got := p.Secrets["jwt_secret"].File; got != "/srv/appstore/jwt_secret" {
		t.Errorf("JWT_SECRET_FILE=/srv/appstore/jwt_secret gives secret file %q", got)
	}
}

func TestComposePorts(t *testing.T) {
	p := composeLoad(t, nil)
	for _, c := range []struct {
		service   string
		target    uint32
		published string
	}{
		{"postgres", 5432, "5432"},
		{"temporal", 7233, "7233"},
		{"temporal-ui", 8080, "8233"},
		{"appstore-serve", 8080, "8080"},
	} {
		var found bool
		for _, port := range composeService(t, p, c.service).Ports {
			if port.Target == c.target && port.Published == c.published {
				found = true
			}
		}
		if !found {
			t.Errorf("%s must publish container port %d on host port %s", c.service, c.target, c.published)
		}
	}
	if got, _ := composeEnv(composeService(t, p, "temporal-ui"), "TEMPORAL_ADDRESS"); got != "temporal:7233" {
		t.Errorf("temporal-ui: TEMPORAL_ADDRESS = %q, want temporal:7233", got)
	}
}

func TestComposeBindMountsExist(t *testing.T) {
	p := composeLoad(t, nil)
	for name, s := range p.Services {
		for _, v := range s.Volumes {
			if v.Type != types.VolumeTypeBind {
				continue
			}
			if _, err := os.Stat(v.Source); err != nil {
				t.Errorf("%s: bind mount source %s: %v", name, v.Source, err)
			}
		}
	}
}

func TestComposeDockerfile(t *testing.T) {
	root := composeRoot(t)
	body, err := os.ReadFile(filepath.Join(root, "cmd", "appstore", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(body)
	for _, re := range []string{
		`(?m)^FROM golang:1\.26\S* AS build`,
		`(?s)CGO_ENABLED=0 go build .*?\./cmd/appstore\s*\n`,
		`(?m)^FROM debian:bookworm-slim`,
		`(?m)^ENTRYPOINT \["/usr/local/bin/appstore"\]`,
	} {
		if !regexp.MustCompile(re).MatchString(df) {
			t.Errorf("Dockerfile does not match %s", re)
		}
	}
	users := regexp.MustCompile(`(?m)^USER\s+(\S+)`).FindAllStringSubmatch(df, -1)
	if len(users) == 0 {
		t.Error("Dockerfile: no USER; the image must not run as root")
	} else if u := users[len(users)-1][1]; u == "root" || u == "0" || strings.HasPrefix(u, "0:") || strings.HasPrefix(u, "root:") {
		t.Errorf("Dockerfile: final USER %s is root", u)
	}
	// Whatever the appstore healthchecks call must be installed in the image.
	p := composeLoad(t, nil)
	for _, name := range composeAppstoreServices {
		hc := composeService(t, p, name).HealthCheck
		if hc == nil || hc.Test[0] != "CMD" {
			continue
		}
		if prog := hc.Test[1]; prog != "/usr/local/bin/appstore" && !regexp.MustCompile(`apt-get install[^\n]*\b`+regexp.QuoteMeta(prog)+`\b`).MatchString(df) {
			t.Errorf("%s: healthcheck runs %s, which the Dockerfile does not install", name, prog)
		}
	}
}
