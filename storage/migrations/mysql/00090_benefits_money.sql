-- +goose Up
-- Benefits after approval and the money: a benefit per approved case with
-- its amount versions and the household snapshot it was assessed on; the
-- household's bank account (sealed); payment rolls per county, program and
-- month with their lines.
CREATE TABLE benefits (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  application_id VARCHAR(26) NOT NULL,
  application_number VARCHAR(64) NOT NULL,
  household_id VARCHAR(26) NOT NULL,
  program VARCHAR(16) NOT NULL,
  region_code VARCHAR(12) NOT NULL,
  county_code VARCHAR(12) NOT NULL,
  hukou VARCHAR(8) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  persons_covered INT NOT NULL,
  follows_standard BOOLEAN NOT NULL,
  status VARCHAR(16) NOT NULL,
  first_month VARCHAR(7) NOT NULL,
  end_month VARCHAR(7) NULL,
  name_masked VARCHAR(64) NOT NULL,
  household_size INT NOT NULL,
  snapshot_sealed TEXT NOT NULL,
  approved_at DATETIME(6) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE (application_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX benefits_county ON benefits (county_code, program, status);

CREATE TABLE benefit_amounts (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  benefit_id VARCHAR(26) NOT NULL,
  from_month VARCHAR(7) NOT NULL,
  amount BIGINT NOT NULL,
  reason VARCHAR(64) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE (benefit_id, from_month),
  FOREIGN KEY (benefit_id) REFERENCES benefits(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE households ADD COLUMN bank_name VARCHAR(64) NULL;
ALTER TABLE households ADD COLUMN bank_account_sealed TEXT NULL;
ALTER TABLE households ADD COLUMN bank_account_masked VARCHAR(16) NULL;

CREATE TABLE payment_rolls (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  number VARCHAR(64) NOT NULL,
  region_code VARCHAR(12) NOT NULL,
  program VARCHAR(16) NOT NULL,
  period VARCHAR(7) NOT NULL,
  status VARCHAR(16) NOT NULL,
  line_count INT NOT NULL,
  total BIGINT NOT NULL,
  made_by VARCHAR(26) NOT NULL,
  approved_by VARCHAR(26) NULL,
  approved_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE (region_code, program, period)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE payment_lines (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  roll_id VARCHAR(26) NOT NULL,
  position INT NOT NULL,
  benefit_id VARCHAR(26) NOT NULL,
  application_id VARCHAR(26) NOT NULL,
  application_number VARCHAR(64) NOT NULL,
  name_masked VARCHAR(64) NOT NULL,
  for_month VARCHAR(7) NOT NULL,
  amount BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  status VARCHAR(16) NOT NULL,
  reason TEXT NULL,
  bank_name VARCHAR(64) NULL,
  account_sealed TEXT NULL,
  holder_sealed TEXT NULL,
  pay_slot VARCHAR(64) NULL,
  arrears_of VARCHAR(26) NULL,
  result_at DATETIME(6) NULL,
  UNIQUE (pay_slot),
  UNIQUE (arrears_of),
  FOREIGN KEY (roll_id) REFERENCES payment_rolls(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX payment_lines_roll ON payment_lines (roll_id, position);
CREATE INDEX payment_lines_benefit ON payment_lines (benefit_id, status);

-- +goose Down
DROP TABLE payment_lines;
DROP TABLE payment_rolls;
ALTER TABLE households DROP COLUMN bank_account_masked;
ALTER TABLE households DROP COLUMN bank_account_sealed;
ALTER TABLE households DROP COLUMN bank_name;
DROP TABLE benefit_amounts;
DROP TABLE benefits;
