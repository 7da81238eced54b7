-- +goose Up
-- Duplicate-hit rules: an open hit is unique per (case, kind, other case)
-- through open_key (NULL once resolved), so two instances scanning at once
-- record it once; the persons a benefit covers are kept at approval, so a
-- person who moved to another household is still found.
ALTER TABLE duplicate_hits ADD COLUMN open_key VARCHAR(120) NULL;
UPDATE duplicate_hits SET open_key = CONCAT(application_id, '|', kind, '|', COALESCE(other_application_id, '')) WHERE status = 'open';
CREATE UNIQUE INDEX uq_duplicate_hits_open ON duplicate_hits(open_key);

CREATE TABLE benefit_persons (
  application_id VARCHAR(26) NOT NULL,
  id_index VARCHAR(64) NOT NULL,
  PRIMARY KEY (application_id, id_index),
  FOREIGN KEY (application_id) REFERENCES applications(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX idx_benefit_persons_person ON benefit_persons(id_index);
INSERT INTO benefit_persons (application_id, id_index)
  SELECT a.id, m.id_index FROM applications a JOIN members m ON m.household_id = a.household_id
  WHERE a.status IN ('approved', 'suspended');

-- +goose Down
DROP TABLE benefit_persons;
DROP INDEX uq_duplicate_hits_open ON duplicate_hits;
ALTER TABLE duplicate_hits DROP COLUMN open_key;
