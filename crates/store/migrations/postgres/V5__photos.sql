-- Profile photos: a small JPEG thumbnail made on upload, kept in the database (base64 text, so
-- the same SQL serves both engines and every instance sees it; thumbnails are ~20 KB).
-- Keep V5__photos.sql in ../sqlite in step.
CREATE TABLE profile_photos (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    jpeg_base64 TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
