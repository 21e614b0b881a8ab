package crmapp

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// Installation is what the app knows of one organization's installation:
// the OAuth client the Appstore made for it.
type Installation struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organization_id"`
	ClientID       string `json:"client_id"`
	ClientSecret   string `json:"client_secret"`
}

// installs keeps installations in memory and in a JSON file (mode 0600:
// it holds client secrets).
type installs struct {
	mu   sync.Mutex
	path string
	byID map[string]Installation
}

func loadInstalls(dir string) (*installs, error) {
	s := &installs{path: filepath.Join(dir, "installations.json"), byID: map[string]Installation{}}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	return s, json.Unmarshal(b, &s.byID)
}

func (s *installs) get(id string) (Installation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.byID[id]
	return in, ok
}

func (s *installs) list() []Installation {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Installation, 0, len(s.byID))
	for _, in := range s.byID {
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (s *installs) put(in Installation) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.byID[in.ID]; ok && in.OrganizationID == "" {
		in.OrganizationID = old.OrganizationID // secret.rotated may carry only the credentials
	}
	s.byID[in.ID] = in
	return s.save()
}

func (s *installs) remove(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, id)
	return s.save()
}

// save writes the file atomically (temporary file, then rename).
func (s *installs) save() error {
	b, err := json.MarshalIndent(s.byID, "", "  ")
	if err != nil {
		return err
	}
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, s.path)
}
