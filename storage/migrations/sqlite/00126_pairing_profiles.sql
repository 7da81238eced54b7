-- +goose Up
-- 结对助学, the family side (issue 15): a guardian's consent for one school
-- child is the child's pairing profile, referenced later by its opaque id.
-- open_slot is the member id while the consent stands (one live profile
-- per child) and NULL once revoked. No name, school, ID or birth date here:
-- the anonymised view is derived from the member row when listed.
CREATE TABLE pairing_profiles (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  member_id VARCHAR(26) NOT NULL,
  household_id VARCHAR(26) NOT NULL,
  resident_id VARCHAR(26) NOT NULL,
  need VARCHAR(1200) NOT NULL,
  need_by VARCHAR(32) NOT NULL,
  status VARCHAR(16) NOT NULL,
  open_slot VARCHAR(26) NULL,
  consented_at DATETIME NOT NULL,
  revoked_at DATETIME NULL,
  updated_at DATETIME NOT NULL,
  FOREIGN KEY (household_id) REFERENCES households(id)
);
CREATE UNIQUE INDEX idx_pairing_profiles_open ON pairing_profiles(open_slot);
CREATE INDEX idx_pairing_profiles_household ON pairing_profiles(household_id);
CREATE INDEX idx_pairing_profiles_status ON pairing_profiles(status, id);

-- +goose Down
DROP TABLE pairing_profiles;
