package api

import (
	"io/fs"
	"net/http"
)

// filesOnly serves the files of an http.FileSystem and nothing else: a
// directory is "not found" rather than a listing of what is in it. (Gin's
// OnlyFilesFS still answers 200 with an empty listing, which tells a
// prober the directory exists.)
type filesOnly struct{ fs http.FileSystem }

func (f filesOnly) Open(name string) (http.File, error) {
	file, err := f.fs.Open(name)
	if err != nil {
		return nil, err
	}
	info, err := file.Stat()
	if err != nil || info.IsDir() {
		file.Close()
		return nil, fs.ErrNotExist
	}
	return file, nil
}
