-- +goose Up
-- Cross-department checks (核对): each source's answer, kept on the case.
CREATE TABLE check_results (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  application_id VARCHAR(26) NOT NULL,
  source VARCHAR(32) NOT NULL,
  status VARCHAR(16) NOT NULL,
  detail TEXT NOT NULL,
  checked_at DATETIME(6) NOT NULL,
  checked_by VARCHAR(26) NOT NULL,
  FOREIGN KEY (application_id) REFERENCES applications(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX idx_check_results_application ON check_results(application_id, id);

-- +goose Down
DROP TABLE check_results;
