-- +goose Up
-- Documents are encrypted before they leave the process (DARE, minio/sio)
-- with a random data key per object; sealed_key holds that key sealed by a
-- key derived from JIUZHU_SECRET_KEY. Rows stored before this column have
-- '' and are read as clear. The blob_key index serves the orphan sweep.
ALTER TABLE documents ADD COLUMN sealed_key VARCHAR(128) NOT NULL DEFAULT '';
CREATE INDEX idx_documents_blob_key ON documents (blob_key);

-- +goose Down
DROP INDEX idx_documents_blob_key;
ALTER TABLE documents DROP COLUMN sealed_key;
