package postgres

// Messages for the reasons that need the database.
const (
	slugReservedMessage = "This name is reserved; choose another."
	slugTakenMessage    = "This slug is already taken; choose another."
)
