-- SQLite already sorts text by its bytes (BINARY); PostgreSQL's V18 makes folded names and tags
-- sort the same way. Nothing to change here; the version keeps both histories in step.
SELECT 1;
