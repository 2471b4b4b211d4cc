"""The encrypted local store: SQLCipher database, key store, audit chain, backups."""
