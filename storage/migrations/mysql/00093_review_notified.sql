-- +goose Up
-- When the resident was told that the case's re-check (复核) is due; the
-- daily job tells each due case once per due date.
ALTER TABLE applications ADD COLUMN review_notified_at DATETIME(6) NULL;

-- +goose Down
ALTER TABLE applications DROP COLUMN review_notified_at;
