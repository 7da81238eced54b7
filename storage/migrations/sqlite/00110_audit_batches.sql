-- +goose Up
-- The audit trail without a shared lock: rows are appended with an
-- auto-increment seq and no chain head; a sealer assigns them to batches
-- (audit_log.batch, 0 = not sealed yet) and chains each batch's keyed MAC
-- to the previous one in audit_batches. audit_head is gone. SQLite needs
-- the table rebuilt for seq to become an auto-increment rowid.
CREATE TABLE audit_log_new (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id VARCHAR(26) NOT NULL,
  at DATETIME NOT NULL,
  actor_id VARCHAR(26) NOT NULL,
  actor_role VARCHAR(32) NOT NULL,
  region_code VARCHAR(12) NOT NULL,
  action VARCHAR(64) NOT NULL,
  target_type VARCHAR(32) NOT NULL,
  target_id VARCHAR(64) NOT NULL,
  outcome VARCHAR(16) NOT NULL,
  request_id VARCHAR(64) NOT NULL,
  client_ip VARCHAR(64) NOT NULL,
  detail TEXT NOT NULL,
  prev_hash CHAR(64) NOT NULL,
  hash CHAR(64) NOT NULL,
  batch BIGINT NOT NULL DEFAULT 0
);
INSERT INTO audit_log_new (seq, id, at, actor_id, actor_role, region_code, action, target_type, target_id, outcome, request_id, client_ip, detail, prev_hash, hash)
  SELECT seq, id, at, actor_id, actor_role, region_code, action, target_type, target_id, outcome, request_id, client_ip, detail, prev_hash, hash FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE UNIQUE INDEX uq_audit_id ON audit_log(id);
CREATE INDEX idx_audit_region ON audit_log(region_code, seq);
CREATE INDEX idx_audit_batch ON audit_log(batch, seq);
CREATE TABLE audit_batches (
  batch BIGINT NOT NULL PRIMARY KEY,
  first_seq BIGINT NOT NULL,
  last_seq BIGINT NOT NULL,
  row_count INT NOT NULL,
  prev_mac CHAR(64) NOT NULL,
  mac CHAR(64) NOT NULL,
  sealed_at DATETIME NOT NULL
);
-- The one row only the sealer locks (UPDATE first in its transaction), so
-- sealers on several instances take turns; requests never touch it.
CREATE TABLE audit_sealer (
  id INT NOT NULL PRIMARY KEY,
  sealed_at DATETIME NULL
);
INSERT INTO audit_sealer (id, sealed_at) VALUES (1, NULL);
DROP TABLE audit_head;

-- +goose Down
DROP TABLE audit_sealer;
CREATE TABLE audit_head (
  id INT NOT NULL PRIMARY KEY,
  last_seq BIGINT NOT NULL,
  last_hash CHAR(64) NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
DROP TABLE audit_batches;
DROP INDEX idx_audit_batch;
ALTER TABLE audit_log DROP COLUMN batch;
