-- +goose Up
-- 抽查: a county's draw of a month's approved cases (one per county and
-- month) and the drawn cases with their outcomes; 民主评议 meetings.
CREATE TABLE spot_check_draws (
  region_code VARCHAR(12) NOT NULL,
  period VARCHAR(7) NOT NULL,
  permille BIGINT NOT NULL,
  population INT NOT NULL,
  sample_size INT NOT NULL,
  drawn_by VARCHAR(26) NOT NULL,
  drawn_at DATETIME(6) NOT NULL,
  PRIMARY KEY (region_code, period)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE spot_checks (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  region_code VARCHAR(12) NOT NULL,
  period VARCHAR(7) NOT NULL,
  application_id VARCHAR(26) NOT NULL,
  application_number VARCHAR(64) NOT NULL,
  program VARCHAR(16) NOT NULL,
  outcome VARCHAR(16) NULL,
  note TEXT NULL,
  decided_by VARCHAR(26) NULL,
  decided_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE (period, application_id),
  FOREIGN KEY (application_id) REFERENCES applications(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX idx_spot_checks_region ON spot_checks(region_code, period, id);

CREATE TABLE review_meetings (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  application_id VARCHAR(26) NOT NULL,
  held_on VARCHAR(10) NOT NULL,
  attendees INT NOT NULL,
  agree INT NOT NULL,
  disagree INT NOT NULL,
  abstain INT NOT NULL,
  passed BOOLEAN NOT NULL,
  note TEXT NOT NULL,
  recorded_by VARCHAR(26) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  FOREIGN KEY (application_id) REFERENCES applications(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX idx_review_meetings_app ON review_meetings(application_id, id);

-- +goose Down
DROP TABLE review_meetings;
DROP TABLE spot_checks;
DROP TABLE spot_check_draws;
