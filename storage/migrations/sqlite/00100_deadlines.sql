-- +goose Up
-- Legal time limits: the working-day calendar per year (holidays and 调休
-- make-up working days), the county's extension of a case to 45 working
-- days, and the reminders the deadline job sent (one per case, clock and
-- kind, so two instances never send one twice).
CREATE TABLE calendar_years (
  year INT NOT NULL PRIMARY KEY,
  holidays TEXT NOT NULL,
  workdays TEXT NOT NULL,
  updated_at DATETIME NOT NULL,
  updated_by VARCHAR(26) NULL
);

ALTER TABLE applications ADD COLUMN extended_at DATETIME NULL;
ALTER TABLE applications ADD COLUMN extended_by VARCHAR(26) NULL;
ALTER TABLE applications ADD COLUMN extension_reason TEXT NULL;

CREATE TABLE deadline_reminders (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  application_id VARCHAR(26) NOT NULL,
  step VARCHAR(16) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  region_code VARCHAR(12) NOT NULL,
  due_at DATETIME NOT NULL,
  text TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  UNIQUE (application_id, step, kind, due_at),
  FOREIGN KEY (application_id) REFERENCES applications(id)
);
CREATE INDEX idx_deadline_reminders_region ON deadline_reminders(region_code, id);

-- +goose Down
DROP TABLE deadline_reminders;
ALTER TABLE applications DROP COLUMN extension_reason;
ALTER TABLE applications DROP COLUMN extended_by;
ALTER TABLE applications DROP COLUMN extended_at;
DROP TABLE calendar_years;
