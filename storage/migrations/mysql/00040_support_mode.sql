-- +goose Up
-- How an approved 特困 (tekun) person is supported: 'centralized' (集中供养,
-- in an institution) or 'dispersed' (分散供养). Recorded with the assessment
-- of a tekun case; NULL for every other program and for tekun cases assessed
-- before this column existed. The centralized-support rate of
-- GET /api/v1/staff/stats is computed from it.
ALTER TABLE applications ADD COLUMN support_mode VARCHAR(16) NULL;

-- +goose Down
ALTER TABLE applications DROP COLUMN support_mode;
