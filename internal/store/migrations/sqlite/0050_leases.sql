-- Leases: named rights to do one piece of background work (publishing
-- scheduled posts, polling sources, pinging hubs) that several serve
-- processes share. A holder keeps its lease by renewing it before it
-- expires; a crashed holder stops renewing, and another takes over.
-- Expiry is in Unix milliseconds: leases last seconds, not hours.
-- The fencing token grows by one each time the lease changes hands, so
-- work can tell a stale holder from the current one.

CREATE TABLE leases (
    name       TEXT   PRIMARY KEY,
    holder     TEXT   NOT NULL,
    expires_ms BIGINT NOT NULL,
    fencing    BIGINT NOT NULL DEFAULT 1
);
