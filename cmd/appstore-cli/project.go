package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// projectFileName is the app project's descriptor.
const projectFileName = "appstore.json"

// projectFile is appstore.json.
type projectFile struct {
	// AppID is the app's id on the platform (the portal shows it); deploy
	// needs it.
	AppID string `json:"app_id"`
	Name  string `json:"name"`
	// Environment is passed to the deployment: variables the server
	// functions read.
	Environment map[string]string `json:"environment"`
}

// project is an app project on disk.
type project struct {
	Dir  string // absolute
	File projectFile
}

// loadProject reads dir/appstore.json.
func loadProject(dir string) (*project, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(filepath.Join(abs, projectFileName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s has no %s: run appstore-cli in an app project (or create one with appstore-cli init)", abs, projectFileName)
	}
	if err != nil {
		return nil, err
	}
	p := &project{Dir: abs}
	if err := json.Unmarshal(raw, &p.File); err != nil {
		return nil, fmt.Errorf("%s: %w", projectFileName, err)
	}
	return p, nil
}

// appID is the project's app id, or an error saying how to set it.
func (p *project) appID() (string, error) {
	if p.File.AppID == "" {
		return "", fmt.Errorf("%s has no app_id: create the app in the portal and put its id there", projectFileName)
	}
	return p.File.AppID, nil
}
