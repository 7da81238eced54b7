-- +goose Up
-- An ID number no longer belongs to the first household that typed it: a
-- claim is provisional until staff accept a case on the ID card's evidence
-- (claim_verified), a second claim is saved and shown to the community as a
-- conflict, and the verified claim wins. Claims made before this change
-- were unique already and count as verified.
DROP INDEX uq_members_id_number;
CREATE INDEX idx_members_id_index ON members(id_index);
ALTER TABLE members ADD COLUMN claim_verified BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE members SET claim_verified = TRUE;

-- +goose Down
ALTER TABLE members DROP COLUMN claim_verified;
DROP INDEX idx_members_id_index;
CREATE UNIQUE INDEX uq_members_id_number ON members(id_index);
