-- +goose Up
-- 结对助学, the donor side (issue 15): the bureau pairs a registered donor
-- with a consenting child's pairing profile. The donor reads the pairing
-- with its number and a code printed for them (kept hashed, like a
-- donation's trace code). open_slot is the profile id while the pairing
-- stands (one live pairing per child). A pairing payment is an allocation
-- of the donor's money donation to the child's approved case, marked with
-- the pairing. Letters pass through the system, sealed; the guardian's
-- consent covers letters only when letters_consented is set, the donor's
-- side when donor_letters is set, and the bureau may stop them.
ALTER TABLE pairing_profiles ADD COLUMN letters_consented BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE pairings (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  number VARCHAR(40) NOT NULL,
  profile_id VARCHAR(26) NOT NULL,
  donor_id VARCHAR(26) NOT NULL,
  region_code VARCHAR(12) NOT NULL,
  status VARCHAR(16) NOT NULL,
  open_slot VARCHAR(26) NULL,
  code_hash VARCHAR(64) NOT NULL,
  donor_letters BOOLEAN NOT NULL DEFAULT FALSE,
  donor_named BOOLEAN NOT NULL DEFAULT FALSE,
  letters_stopped_at DATETIME(6) NULL,
  letters_stop_reason VARCHAR(2000) NOT NULL DEFAULT '',
  created_by VARCHAR(26) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  ended_at DATETIME(6) NULL,
  FOREIGN KEY (profile_id) REFERENCES pairing_profiles(id),
  FOREIGN KEY (donor_id) REFERENCES donors(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE UNIQUE INDEX uq_pairings_number ON pairings(number);
CREATE UNIQUE INDEX uq_pairings_open ON pairings(open_slot);
CREATE INDEX idx_pairings_profile ON pairings(profile_id);
CREATE INDEX idx_pairings_region ON pairings(region_code, id);

CREATE TABLE pairing_letters (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  pairing_id VARCHAR(26) NOT NULL,
  sender VARCHAR(8) NOT NULL,
  body_sealed TEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  FOREIGN KEY (pairing_id) REFERENCES pairings(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX idx_pairing_letters_pairing ON pairing_letters(pairing_id, id);

ALTER TABLE donation_allocations ADD COLUMN pairing_id VARCHAR(26) NULL;
CREATE INDEX idx_donation_allocations_pairing ON donation_allocations(pairing_id);
CREATE INDEX idx_donation_allocations_application ON donation_allocations(application_id);

-- +goose Down
DROP INDEX idx_donation_allocations_application ON donation_allocations;
DROP INDEX idx_donation_allocations_pairing ON donation_allocations;
ALTER TABLE donation_allocations DROP COLUMN pairing_id;
DROP TABLE pairing_letters;
DROP TABLE pairings;
ALTER TABLE pairing_profiles DROP COLUMN letters_consented;
