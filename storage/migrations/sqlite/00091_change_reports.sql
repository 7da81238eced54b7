-- +goose Up
-- A resident's change to a household with an active benefit is a change
-- report on the case: when it was reported and what changed (masked), until
-- the re-check decides.
ALTER TABLE applications ADD COLUMN change_reported_at DATETIME NULL;
ALTER TABLE applications ADD COLUMN change_summary TEXT NULL;

-- +goose Down
ALTER TABLE applications DROP COLUMN change_summary;
ALTER TABLE applications DROP COLUMN change_reported_at;
