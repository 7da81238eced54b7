-- +goose Up
-- The audit trail without a shared lock: rows are appended with an
-- auto-increment seq and no chain head; a sealer assigns them to batches
-- (audit_log.batch, 0 = not sealed yet) and chains each batch's keyed MAC
-- to the previous one in audit_batches. audit_head is gone.
ALTER TABLE audit_log MODIFY seq BIGINT NOT NULL AUTO_INCREMENT, ADD COLUMN batch BIGINT NOT NULL DEFAULT 0;
CREATE INDEX idx_audit_batch ON audit_log(batch, seq);
CREATE TABLE audit_batches (
  batch BIGINT NOT NULL PRIMARY KEY,
  first_seq BIGINT NOT NULL,
  last_seq BIGINT NOT NULL,
  row_count INT NOT NULL,
  prev_mac CHAR(64) NOT NULL,
  mac CHAR(64) NOT NULL,
  sealed_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- The one row only the sealer locks (UPDATE first in its transaction), so
-- sealers on several instances take turns; requests never touch it.
CREATE TABLE audit_sealer (
  id INT NOT NULL PRIMARY KEY,
  sealed_at DATETIME(6) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO audit_sealer (id, sealed_at) VALUES (1, NULL);
DROP TABLE audit_head;

-- +goose Down
DROP TABLE audit_sealer;
CREATE TABLE audit_head (
  id INT NOT NULL PRIMARY KEY,
  last_seq BIGINT NOT NULL,
  last_hash CHAR(64) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
DROP TABLE audit_batches;
DROP INDEX idx_audit_batch ON audit_log;
ALTER TABLE audit_log DROP COLUMN batch, MODIFY seq BIGINT NOT NULL;
