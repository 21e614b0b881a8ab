package models

// Errors of an app's OAuth client.
var (
	ErrOAuthAppNotFound = &Error{Kind: KindNotFound, Code: "app_not_found", Message: "No such app."}
	ErrOAuthNotEnabled  = &Error{Kind: KindNotFound, Code: "oauth_not_enabled",
		Message: "OAuth has never been enabled for this app."}
	ErrOAuthDisabled = &Error{Kind: KindConflict, Code: "oauth_disabled",
		Message: "OAuth is disabled for this app: enable it before rotating its secret."}
	// One error for an unknown client, a disabled one and a wrong or
	// expired secret: the caller learns nothing about which.
	ErrInvalidClient = &Error{Kind: KindUnauthorized, Code: "invalid_client",
		Message: "Unknown client, or wrong client secret."}
)
