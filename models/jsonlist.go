package models

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
)

// JSONList is a jsonb array column of T. A nil list is stored and served
// as [], never null, so clients and SQL checks see one shape.
type JSONList[T any] []T

// Value encodes the list as a JSON array.
func (l JSONList[T]) Value() (driver.Value, error) {
	if l == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]T(l))
}

// Scan decodes a jsonb array.
func (l *JSONList[T]) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*l = JSONList[T]{}
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("JSONList: cannot scan %T", src)
	}
	var out []T
	if err := json.Unmarshal(b, &out); err != nil {
		return err
	}
	if out == nil {
		out = []T{}
	}
	*l = out
	return nil
}

// MarshalJSON serves a nil list as [].
func (l JSONList[T]) MarshalJSON() ([]byte, error) {
	if l == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]T(l))
}
