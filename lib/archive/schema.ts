/**
 * Numbered migrations, applied in order inside one transaction each; PRAGMA user_version holds
 * the number of the last one applied. Never edit a released migration: add the next one.
 *
 * Times are integers (milliseconds since the epoch, UTC) so that they sort and index cheaply.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: received and sent faxes, and the indexes the inbox pages use.
  `
  CREATE TABLE received (
    id              INTEGER PRIMARY KEY,
    state           TEXT NOT NULL CHECK (state IN ('receiving', 'done')),
    received_at     INTEGER NOT NULL,
    finished_at     INTEGER,
    modem           TEXT,
    remote_id       TEXT,
    caller_id       TEXT,
    caller_name     TEXT,
    subaddress      TEXT,
    pages           INTEGER NOT NULL DEFAULT 0,
    bit_rate        INTEGER,
    coding          TEXT,
    ecm             INTEGER,
    resolution      TEXT,
    result          TEXT NOT NULL,
    failure_sentence TEXT,
    bad_lines       INTEGER NOT NULL DEFAULT 0,
    duration_ms     INTEGER,
    tiff_path       TEXT,
    pdf_path        TEXT,
    read            INTEGER NOT NULL DEFAULT 0,
    archived        INTEGER NOT NULL DEFAULT 0,
    deleted_at      INTEGER,
    delivery_status TEXT NOT NULL DEFAULT 'none'
                    CHECK (delivery_status IN ('none', 'pending', 'delivered', 'failed')),
    delivery_next_at INTEGER,
    delivery_json   TEXT
  );
  -- The inbox: live faxes, newest first (WHERE deleted_at IS NULL AND archived = ? ORDER BY …).
  CREATE INDEX received_inbox ON received (archived, received_at DESC, id DESC) WHERE deleted_at IS NULL;
  CREATE INDEX received_newest ON received (received_at DESC, id DESC);
  CREATE INDEX received_unread ON received (received_at DESC, id DESC) WHERE read = 0 AND deleted_at IS NULL;
  CREATE INDEX received_remote ON received (remote_id);
  CREATE INDEX received_caller ON received (caller_id);
  CREATE INDEX received_in_progress ON received (state) WHERE state = 'receiving';
  CREATE INDEX received_delivery_due ON received (delivery_next_at) WHERE delivery_status = 'pending';

  CREATE TABLE sent (
    id               INTEGER PRIMARY KEY,
    cups_job_id      INTEGER NOT NULL,
    user             TEXT NOT NULL,
    recipient_name   TEXT,
    number           TEXT NOT NULL,
    pages            INTEGER NOT NULL,
    pages_confirmed  INTEGER NOT NULL,
    result           TEXT NOT NULL,
    failure_kind     TEXT,
    failure_sentence TEXT,
    remote_csi       TEXT,
    bit_rate         INTEGER,
    coding           TEXT,
    ecm              INTEGER,
    resolution       TEXT,
    duration_ms      INTEGER,
    attempts         INTEGER NOT NULL DEFAULT 1,
    started_at       INTEGER,
    finished_at      INTEGER NOT NULL,
    report_path      TEXT
  );
  CREATE INDEX sent_newest ON sent (finished_at DESC, id DESC);
  CREATE INDEX sent_job ON sent (cups_job_id, id DESC);
  CREATE INDEX sent_user ON sent (user, finished_at DESC);
  `,
  // 2: the address book of the web page's send form (issue 16).
  `
  CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    number     TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
  );
  CREATE INDEX contacts_name ON contacts (name COLLATE NOCASE, id);
  `,
];
