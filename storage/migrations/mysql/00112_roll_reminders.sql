-- +goose Up
-- What the roll-preparation job left for a county: one row per county,
-- program, month and kind (due_soon, overdue), so a re-run writes nothing.
CREATE TABLE roll_reminders (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  region_code VARCHAR(12) NOT NULL,
  program VARCHAR(16) NOT NULL,
  period VARCHAR(7) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  text TEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE (region_code, program, period, kind)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX idx_roll_reminders_region ON roll_reminders(region_code, id);

-- +goose Down
DROP TABLE roll_reminders;
