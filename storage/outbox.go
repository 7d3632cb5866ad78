package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Outbox kinds: "<entity>.<verb>".
const (
	opTouchCreate   = "touch.create"
	opTouchUpdate   = "touch.update"
	opTaskCreate    = "task.create"
	opTaskUpdate    = "task.update"
	opAccountUpdate = "account.update"
	opContactUpdate = "contact.update"
)

// newOpID is a fresh random operation id; the CRM side uses it to make a
// push idempotent.
func newOpID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// enqueue writes one outbox row in tx. logTouch ties it to a LogTouch (0:
// none) so UndoLog can find it.
func enqueue(ctx context.Context, tx *sql.Tx, opID, kind string, entityID int64, payload any, now time.Time, logTouch int64) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("outbox %s: %w", kind, err)
	}
	if opID == "" {
		opID = newOpID()
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox(op_id, kind, entity_id, payload, created_at, log_touch)
		VALUES(?, ?, ?, ?, ?, ?)`, opID, kind, entityID, string(b), ms(now), nullID(logTouch))
	return err
}
