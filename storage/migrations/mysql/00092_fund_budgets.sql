-- +goose Up
-- The fund ledger's budget: what a county sets aside per program and month
-- (资金监管); scheduled, paid and failed come from the approved rolls.
CREATE TABLE fund_budgets (
  region_code VARCHAR(12) NOT NULL,
  program VARCHAR(16) NOT NULL,
  period VARCHAR(7) NOT NULL,
  amount BIGINT NOT NULL,
  updated_by VARCHAR(26) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (region_code, program, period)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE fund_budgets;
