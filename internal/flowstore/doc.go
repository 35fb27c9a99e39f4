// Package flowstore turns flow records into sessions and keeps them in a
// bounded store that answers top-N and time-chart queries.
//
// A session is InterMapper Flows' unit: the flow from A to B plus the flow
// from B back to A, with one side named the client and the other the
// server. The Builder merges records into sessions and hands finished ones
// to a Store: DuckDB files in the settings folder (OpenDuck) or a
// ClickHouse server over its HTTP interface (OpenClickHouse). Both answer
// the same Query with the same arithmetic: a session's volume is spread
// evenly over the time it lasted, so a range or chart bucket that covers
// part of a session gets that part of its bytes. That is why zooming into a
// chart makes its peaks taller: narrower buckets hold a short burst in less
// time.
//
// # Duplicates across exporters
//
// A flow crossing two exporting routers is reported twice. The Builder keys
// open sessions by exporter and 5-tuple; the first exporter to open a
// session for a 5-tuple owns it, and a session another exporter opens for
// the same 5-tuple while the owner's is open (their times overlapping
// within the inactive timeout) is stored with Duplicate set. Totals — top
// hosts, clients, servers, conversations, protocols, applications and the
// time chart — skip duplicates, so the flow counts once. Queries grouped by
// exporter or interface, or filtered by exporter or interface, count every
// session, each exporter's own view of the traffic that crossed it.
package flowstore
