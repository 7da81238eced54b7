-- +goose Up
-- Programs as policies: each assessment records the program's decision
-- (eligible, benefit kind, amount, persons covered) and the fields of its
-- own rule; members declare incomes by kind; counties keep policy figures
-- per year; a refused excluded pair is kept as a duplicate hit.
ALTER TABLE applications ADD COLUMN benefit_kind VARCHAR(16) NULL;
ALTER TABLE applications ADD COLUMN eligible BOOLEAN NULL;
ALTER TABLE applications ADD COLUMN ineligible_reason TEXT NULL;
ALTER TABLE applications ADD COLUMN amount BIGINT NULL;
ALTER TABLE applications ADD COLUMN computed_amount BIGINT NULL;
ALTER TABLE applications ADD COLUMN persons_covered INT NULL;
ALTER TABLE applications ADD COLUMN declared_income BIGINT NULL;
ALTER TABLE applications ADD COLUMN income_reason TEXT NULL;
ALTER TABLE applications ADD COLUMN care_level VARCHAR(16) NULL;
ALTER TABLE applications ADD COLUMN housing_mode VARCHAR(16) NULL;
ALTER TABLE applications ADD COLUMN urgent BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE applications ADD COLUMN bills_total BIGINT NULL;
ALTER TABLE applications ADD COLUMN insurance_paid BIGINT NULL;
ALTER TABLE applications ADD COLUMN standard_amount BIGINT NULL;
ALTER TABLE members ADD COLUMN incomes TEXT NULL;
ALTER TABLE notices ADD COLUMN benefit_kind VARCHAR(16) NOT NULL DEFAULT 'monthly_cash';
ALTER TABLE publications ADD COLUMN benefit_kind VARCHAR(16) NOT NULL DEFAULT 'monthly_cash';

-- Existing assessments: the benefit kind follows the program. An approved
-- 低保 case stays a monthly benefit of the same amount; a one-off program's
-- amount (recorded in monthly_amount before) becomes its one-off amount.
UPDATE applications SET benefit_kind = CASE program
    WHEN 'temporary' THEN 'one_off_cash' WHEN 'medical' THEN 'one_off_cash'
    WHEN 'education' THEN 'voucher' WHEN 'employment' THEN 'service'
    ELSE 'monthly_cash' END,
  eligible = CASE WHEN program IN ('education', 'employment') THEN TRUE ELSE monthly_amount > 0 END,
  persons_covered = (SELECT COUNT(*) FROM members m WHERE m.household_id = applications.household_id),
  declared_income = per_capita_income
  WHERE assessed_at IS NOT NULL;
UPDATE applications SET amount = monthly_amount, monthly_amount = NULL
  WHERE assessed_at IS NOT NULL AND program IN ('temporary', 'medical');
UPDATE notices SET benefit_kind = 'one_off_cash' WHERE program IN ('temporary', 'medical');
UPDATE publications SET benefit_kind = 'one_off_cash' WHERE program IN ('temporary', 'medical');

CREATE TABLE policy_figures (
  region_code VARCHAR(12) NOT NULL,
  year INT NOT NULL,
  figures TEXT NOT NULL,
  updated_at DATETIME NOT NULL,
  updated_by VARCHAR(26) NULL,
  PRIMARY KEY (region_code, year),
  FOREIGN KEY (region_code) REFERENCES regions(code)
);

CREATE TABLE duplicate_hits (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  kind VARCHAR(32) NOT NULL,
  application_id VARCHAR(26) NOT NULL,
  other_application_id VARCHAR(26) NULL,
  region_code VARCHAR(12) NOT NULL,
  detail TEXT NOT NULL,
  status VARCHAR(16) NOT NULL,
  resolution VARCHAR(16) NULL,
  resolution_reason TEXT NULL,
  resolved_by VARCHAR(26) NULL,
  resolved_at DATETIME NULL,
  created_at DATETIME NOT NULL,
  FOREIGN KEY (application_id) REFERENCES applications(id)
);
CREATE INDEX idx_duplicate_hits_region ON duplicate_hits(region_code, status);
CREATE INDEX idx_duplicate_hits_application ON duplicate_hits(application_id, status);

-- +goose Down
DROP TABLE duplicate_hits;
DROP TABLE policy_figures;
UPDATE applications SET monthly_amount = amount WHERE program IN ('temporary', 'medical') AND amount IS NOT NULL;
ALTER TABLE publications DROP COLUMN benefit_kind;
ALTER TABLE notices DROP COLUMN benefit_kind;
ALTER TABLE members DROP COLUMN incomes;
ALTER TABLE applications DROP COLUMN standard_amount;
ALTER TABLE applications DROP COLUMN insurance_paid;
ALTER TABLE applications DROP COLUMN bills_total;
ALTER TABLE applications DROP COLUMN urgent;
ALTER TABLE applications DROP COLUMN housing_mode;
ALTER TABLE applications DROP COLUMN care_level;
ALTER TABLE applications DROP COLUMN income_reason;
ALTER TABLE applications DROP COLUMN declared_income;
ALTER TABLE applications DROP COLUMN persons_covered;
ALTER TABLE applications DROP COLUMN computed_amount;
ALTER TABLE applications DROP COLUMN amount;
ALTER TABLE applications DROP COLUMN ineligible_reason;
ALTER TABLE applications DROP COLUMN eligible;
ALTER TABLE applications DROP COLUMN benefit_kind;
