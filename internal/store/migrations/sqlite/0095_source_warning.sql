-- What the last poll of a source read only in part (a feed cut off
-- mid-item), said to the editor beside the source; empty when all was
-- read. It is cleared by every poll.
ALTER TABLE sources ADD COLUMN last_warning TEXT NOT NULL DEFAULT '';
