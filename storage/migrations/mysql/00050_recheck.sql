-- +goose Up
-- 复核: an approved case of a program with a re-check interval
-- (model.RecheckMonths) is due for its re-check at review_due_at, set on
-- approval and moved on by each re-check (rechecked_at). ended_at is when a
-- county approver ended the benefit. All NULL for cases decided before this
-- column existed and for programs without scheduled re-checks.
ALTER TABLE applications ADD COLUMN review_due_at DATETIME(6) NULL;
ALTER TABLE applications ADD COLUMN rechecked_at DATETIME(6) NULL;
ALTER TABLE applications ADD COLUMN ended_at DATETIME(6) NULL;
CREATE INDEX idx_applications_review_due ON applications (status, review_due_at);

-- +goose Down
DROP INDEX idx_applications_review_due ON applications;
ALTER TABLE applications DROP COLUMN ended_at;
ALTER TABLE applications DROP COLUMN rechecked_at;
ALTER TABLE applications DROP COLUMN review_due_at;
