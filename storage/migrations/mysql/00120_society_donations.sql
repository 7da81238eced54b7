-- +goose Up
-- Society's part (issue 15): donors registered by the civil-affairs bureau,
-- donation stations under the region tree (each run by one station
-- account), donations with their receipt numbers and the allocations of
-- donated money and goods. A person's name and every phone are sealed; the
-- phone is found by its blind index. The trace code printed on a receipt is
-- kept hashed (to check) and sealed (to print the receipt again).
CREATE TABLE donors (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  kind VARCHAR(24) NOT NULL,
  name_public VARCHAR(200) NULL,
  name_sealed TEXT NULL,
  name_masked VARCHAR(200) NOT NULL,
  phone_sealed TEXT NOT NULL,
  phone_index VARCHAR(64) NOT NULL,
  phone_masked VARCHAR(16) NOT NULL,
  may_be_named BOOLEAN NOT NULL DEFAULT FALSE,
  region_code VARCHAR(12) NOT NULL,
  created_by VARCHAR(26) NOT NULL,
  created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX idx_donors_phone ON donors(phone_index);
CREATE INDEX idx_donors_region ON donors(region_code);

CREATE TABLE donation_stations (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  region_code VARCHAR(12) NOT NULL,
  address VARCHAR(400) NOT NULL,
  staff_id VARCHAR(26) NOT NULL,
  created_by VARCHAR(26) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  FOREIGN KEY (staff_id) REFERENCES staff(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE UNIQUE INDEX uq_donation_stations_staff ON donation_stations(staff_id);
CREATE INDEX idx_donation_stations_region ON donation_stations(region_code);

CREATE TABLE donations (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  receipt_number VARCHAR(40) NOT NULL,
  station_id VARCHAR(26) NOT NULL,
  region_code VARCHAR(12) NOT NULL,
  donor_id VARCHAR(26) NULL,
  kind VARCHAR(8) NOT NULL,
  amount BIGINT NOT NULL,
  description VARCHAR(400) NOT NULL,
  quantity BIGINT NOT NULL,
  unit VARCHAR(16) NOT NULL,
  estimated_value BIGINT NOT NULL,
  value BIGINT NOT NULL,
  allocated BIGINT NOT NULL DEFAULT 0,
  allocated_quantity BIGINT NOT NULL DEFAULT 0,
  trace_hash VARCHAR(64) NOT NULL,
  trace_sealed TEXT NOT NULL,
  note VARCHAR(2000) NOT NULL,
  period VARCHAR(7) NOT NULL,
  received_at DATETIME(6) NOT NULL,
  recorded_by VARCHAR(26) NOT NULL,
  FOREIGN KEY (station_id) REFERENCES donation_stations(id),
  FOREIGN KEY (donor_id) REFERENCES donors(id),
  CHECK (allocated <= value),
  CHECK (allocated_quantity <= quantity)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE UNIQUE INDEX uq_donations_receipt ON donations(receipt_number);
CREATE INDEX idx_donations_station ON donations(station_id, id);
CREATE INDEX idx_donations_region ON donations(region_code, period);
CREATE INDEX idx_donations_donor ON donations(donor_id);

CREATE TABLE donation_allocations (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  donation_id VARCHAR(26) NOT NULL,
  kind VARCHAR(8) NOT NULL,
  program VARCHAR(16) NOT NULL,
  region_code VARCHAR(12) NOT NULL,
  county_code VARCHAR(6) NOT NULL,
  application_id VARCHAR(26) NULL,
  period VARCHAR(7) NOT NULL,
  amount BIGINT NOT NULL,
  quantity BIGINT NOT NULL,
  note VARCHAR(2000) NOT NULL,
  decided_by VARCHAR(26) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  FOREIGN KEY (donation_id) REFERENCES donations(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX idx_donation_allocations_donation ON donation_allocations(donation_id);
CREATE INDEX idx_donation_allocations_ledger ON donation_allocations(county_code, program, period);

-- +goose Down
DROP TABLE donation_allocations;
DROP TABLE donations;
DROP TABLE donation_stations;
DROP TABLE donors;
