-- +goose Up
-- 退回补正: when staff return a case to the resident, return_due_at is the
-- end of the last working day by which the resident is to bring what is
-- missing (model.ReturnDays working days of the calendar); NULL for a case
-- never returned or returned before this column existed. It stays on the
-- row after the resident resubmits (the queue only shows it while the case
-- is returned).
ALTER TABLE applications ADD COLUMN return_due_at DATETIME(6) NULL;

-- +goose Down
ALTER TABLE applications DROP COLUMN return_due_at;
