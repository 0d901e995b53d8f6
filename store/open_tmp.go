package store

// DB is the open database. Placeholder until the store implementation lands.
type DB struct{}
