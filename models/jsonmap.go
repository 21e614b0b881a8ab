package models

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
)

// JSONMap is a jsonb object column.
type JSONMap map[string]any

// Value encodes the map as JSON; a nil map is stored as {}.
func (m JSONMap) Value() (driver.Value, error) {
	if m == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(m)
}

// Scan decodes a jsonb value.
func (m *JSONMap) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*m = JSONMap{}
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("JSONMap: cannot scan %T", src)
	}
	return json.Unmarshal(b, m)
}
