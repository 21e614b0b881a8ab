package models

// NotifyPortalChange exposes notifyPortalChange to the external tests.
var NotifyPortalChange = notifyPortalChange
