// Package postgres keeps the domain of package models in PostgreSQL: the
// Store with every query and transaction, the connection (Open), the
// migrations (embedded, applied with goose), the LISTEN/NOTIFY listener and
// the demo seed. It is the only package that imports GORM and pgx; the
// domain types, rules and error values it uses live in models.
package postgres
