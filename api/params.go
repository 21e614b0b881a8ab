package api

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
)

// pathID parses the path parameter name as a UUID.
func pathID(c *gin.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, models.Errorf(models.KindNotFound, "not_found", "No such %s.", name)
	}
	return id, nil
}

// queryUUID parses an optional UUID query parameter.
func queryUUID(c *gin.Context, name string) (*uuid.UUID, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		return nil, models.Invalid("invalid_query", name+" must be a UUID.",
			models.FieldError{Field: name, Message: "must be a UUID"})
	}
	return &id, nil
}

// queryTime parses an optional RFC 3339 time query parameter.
func queryTime(c *gin.Context, name string) (*time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, models.Invalid("invalid_query", name+" must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z.",
			models.FieldError{Field: name, Message: "must be an RFC 3339 time"})
	}
	return &t, nil
}

// queryLimit parses limit, defaulting to def.
func queryLimit(c *gin.Context, def int) (int, error) {
	v := c.Query("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, models.Invalid("invalid_limit", "limit must be a whole number of at least 1.",
			models.FieldError{Field: "limit", Message: "must be a whole number of at least 1"})
	}
	return n, nil
}
