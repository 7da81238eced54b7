-- +goose Up
-- 就业援助 is a service: what was done for an approved case (registration,
-- training, referrals, outcomes, offers refused) is kept as records.
CREATE TABLE service_records (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  application_id VARCHAR(26) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  note TEXT NOT NULL,
  without_reason BOOLEAN NOT NULL DEFAULT FALSE,
  recorded_by VARCHAR(26) NOT NULL,
  recorded_at DATETIME NOT NULL,
  FOREIGN KEY (application_id) REFERENCES applications(id)
);
CREATE INDEX idx_service_records_application ON service_records(application_id, id);

-- +goose Down
DROP TABLE service_records;
