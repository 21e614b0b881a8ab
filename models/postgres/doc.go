// Package postgres keeps the domain of package models in PostgreSQL: one
// store per aggregate (Users, Apps, Deployments, …, each in the file named
// after it) with its queries and transactions, composed by Store; the
// connection (Open), the migrations (embedded, applied with goose), the
// LISTEN/NOTIFY listener and the demo seed. It is the only package that
// imports GORM and pgx; the domain types, rules and error values it uses
// live in models.
package postgres
