package probe

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

// TrapHandler is implemented by probe instances that take SNMP traps: trap
// probes from probe files and the Trap Viewer. vars are the trap's special
// variables ($GenericTrap, $VarbindValue1 …), varbinds its variable
// bindings and trapOID its notification OID.
type TrapHandler interface {
	HandleTrap(vars map[string]string, varbinds []snmp.Value, trapOID string) status.Result
}

// TrapViewerID is InterMapper's Trap Viewer probe.
const TrapViewerID = "com.dartware.snmp.trapdisplay"

// trapViewerKeep is how many traps the viewer shows.
const trapViewerKeep = 20

// TrapViewerInfo is the Trap Viewer: it never polls, and shows everything
// about the last traps the device sent.
func TrapViewerInfo() Info {
	return Info{ID: TrapViewerID, Name: "SNMP - Trap Viewer", Aliases: []string{"trapviewer", "traps"},
		New: func() Probe { return &trapViewer{now: time.Now} }}
}

type trapViewer struct {
	now   func() time.Time
	mu    sync.Mutex
	count int
	last  []map[string]any
}

// Poll reports the traps seen so far without sending anything.
func (v *trapViewer) Poll(ctx context.Context, t Target) status.Result {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.result()
}

func (v *trapViewer) result() status.Result {
	r := status.Result{Level: status.OK, Time: v.now(), Values: map[string]any{"trap_count": v.count}}
	if v.count == 0 {
		r.Reason = "no traps received yet"
		return r
	}
	traps := make([]map[string]any, len(v.last))
	copy(traps, v.last)
	r.Values["traps"] = traps
	r.Reason = fmt.Sprintf("%d traps received; last at %s: %s", v.count, traps[0]["time"], traps[0]["trap"])
	return r
}

// HandleTrap records the trap, newest first.
func (v *trapViewer) HandleTrap(vars map[string]string, varbinds []snmp.Value, trapOID string) status.Result {
	v.mu.Lock()
	defer v.mu.Unlock()
	name := trapOID
	if name == "" {
		name = vars["$Enterprise"] + " " + vars["$GenericTrap"] + "/" + vars["$SpecificTrap"]
	}
	vbs := make([]map[string]string, 0, len(varbinds))
	for _, vb := range varbinds {
		vbs = append(vbs, map[string]string{"oid": vb.OID, "type": vb.Type.String(), "value": vb.AsString()})
	}
	rec := map[string]any{
		"time": v.now().UTC().Format(time.RFC3339), "trap": name, "sender": vars["$SenderAddress"],
		"agent": vars["$AgentAddress"], "version": vars["$SnmpVersion"], "generic": vars["$GenericTrap"],
		"specific": vars["$SpecificTrap"], "enterprise": vars["$Enterprise"], "uptime": vars["$TimeStamp"], "varbinds": vbs,
	}
	v.last = append([]map[string]any{rec}, v.last...)
	if len(v.last) > trapViewerKeep {
		v.last = v.last[:trapViewerKeep]
	}
	v.count++
	return v.result()
}
